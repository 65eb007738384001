import {
  EXECUTION_STALE,
  type ExecutionMetadata,
  fitsLocation,
  isUuid,
  type LocationOccupant,
  locationFullMessage,
  type RunResult,
} from "@tstr/domain";
import type pg from "pg";
import { NotFoundError } from "./errors.js";
import { CHANNELS } from "./notify.js";
import { LOCATION_LOAD_PREDICATE, lockLocationBudget } from "./runs/location-lock.js";
import { type Queryable, withPgTransaction } from "./runs/pg-transaction.js";
import { RUN_COLUMNS, type RunRecord, runFromRow } from "./runs/run-record.js";

/** What RegisterExecution stores: validated, resolved metadata (see resolveExecutionMetadata). */
export interface NewExecution {
  namespace: string;
  metadata: ExecutionMetadata;
  labels: Record<string, string>;
}

/** How a caller says an execution ended. */
export interface ExecutionCompletion {
  result: Extract<RunResult, "PASS" | "FAIL" | "CANCELLED">;
  reason?: string;
  resultData?: Record<string, string>;
}

/**
 * An execution's factor does not fit its location: `occupants` are the runs (external or not)
 * holding the capacity. The message names every occupant; an edge that must hide other
 * namespaces builds its own with locationFullMessage.
 */
export class LocationFullError extends Error {
  override readonly name = "LocationFullError";
  constructor(
    readonly location: string,
    readonly needed: number,
    readonly occupants: LocationOccupant[],
  ) {
    super(locationFullMessage({ location, needed, occupants, namespace: "", canSee: () => true, now: new Date() }));
  }
}

/** The run is not a running external execution (finished already, or one of tstr's own runs). */
export class ExecutionStateError extends Error {
  override readonly name = "ExecutionStateError";
  constructor(
    message: string,
    readonly run: RunRecord,
  ) {
    super(message);
  }
}

/**
 * External executions: runs registered from outside tstr. Each is an ordinary `runs` row
 * (external, trigger 'external', RUNNING from registration to completion), so history, queries,
 * statistics and row triggers treat it like any run.
 */
export interface ExecutionsRepository {
  /**
   * Records a running execution with the namespace's next run number. A factored one is admitted
   * only if it fits its location: under the same per-location advisory lock and over the same
   * rows as the claim of factored tstr runs, so neither can over-commit the other, on any
   * replica. LocationFullError when it does not fit (nothing is written, no number is used).
   */
  register(execution: NewExecution): Promise<RunRecord>;
  /**
   * Ends a running external execution with the caller's result. NotFoundError for an unknown
   * run (or one of another namespace); ExecutionStateError when it is not running or not external.
   */
  complete(namespace: string, runId: string, completion: ExecutionCompletion): Promise<RunRecord>;
  /** Ends a running external execution CANCELLED; errors as {@link ExecutionsRepository.complete}. */
  cancel(namespace: string, runId: string, reason?: string): Promise<RunRecord>;
  /** Ends ERROR (EXECUTION_STALE) up to `limit` running executions past their deadline; see endStaleExecutions. */
  endStale(limit?: number): Promise<RunRecord[]>;
}

const NO_RETRY = JSON.stringify({ maxAttempts: 1, on: [], backoffMs: 0 });

/** Builds the executions repository over a pg pool. */
export function createExecutionsRepository(pool: pg.Pool): ExecutionsRepository {
  return {
    register: (execution) =>
      withPgTransaction(pool, async (client) => {
        const { namespace, metadata } = execution;
        if (metadata.factor && metadata.location) await admit(client, metadata.location, metadata.factor);
        // After the admission: a refused registration rolls back before it takes a number.
        const { rows: counter } = await client.query(
          `INSERT INTO execution_counters (namespace) VALUES ($1)
           ON CONFLICT (namespace) DO UPDATE SET next = execution_counters.next + 1 RETURNING next`,
          [namespace],
        );
        const runConfig = { image: "", command: "", args: [], env: {}, files: [], timeoutMs: metadata.timeoutMs };
        const { rows } = await client.query(
          `INSERT INTO runs (namespace, test_id, test_name, labels, run_config, trigger, status, attempt, max_attempts,
             retry, external, run_number, execution, location, resources_factor, scheduled_at, started_at, deadline_at)
           VALUES ($1, (SELECT id FROM tests WHERE namespace = $1 AND name = $2 AND archived_at IS NULL), $2, $3, $4,
             'external', 'RUNNING', 1, 1, $5, true, $6, $7, $8, $9, statement_timestamp(), statement_timestamp(),
             statement_timestamp() + make_interval(secs => $10::double precision / 1000))
           RETURNING ${RUN_COLUMNS}`,
          [
            namespace,
            metadata.test,
            JSON.stringify(execution.labels),
            JSON.stringify(runConfig),
            NO_RETRY,
            counter[0].next,
            JSON.stringify(metadata),
            metadata.location ?? null,
            metadata.factor ?? null,
            metadata.timeoutMs,
          ],
        );
        return runFromRow(rows[0]);
      }),

    complete: (namespace, runId, completion) =>
      finishExecution(pool, namespace, runId, "complete", completion.result, completion.reason, completion.resultData),

    cancel: (namespace, runId, reason) => finishExecution(pool, namespace, runId, "cancel", "CANCELLED", reason),

    endStale: (limit) => endStaleExecutions(pool, limit),
  };
}

