/**
 * One invalid field of a request. `path` names the field the way a client wrote it, using proto
 * snake_case names (`run_config.env["1BAD"]`), so the edge can return it in `InvalidArgument`
 * without translating domain names back to wire names.
 */
export interface FieldViolation {
  path: string;
  message: string;
}

/**
 * Thrown when input fails validation. Carries every violation found, not just the first, so a
 * client can fix a whole request in one round trip.
 */
export class ValidationError extends Error {
  override readonly name = "ValidationError";

  constructor(readonly violations: FieldViolation[]) {
    super(violations.map((v) => `${v.path}: ${v.message}`).join("; "));
  }
}

/** Throws a {@link ValidationError} when there is anything to report; lets callers chain checks. */
export function throwIfViolations(violations: FieldViolation[]): void {
  if (violations.length > 0) throw new ValidationError(violations);
}

/**
 * Path of a map entry: `labels["app.kubernetes.io/name"]`. Keys are JSON-quoted so that keys
 * containing dots, slashes or quotes stay unambiguous.
 */
export function mapEntryPath(path: string, key: string): string {
  return `${path}[${JSON.stringify(key)}]`;
}

/** Path of a list element: `run_config.files[2]`. */
export function listItemPath(path: string, index: number): string {
  return `${path}[${index}]`;
}
