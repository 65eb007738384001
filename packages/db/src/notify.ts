import type { DbClient } from "./db-client.js";

/** Channel names used with {@link notify} and `createListener`, in one place. */
export const CHANNELS = {
  /** A run became claimable; payload: its namespace. Wakes dispatch waiters on every replica. */
  runQueued: "tstr_run_queued",
  /** A token was revoked; payload: its jti. Replicas refresh their revocation cache. */
  tokenRevoked: "tstr_token_revoked",
  /** A run was asked to stop; payload: `<runId> <runnerId>`. Wakes that runner's work stream. */
  runCancel: "tstr_run_cancel",
  /** Log chunks or a status change were stored for a run; payload: its id. Wakes log tails. */
  runProgress: "tstr_run_progress",
} as const;

/** Anything with pg's `query(text, values)`: a Pool, a PoolClient or a Client. */
export interface SqlQueryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/**
 * Sends a PostgreSQL notification. Inside a transaction (a pg client in BEGIN, or a Prisma
 * transaction client) it is delivered only on commit, so listeners never see uncommitted work.
 */
export async function notify(target: SqlQueryable | DbClient, channel: string, payload = ""): Promise<void> {
  if ("$executeRaw" in target) {
    await target.$executeRaw`SELECT pg_notify(${channel}, ${payload})`;
  } else {
    await target.query("SELECT pg_notify($1, $2)", [channel, payload]);
  }
}
