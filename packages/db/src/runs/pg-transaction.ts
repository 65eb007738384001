import type pg from "pg";

/** A pg client or pool: anything that can run a query. */
export type Queryable = Pick<pg.Pool, "query"> | pg.PoolClient;

/**
 * Runs `fn` in a transaction on one pooled client: commit on success, rollback on throw. Hot
 * paths (claims, leases, logs) use raw SQL for control over locking and round trips.
 */
export async function withPgTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
