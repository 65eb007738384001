import { fitsLocation } from "@tstr/domain";
import type pg from "pg";
import { CHANNELS } from "../notify.js";
import { LOCATION_LOAD_PREDICATE, lockLocationBudget } from "./location-lock.js";
import { withPgTransaction } from "./pg-transaction.js";
import { RUN_COLUMNS, type RunRecord, runFromRow } from "./run-record.js";

/** What a claim needs to know about a queued run to decide whether this runner may take it. */
export interface ClaimCandidate {
  id: string;
  namespace: string;
  labels: Record<string, string>;
  executor?: string;
  /** Share of the location's capacity the run takes while active (0 < f <= 1). */
  resourcesFactor?: number;
}

export interface ClaimRequest {
  runnerId: string;
  /** At most this many runs are assigned (further bounded by the runner's free capacity). */
  slots: number;
  leaseMs: number;
  /** Placement decision (selectors, namespaces, executors), made by the caller. */
  accepts: (run: ClaimCandidate) => boolean;
  /** Deadline of an assigned run: time to start plus its timeout and grace. */
  deadlineFor: (run: RunRecord) => Date;
  /** How many queued runs one claim may look at before giving up (bounds a claim's cost). */
  scanLimit?: number;
}

const BATCH = 100;
// scheduled_at as text keeps microseconds (a JS Date would drop them and break the cursor).
const CANDIDATES = `SELECT id, namespace, labels, executor, resources_factor, shard_group_id,
  scheduled_at::text AS cursor_at FROM runs
  WHERE status = 'QUEUED' AND (not_before IS NULL OR not_before <= now())`;
const ORDER = `ORDER BY scheduled_at, id LIMIT ${BATCH}`;

/**
 * Claims up to `slots` queued runs for a runner in one transaction. The runs it accepts are locked
 * with FOR UPDATE SKIP LOCKED and re-checked as still queued, so concurrent claims on any replica
 * never take the same run and never wait for each other. Factored runs (resources_factor) are
 * taken only while the factors of the active runs at the runner's location stay within 1; the
 * location's budget is read and filled under a transaction-scoped advisory lock, so runners of
 * one location claiming at the same time on different replicas cannot over-commit it.
 */
