import type pg from "pg";

/** A pg client or pool: anything that can run a query. */
export type Queryable = Pick<pg.Pool, "query"> | pg.PoolClient;

/**
 * Runs `fn` in a transaction on one pooled client: commit on success, rollback on throw. Hot
 * paths (claims, leases, logs) use raw SQL for control over locking and round trips.
 */
export async function withPgTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out client whose connection dies between queries emits 'error'; unheard, that
  // would crash the process (e.g. on a database restart). The failing query reports it instead.
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    broken ??= isConnectionError(error) ? (error as Error) : undefined;
    throw error;
  } finally {
    client.off("error", onError);
    // A broken connection is destroyed instead of going back to the pool.
    client.release(broken);
  }
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? "";
  return code.startsWith("08") || code === "57P01" || code === "ECONNRESET" || code === "EPIPE";
}