/**
 * Ends ERROR with reason EXECUTION_STALE the running external executions whose deadline
 * (registration + declared timeout) has passed: nobody reported how they ended. Rows another
 * replica's reaper holds are skipped, and each row is re-checked as running, so an execution
 * completed meanwhile keeps its result. Frees the capacity they held (waking waiting runners).
 */
export async function endStaleExecutions(pool: pg.Pool, limit = 100): Promise<RunRecord[]> {
  return withPgTransaction(pool, async (client) => {
    const { rows } = await client.query(
      `UPDATE runs SET status = 'FINISHED', result = 'ERROR', result_reason = $2, finished_at = statement_timestamp()
       WHERE status = 'RUNNING' AND id IN (
         SELECT id FROM runs WHERE external AND status = 'RUNNING' AND deadline_at < statement_timestamp()
         ORDER BY deadline_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING ${RUN_COLUMNS}`,
      [limit, EXECUTION_STALE],
    );
    const ended = rows.map(runFromRow);
    await announceEnded(client, ended);
    return ended;
  });
}

/**
 * Takes the location's advisory lock and refuses the factor if it does not fit. The lock key and
 * the counted rows are exactly those of the claim of factored tstr runs (run-claims.ts), and the
 * sum is read in a statement after the lock, so it sees every admission committed before.
 */
async function admit(client: pg.PoolClient, location: string, factor: number): Promise<void> {
  await lockLocationBudget(client, location);
  const { rows } = await client.query(
    `SELECT id, namespace, test_name, run_number, resources_factor::float8 AS factor, external,
       coalesce(started_at, assigned_at) AS since
     FROM runs WHERE ${LOCATION_LOAD_PREDICATE}
     ORDER BY since, id`,
    [location],
  );
  const occupants: LocationOccupant[] = rows.map((r) => ({
    runId: r.id,
    namespace: r.namespace,
    testName: r.test_name,
    ...(r.run_number === null ? {} : { runNumber: Number(r.run_number) }),
    factor: r.factor,
    external: r.external,
    ...(r.since === null ? {} : { since: r.since }),
  }));
  const used = occupants.reduce((sum, o) => sum + o.factor, 0);
  if (!fitsLocation(used, factor)) throw new LocationFullError(location, factor, occupants);
}

async function finishExecution(
  pool: pg.Pool,
  namespace: string,
  runId: string,
  action: "complete" | "cancel",
  result: RunResult,
  reason?: string,
  resultData: Record<string, string> = {},
): Promise<RunRecord> {
  if (!isUuid(runId)) throw new NotFoundError("run", `"${runId}" in namespace "${namespace}"`);
  return withPgTransaction(pool, async (client) => {
    // A conditional update: of a completion, a cancel and the reaper racing, exactly one wins.
    const { rows } = await client.query(
      `UPDATE runs SET status = 'FINISHED', result = $3, result_reason = $4, finished_at = statement_timestamp(),
         result_data = result_data || $5::jsonb
       WHERE id = $1 AND namespace = $2 AND external AND status = 'RUNNING'
       RETURNING ${RUN_COLUMNS}`,
      [runId, namespace, result, reason || null, JSON.stringify(resultData)],
    );
    if (!rows[0]) throw await whyNotRunning(client, namespace, runId, action);
    const run = runFromRow(rows[0]);
    await announceEnded(client, [run]);
    return run;
  });
}

/** The error for a run that the conditional update did not match, naming its current state. */
async function whyNotRunning(
  client: Queryable,
  namespace: string,
  runId: string,
  action: "complete" | "cancel",
): Promise<Error> {
  const { rows } = await client.query(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1 AND namespace = $2`, [
    runId,
    namespace,
  ]);
  if (!rows[0]) return new NotFoundError("run", `"${runId}" in namespace "${namespace}"`);
  const run = runFromRow(rows[0]);
  if (!run.external) {
    return new ExecutionStateError(
      `run ${runId} (${run.testName}) was scheduled by tstr, not registered with RegisterExecution; ` +
        `only external executions can be ${action === "complete" ? "completed" : "cancelled"} here` +
        " (use CancelRun to stop a tstr run)",
      run,
    );
  }
  const name = `execution #${run.runNumber} (run ${runId}, ${run.testName})`;
  const ended =
    run.status === "FINISHED"
      ? `already finished ${run.result}${run.resultReason ? ` (${run.resultReason})` : ""}`
      : `is ${run.status}`;
  const at = run.finishedAt ? ` at ${run.finishedAt.toISOString()}` : "";
  return new ExecutionStateError(
    `${name} ${ended}${at}; it cannot be ${action === "complete" ? "completed" : "cancelled"} again`,
    run,
  );
}

/**
 * Tells log tails and watchers that these runs changed, and wakes runners waiting for capacity at
 * the locations the factored ones held (on commit, on every replica).
 */
async function announceEnded(client: pg.PoolClient, runs: readonly RunRecord[]): Promise<void> {
  for (const run of runs) await client.query("SELECT pg_notify($1, $2)", [CHANNELS.runProgress, run.id]);
  const namespaces = new Set(runs.filter((r) => r.resourcesFactor !== undefined).map((r) => r.namespace));
  for (const namespace of namespaces) await client.query("SELECT pg_notify($1, $2)", [CHANNELS.runQueued, namespace]);
}