export async function claimQueuedRuns(pool: pg.Pool, req: ClaimRequest): Promise<RunRecord[]> {
  if (req.slots <= 0) return [];
  return withPgTransaction(pool, async (client) => {
    // The runner row lock serialises claims for one runner (stream, polls, replicas), so its
    // capacity is counted and filled atomically.
    const { rows: runner } = await client.query(
      "SELECT capacity, name, labels->>'location' AS location FROM runners WHERE id = $1 FOR UPDATE",
      [req.runnerId],
    );
    // Counted in a statement of its own, after the lock: its snapshot then sees every claim
    // committed by whoever held the lock before (a subquery above would use a stale snapshot).
    const { rows: held } = await client.query(
      "SELECT count(*)::int AS active FROM runs WHERE runner_id = $1 AND status IN ('ASSIGNED', 'RUNNING', 'CANCELLING')",
      [req.runnerId],
    );
    const free = runner[0] ? runner[0].capacity - (held[0]?.active ?? 0) : 0;
    const slots = Math.min(req.slots, free);
    if (slots <= 0) return [];
    const location: string = runner[0].location ?? runnerLocation(runner[0].name);
    // Shards of one group go to different runners: a distributed run spreads its load.
    const { rows: heldGroups } = await client.query(
      `SELECT DISTINCT shard_group_id FROM runs
       WHERE runner_id = $1 AND shard_group_id IS NOT NULL AND status IN ('ASSIGNED', 'RUNNING', 'CANCELLING')`,
      [req.runnerId],
    );
    const groupsHere = new Set<string>(heldGroups.map((r) => r.shard_group_id as string));
    const budget = createLocationBudget(client, location);
    const chosen: string[] = [];
    let factoredBlocked = false;
    let cursor: { at: string; id: string } | undefined;
    let scanned = 0;
    while (chosen.length < slots && scanned < (req.scanLimit ?? 1000)) {
      // Candidates are read without locks and filtered by placement here; only the accepted ones
      // are then locked (SKIP LOCKED), so a claim never holds rows it will not take.
      const { rows } = cursor
        ? await client.query(`${CANDIDATES} AND (scheduled_at, id) > ($1::timestamptz, $2::uuid) ${ORDER}`, [
            cursor.at,
            cursor.id,
          ])
        : await client.query(`${CANDIDATES} ${ORDER}`);
      scanned += rows.length;
      const accepted = rows.filter(
        (row) =>
          !chosen.includes(row.id) &&
          !(row.shard_group_id && groupsHere.has(row.shard_group_id)) &&
          req.accepts({
            id: row.id,
            namespace: row.namespace,
            labels: row.labels,
            executor: row.executor ?? undefined,
            resourcesFactor: row.resources_factor ?? undefined,
          }),
      );
      const plain = accepted
        .filter((row) => row.resources_factor === null && !row.shard_group_id)
        .map((row) => row.id as string);
      if (plain.length) {
        const { rows: locked } = await client.query(
          `SELECT id FROM runs WHERE id = ANY($1::uuid[]) AND status = 'QUEUED'
           ORDER BY scheduled_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [plain, slots - chosen.length],
        );
        chosen.push(...locked.map((row) => row.id as string));
      }
      // Shards one by one: at most one of a group per runner, and a shard another claim holds
      // right now is skipped for its sibling rather than leaving this runner empty-handed.
      for (const row of accepted.filter((r) => r.resources_factor === null && r.shard_group_id)) {
        if (chosen.length >= slots) break;
        if (groupsHere.has(row.shard_group_id)) continue;
        const { rows: locked } = await client.query(
          "SELECT id FROM runs WHERE id = $1 AND status = 'QUEUED' FOR UPDATE SKIP LOCKED",
          [row.id],
        );
        if (locked.length) {
          chosen.push(row.id);
          groupsHere.add(row.shard_group_id);
        }
      }
      for (const row of accepted.filter((r) => r.resources_factor !== null)) {
        if (row.shard_group_id && groupsHere.has(row.shard_group_id)) continue;
        if (chosen.length >= slots || factoredBlocked) break;
        // Queue order: a factored run that does not fit holds back the later ones, so a stream of
        // small runs cannot starve a large one.
        if (!(await budget.fits(row.resources_factor))) {
          factoredBlocked = true;
          break;
        }
        const { rows: locked } = await client.query(
          "SELECT id FROM runs WHERE id = $1 AND status = 'QUEUED' FOR UPDATE SKIP LOCKED",
          [row.id],
        );
        if (locked.length) {
          chosen.push(row.id);
          budget.take(row.resources_factor);
          if (row.shard_group_id) groupsHere.add(row.shard_group_id);
        }
      }
      if (rows.length < BATCH) break;
      const last = rows[rows.length - 1];
      cursor = { at: last.cursor_at, id: last.id };
    }
    if (chosen.length === 0) return [];
    const { rows } = await client.query(
      `UPDATE runs SET status = 'ASSIGNED', attempt = attempt + 1, runner_id = $2, assigned_at = now(),
         lease_expires_at = now() + make_interval(secs => $3::double precision / 1000), result_reason = NULL,
         location = $4
       WHERE id = ANY($1::uuid[])
       RETURNING ${RUN_COLUMNS}`,
      [chosen, req.runnerId, req.leaseMs, location],
    );
    const released = await releaseCompleteShardGroups(client, rows);
    const runs = rows.map((row) => {
      const run = runFromRow(row);
      return run.shardGroupId && released.has(run.shardGroupId)
        ? { ...run, releasedAt: released.get(run.shardGroupId) }
        : run;
    });
    const deadlines = runs.map((run) => req.deadlineFor(run));
    await client.query(
      `UPDATE runs SET deadline_at = d.deadline FROM unnest($1::uuid[], $2::timestamptz[]) AS d(id, deadline)
       WHERE runs.id = d.id`,
      [runs.map((r) => r.id), deadlines],
    );
    await client.query(
      `INSERT INTO run_attempts (run_id, attempt, runner_id, assigned_at)
       SELECT id, attempt, runner_id, assigned_at FROM runs WHERE id = ANY($1::uuid[])
       ON CONFLICT (run_id, attempt) DO NOTHING`,
      [runs.map((r) => r.id)],
    );
    return runs.map((run, i) => ({ ...run, deadlineAt: deadlines[i] }));
  });
}

/** The location of a runner without a `location` label: the runner alone. */
function runnerLocation(runnerName: string): string {
  return `runner/${runnerName}`;
}

function createLocationBudget(client: pg.PoolClient, location: string) {
  let used: number | undefined;
  return {
    async fits(factor: number): Promise<boolean> {
      if (used === undefined) {
        await lockLocationBudget(client, location);
        const { rows } = await client.query(
          `SELECT coalesce(sum(resources_factor), 0)::float8 AS used FROM runs WHERE ${LOCATION_LOAD_PREDICATE}`,
          [location],
        );
        used = Number(rows[0]?.used ?? 0);
      }
      return fitsLocation(used, factor);
    },
    take(factor: number) {
      used = (used ?? 0) + factor;
    },
  };
}

/**
 * Releases the shard groups this claim completed: once no shard of a group is still queued, every
 * shard is marked released and the runners holding them are woken (their stream or heartbeat then
 * tells them to start). Groups are locked in id order with a transaction-scoped advisory lock and
 * counted in a statement of their own, so two claims taking a group's last shards at the same time
 * on different replicas cannot both miss the release.
 */
async function releaseCompleteShardGroups(
  client: pg.PoolClient,
  claimed: readonly { shard_group_id: string | null }[],
): Promise<Map<string, Date>> {
  const groups = [...new Set(claimed.map((r) => r.shard_group_id).filter((g): g is string => g !== null))].sort();
  const released = new Map<string, Date>();
  for (const group of groups) {
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`tstr.shards:${group}`]);
    const { rows } = await client.query(
      `UPDATE runs SET released_at = statement_timestamp()
       WHERE shard_group_id = $1 AND released_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM runs q WHERE q.shard_group_id = $1 AND q.status = 'QUEUED')
       RETURNING id, released_at`,
      [group],
    );
    if (rows.length === 0) continue;
    released.set(group, rows[0].released_at);
    for (const row of rows) await client.query("SELECT pg_notify($1, $2)", [CHANNELS.runProgress, row.id]);
  }
  return released;
}
