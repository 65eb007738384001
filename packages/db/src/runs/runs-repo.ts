import type { RunState } from "@tstr/domain";
import type pg from "pg";
import { CHANNELS } from "../notify.js";
import type { Queryable } from "./pg-transaction.js";
import { type NewRun, RUN_COLUMNS, type RunRecord, runFromRow } from "./run-record.js";

/** Extra facts written together with a state change. */
export interface RunStateExtras {
  startedAt?: Date;
  finishedAt?: Date;
  exitCode?: number;
  deadlineAt?: Date;
  cancelRequestedAt?: Date;
  notBefore?: Date | null;
}

/** Runs: queueing, reads and state writes. Hot paths use raw SQL on the pool or a transaction. */
export interface RunsRepository {
  /**
   * Queues runs in one statement and wakes dispatchers on every replica (on commit). A run for a
   * cron tick that already has one is dropped, so the result can be shorter than the input.
   */
  insertQueued(runs: NewRun[], client?: Queryable): Promise<RunRecord[]>;
  getById(id: string, client?: Queryable): Promise<RunRecord | undefined>;
  /** Reads a run and locks its row until the transaction ends. */
  lockById(id: string, client: pg.PoolClient): Promise<RunRecord | undefined>;
  /** Persists a state from the domain state machine, plus extras. */
  writeState(id: string, state: RunState, extras: RunStateExtras, client: Queryable): Promise<RunRecord>;
  /** Adds result data (later keys win). */
  mergeResultData(id: string, data: Record<string, string>, client?: Queryable): Promise<void>;
  /**
   * Locks the active runs (queued, assigned, running, cancelling) of a test until the
   * transaction ends and returns their ids, oldest first; what the concurrency policy looks at.
   */
  lockActiveOfTest(testId: string, client: pg.PoolClient): Promise<string[]>;
  /** Ids of the unfinished runs of a shard group, in shard order. */
  unfinishedOfShardGroup(shardGroupId: string, client?: Queryable): Promise<string[]>;
  /** Active runs (assigned, running, cancelling) of a runner. */
  activeForRunner(runnerId: string, client?: Queryable): Promise<RunRecord[]>;
}

