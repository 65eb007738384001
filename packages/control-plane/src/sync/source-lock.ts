import pg from "pg";

/** Runs `fn` while holding the lock of one definition source. */
export type SourceLock = <T>(source: string, fn: () => Promise<T>) => Promise<T>;

/** The lock of a source could not be taken in time: another sync of it is still running. */
export class SourceBusyError extends Error {
  override readonly name = "SourceBusyError";
  constructor(
    readonly source: string,
    where: "this replica" | "another replica",
  ) {
    super(
      where === "this replica"
        ? `another sync of ${source} is still in progress on this replica; try again`
        : `another replica is syncing ${source}; try again`,
    );
  }
}

export interface SourceLockOptions {
  /** Longest wait for a source's lock, in this process and then in PostgreSQL (default 30 s). */
  waitMs?: number;
}

/** PostgreSQL's lock_not_available, raised when `lock_timeout` expires. */
const LOCK_NOT_AVAILABLE = "55P03";

/**
 * A PostgreSQL session advisory lock per source (keyed by a hash of it), so replicas syncing the
 * same folder reconcile one after the other: the second then finds everything in place instead of
 * racing the first to create the same tests.
 *
 * The lock is held on its own short-lived connection, outside the pool: syncs waiting for a lock
 * must not occupy the pool connections that the sync holding it needs for its queries. Within one
 * process syncs of the same source queue behind each other (one queue per source, so a slow sync
 * never delays another source), so a burst of SyncDefinitions calls costs at most one extra
 * database connection per source and replica. The whole wait — queue, then advisory lock, bounded
 * there by `lock_timeout` — is at most `waitMs`; after it the call fails with SourceBusyError
 * instead of hanging behind a stuck sync. Closing the connection releases the lock, whatever
 * happens to `fn`.
 */
export function createSourceLock(databaseUrl: string, options: SourceLockOptions = {}): SourceLock {
  const waitMs = options.waitMs ?? 30_000;
  const tails = new Map<string, Promise<void>>();
  return async (source, fn) => {
    const deadline = Date.now() + waitMs;
    const previous = tails.get(source) ?? Promise.resolve();
    let release = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The next caller waits for this one and, should this one give up waiting, still for `previous`.
    const tail = previous.then(() => mine);
    tails.set(source, tail);
    try {
      await waitUntil(previous, deadline, () => new SourceBusyError(source, "this replica"));
      return await withAdvisoryLock(databaseUrl, source, deadline, fn);
    } finally {
      release();
      if (tails.get(source) === tail) tails.delete(source);
    }
  };
}

async function withAdvisoryLock<T>(databaseUrl: string, source: string, deadline: number, fn: () => Promise<T>) {
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: Math.max(1000, deadline - Date.now()),
  });
  // A connection dying while the lock is held must not crash the process; the lock goes with it.
  client.on("error", () => undefined);
  try {
    await client.connect();
    // Only this connection's lock wait is bounded; the sync's own queries run on the pool.
    await client.query(`SET lock_timeout = ${Math.max(1, Math.ceil(deadline - Date.now()))}`);
    try {
      await client.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [`tstr:sync:${source}`]);
    } catch (error) {
      if ((error as { code?: unknown }).code === LOCK_NOT_AVAILABLE)
        throw new SourceBusyError(source, "another replica");
      throw error;
    }
    return await fn();
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Resolves when `done` does, or rejects with `timeout()` at `deadline`, whichever comes first. */
async function waitUntil(done: Promise<unknown>, deadline: number, timeout: () => Error): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout()), Math.max(0, deadline - Date.now()));
  });
  try {
    await Promise.race([done, expired]);
  } finally {
    clearTimeout(timer);
  }
}
