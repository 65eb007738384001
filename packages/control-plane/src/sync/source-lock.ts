import pg from "pg";

/** Runs `fn` while holding the lock of one definition source. */
export type SourceLock = <T>(source: string, fn: () => Promise<T>) => Promise<T>;

/**
 * A PostgreSQL session advisory lock per source (keyed by a hash of it), so replicas syncing the
 * same folder reconcile one after the other: the second then finds everything in place instead of
 * racing the first to create the same tests.
 *
 * The lock is held on its own short-lived connection, outside the pool: syncs waiting for a lock
 * must not occupy the pool connections that the sync holding it needs for its queries. Within one
 * process syncs also queue behind each other, so a burst of SyncDefinitions calls costs at most
 * one extra database connection per replica. Closing the connection releases the lock, whatever
 * happens to `fn`.
 */
export function createSourceLock(databaseUrl: string): SourceLock {
  let tail: Promise<unknown> = Promise.resolve();
  return (source, fn) => {
    const run = tail.then(() => withAdvisoryLock(databaseUrl, `tstr:sync:${source}`, fn));
    tail = run.catch(() => undefined);
    return run;
  };
}

async function withAdvisoryLock<T>(databaseUrl: string, key: string, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  // A connection dying while the lock is held must not crash the process; the lock goes with it.
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [key]);
    return await fn();
  } finally {
    await client.end().catch(() => undefined);
  }
}
