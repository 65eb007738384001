const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a client-supplied id has UUID form (checked before it reaches a uuid column). */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
