const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A test named on the command line: a UUID is an id, anything else a name in the namespace. */
export function testReference(argument: string): { id: string; name: string } {
  return UUID.test(argument) ? { id: argument, name: "" } : { id: "", name: argument };
}
