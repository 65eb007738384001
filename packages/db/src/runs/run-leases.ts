import type pg from "pg";
import { CHANNELS } from "../notify.js";
import type { Queryable } from "./pg-transaction.js";
import { RUN_COLUMNS, type RunRecord, runFromRow } from "./run-record.js";

/** A run a runner says it holds. */
export interface HeldRun {
  runId: string;
  attempt: number;
}

/**
 * Renews the leases of the runs a runner still holds (same runner, same attempt, still active)
 * and returns those rows; anything it reported but is not returned is no longer its to run.
 */
export async function renewLeases(
  pool: Queryable,
  runnerId: string,
  held: HeldRun[],
  leaseMs: number,
): Promise<RunRecord[]> {
  if (held.length === 0) return [];
  const { rows } = await pool.query(
    `UPDATE runs SET lease_expires_at = now() + make_interval(secs => $4::double precision / 1000)
     FROM unnest($2::uuid[], $3::int[]) AS h(id, attempt)
     WHERE runs.id = h.id AND runs.attempt = h.attempt AND runs.runner_id = $1
       AND runs.status IN ('ASSIGNED', 'RUNNING', 'CANCELLING')
     RETURNING ${RUN_COLUMNS.split(",")
       .map((c) => `runs.${c.trim()}`)
       .join(", ")}`,
    [runnerId, held.map((h) => h.runId), held.map((h) => h.attempt), leaseMs],
  );
  return rows.map(runFromRow);
}

/**
 * Locks up to `limit` active runs whose lease has expired or whose deadline has passed, skipping
 * rows another replica's reaper holds. Call inside a transaction and settle each run there.
 * External executions have no runner and no lease: endStaleExecutions settles those.
 */
export async function lockOverdueRuns(
  client: pg.PoolClient,
  limit: number,
  includeLostLeases = true,
): Promise<RunRecord[]> {
  const { rows } = await client.query(
    `SELECT ${RUN_COLUMNS} FROM runs
     WHERE status IN ('ASSIGNED', 'RUNNING', 'CANCELLING') AND NOT external
       AND (($2::boolean AND lease_expires_at < now()) OR deadline_at < now())
     ORDER BY lease_expires_at
     LIMIT $1
     FOR UPDATE SKIP LOCKED`,
    [limit, includeLostLeases],
  );
  return rows.map(runFromRow);
}

/**
 * Wakes the runners waiting for work (NOTIFY per namespace) about queued runs whose retry backoff
 * ended after `since` and by now, and returns the instant checked up to (pass it next time).
 * Every replica may do this; a duplicate wake-up costs one claim that finds nothing.
 */
export async function notifyBackoffEnded(client: Queryable, since: Date): Promise<Date> {
  const { rows } = await client.query<{ now: Date }>(
    `WITH t AS (SELECT clock_timestamp() AS now),
     ended AS (
       SELECT DISTINCT namespace FROM runs
       WHERE status = 'QUEUED' AND not_before > $1 AND not_before <= (SELECT now FROM t)
     ), woken AS (SELECT pg_notify($2, namespace) FROM ended)
     SELECT now FROM t WHERE (SELECT count(*) FROM woken) >= 0`,
    [since, CHANNELS.runQueued],
  );
  return rows[0]?.now ?? since;
}

/**
 * Shard groups that could not be placed in time: some shard has been held (assigned, waiting for
 * the rest of its group) for longer than `holdMs`. Returns the unfinished runs of those groups,
 * which the caller ends, so held shards never keep runner slots forever (two partly placed groups
 * waiting for each other's runners would otherwise never start).
 */
export async function unplacedShardRuns(client: Queryable, holdMs: number, limit = 500): Promise<RunRecord[]> {
  const { rows } = await client.query(
    `SELECT ${RUN_COLUMNS} FROM runs
     WHERE status <> 'FINISHED' AND shard_group_id IN (
       SELECT DISTINCT shard_group_id FROM runs
       WHERE shard_group_id IS NOT NULL AND released_at IS NULL AND status = 'ASSIGNED'
         AND assigned_at < clock_timestamp() - make_interval(secs => $1::double precision / 1000)
     )
     ORDER BY shard_group_id, shard_index LIMIT $2`,
    [holdMs, limit],
  );
  return rows.map(runFromRow);
}
