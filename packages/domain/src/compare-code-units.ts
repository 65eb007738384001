/**
 * Locale-independent string order (by UTF-16 code unit), so canonical forms and expansion orders
 * are identical on every machine, unlike `localeCompare`.
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
