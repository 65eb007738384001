const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a command-line argument is a UUID (an id) rather than a name. */
export function isUuid(argument: string): boolean {
  return UUID.test(argument);
}

/** A test named on the command line: a UUID is an id, anything else a name in the namespace. */
export function testReference(argument: string): { id: string; name: string } {
  return isUuid(argument) ? { id: argument, name: "" } : { id: "", name: argument };
}
