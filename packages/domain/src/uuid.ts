const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a string has UUID form. Ids from clients are checked with it before they reach a uuid
 * column (a malformed id finds nothing instead of failing the cast) or are told apart from names.
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