/** Builds the runs repository over a pg pool. */
export function createRunsRepository(pool: pg.Pool): RunsRepository {
  return {
    async insertQueued(runs, client = pool) {
      if (runs.length === 0) return [];
      const payload = runs.map((r) => ({
        namespace: r.namespace,
        test_id: r.testId ?? null,
        test_name: r.testName,
        labels: r.labels,
        run_config: r.runConfig,
        executor: r.executor ?? null,
        matrix_id: r.matrixId ?? null,
        suite_run_id: r.suiteRunId ?? null,
        trigger: r.trigger,
        max_attempts: r.retry.maxAttempts,
        retry: r.retry,
        not_before: r.notBefore?.toISOString() ?? null,
        cron_fire_at: r.cronFireAt?.toISOString() ?? null,
        resources_factor: r.resourcesFactor ?? null,
        shard_group_id: r.shardGroupId ?? null,
        shard_index: r.shardIndex ?? null,
        shard_count: r.shardCount ?? 1,
      }));
      const { rows } = await client.query(
        `WITH inserted AS (
           INSERT INTO runs (namespace, test_id, test_name, labels, run_config, executor, matrix_id, suite_run_id,
                             trigger, max_attempts, retry, not_before, cron_fire_at, resources_factor,
                             shard_group_id, shard_index, shard_count)
           SELECT namespace, test_id, test_name, labels, run_config, executor, matrix_id, suite_run_id,
                  trigger, max_attempts, retry, not_before, cron_fire_at, resources_factor,
                  shard_group_id, shard_index, shard_count
           FROM jsonb_to_recordset($1::jsonb) AS x(namespace text, test_id uuid, test_name text, labels jsonb,
             run_config jsonb, executor text, matrix_id uuid, suite_run_id uuid, trigger text, max_attempts int,
             retry jsonb, not_before timestamptz, cron_fire_at timestamptz, resources_factor double precision,
             shard_group_id uuid, shard_index int, shard_count int)
           -- A cron tick that already has its run (unique test_id, cron_fire_at) is not queued twice.
           ON CONFLICT DO NOTHING
           RETURNING ${RUN_COLUMNS}
         ),
         -- One notification per namespace: a payload must stay under 8000 bytes however many
         -- namespaces one insert touches (the cron loop queues many tests at once).
         woken AS (SELECT pg_notify($2, namespace) FROM (SELECT DISTINCT namespace FROM inserted) AS n)
         SELECT * FROM inserted WHERE (SELECT count(*) FROM woken) >= 0`,
        [JSON.stringify(payload), CHANNELS.runQueued],
      );
      return rows.map(runFromRow);
    },

    async unfinishedOfShardGroup(shardGroupId, client = pool) {
      const { rows } = await client.query(
        "SELECT id FROM runs WHERE shard_group_id = $1 AND status <> 'FINISHED' ORDER BY shard_index",
        [shardGroupId],
      );
      return rows.map((r) => r.id as string);
    },

    async lockActiveOfTest(testId, client) {
      // Locked in id order (so two lockers cannot deadlock), returned in queue order. External
      // executions are records of work tstr neither starts nor stops: policies do not see them.
      const { rows } = await client.query(
        `SELECT id, scheduled_at FROM runs
         WHERE test_id = $1 AND NOT external AND status IN ('QUEUED', 'ASSIGNED', 'RUNNING', 'CANCELLING')
         ORDER BY id FOR UPDATE`,
        [testId],
      );
      return rows.sort((a, b) => a.scheduled_at - b.scheduled_at || (a.id < b.id ? -1 : 1)).map((r) => r.id as string);
    },

    async getById(id, client = pool) {
      const { rows } = await client.query(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [id]);
      return rows[0] ? runFromRow(rows[0]) : undefined;
    },

    async lockById(id, client) {
      const { rows } = await client.query(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1 FOR UPDATE`, [id]);
      return rows[0] ? runFromRow(rows[0]) : undefined;
    },

    async writeState(id, state, extras, client) {
      const held = state.status === "ASSIGNED" || state.status === "RUNNING" || state.status === "CANCELLING";
      const { rows } = await client.query(
        `UPDATE runs SET
           status = $2, attempt = $3,
           runner_id = CASE WHEN $4::boolean THEN $5::uuid WHEN $2 = 'QUEUED' THEN NULL ELSE runner_id END,
           lease_expires_at = CASE WHEN $4::boolean THEN $6::timestamptz ELSE NULL END,
           result = $7, result_reason = $8,
           started_at = COALESCE($9, started_at),
           finished_at = COALESCE($10, finished_at),
           exit_code = COALESCE($11, exit_code),
           deadline_at = CASE WHEN $2 = 'QUEUED' THEN NULL ELSE COALESCE($12, deadline_at) END,
           cancel_requested_at = COALESCE($13, cancel_requested_at),
           not_before = CASE WHEN $14::boolean THEN $15::timestamptz ELSE not_before END
         WHERE id = $1
         RETURNING ${RUN_COLUMNS}`,
        [
          id,
          state.status,
          state.attempt,
          held,
          held ? state.runnerId : null,
          held ? state.leaseUntil : null,
          state.status === "FINISHED" ? state.result : null,
          state.status === "FINISHED" || state.status === "QUEUED" || state.status === "CANCELLING"
            ? (state.reason ?? null)
            : null,
          extras.startedAt ?? null,
          extras.finishedAt ?? (state.status === "FINISHED" ? new Date() : null),
          extras.exitCode ?? null,
          extras.deadlineAt ?? null,
          extras.cancelRequestedAt ?? null,
          extras.notBefore !== undefined,
          extras.notBefore ?? null,
        ],
      );
      await client.query("SELECT pg_notify($1, $2)", [CHANNELS.runProgress, id]);
      // Back in the queue (retry, hand-back, lost runner): wake waiting runners at once.
      // A factored run ending frees budget at its location: runners there may now take queued runs.
      const freesLocation = state.status === "FINISHED" && rows[0].resources_factor !== null;
      if (state.status === "QUEUED" || freesLocation)
        await client.query("SELECT pg_notify($1, $2)", [CHANNELS.runQueued, rows[0].namespace]);
      return runFromRow(rows[0]);
    },

    async mergeResultData(id, data, client = pool) {
      if (Object.keys(data).length === 0) return;
      await client.query("UPDATE runs SET result_data = result_data || $2::jsonb WHERE id = $1", [
        id,
        JSON.stringify(data),
      ]);
    },

    async activeForRunner(runnerId, client = pool) {
      const { rows } = await client.query(
        `SELECT ${RUN_COLUMNS} FROM runs WHERE runner_id = $1 AND status IN ('ASSIGNED', 'RUNNING', 'CANCELLING')`,
        [runnerId],
      );
      return rows.map(runFromRow);
    },
  };
}
