import { isUuid } from "@tstr/domain";

/** A suite named on the command line: a UUID is an id, anything else a name in the namespace. */
export function suiteReference(argument: string): { id: string; name: string } {
  return isUuid(argument) ? { id: argument, name: "" } : { id: "", name: argument };
}
