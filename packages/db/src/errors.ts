/**
 * A create/rename collided with a live row of the same identity. Typed so edges can map it to
 * gRPC ALREADY_EXISTS without parsing database error codes.
 */
export class AlreadyExistsError extends Error {
  override readonly name = "AlreadyExistsError";
  constructor(
    readonly kind: string,
    readonly key: string,
  ) {
    super(`${kind} ${key} already exists`);
  }
}

/** The row an update/archive addressed does not exist (or is no longer live). */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
  constructor(
    readonly kind: string,
    readonly key: string,
  ) {
    super(`${kind} ${key} not found`);
  }
}

/**
 * An applied migration's SQL differs from the one shipped in this build. Applying anything on
 * top of a schema we cannot vouch for is how data gets corrupted, so startup refuses.
 */
export class MigrationChecksumError extends Error {
  override readonly name = "MigrationChecksumError";
  constructor(
    readonly migration: string,
    readonly appliedChecksum: string,
    readonly expectedChecksum: string,
  ) {
    super(
      `migration ${migration} was modified after it was applied ` +
        `(database checksum ${appliedChecksum}, this build ${expectedChecksum}); ` +
        "add a new migration instead of editing an applied one",
    );
  }
}

/** True for a PostgreSQL unique_violation, whether raised through pg or Prisma. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  return (
    e.code === "23505" || e.code === "P2002" || e.meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation"
  );
}
