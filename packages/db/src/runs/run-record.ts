import type { ExecutionMetadata, RetryPolicy, RunConfig, RunResult, RunState, RunStatus } from "@tstr/domain";

/** How a run came to be. */
export type RunTrigger = "manual" | "cron" | "matrix" | "suite" | "retry" | "external";

/** A stored run: a snapshot of what to execute plus where it is in its lifecycle. */
export interface RunRecord {
  id: string;
  namespace: string;
  testId?: string;
  testName: string;
  labels: Record<string, string>;
  runConfig: RunConfig;
  executor?: string;
  matrixId?: string;
  suiteRunId?: string;
  trigger: RunTrigger;
  status: RunStatus;
  result?: RunResult;
  resultReason?: string;
  exitCode?: number;
  attempt: number;
  maxAttempts: number;
  retry: RetryPolicy;
  runnerId?: string;
  leaseExpiresAt?: Date;
  deadlineAt?: Date;
  cancelRequestedAt?: Date;
  notBefore?: Date;
  scheduledAt: Date;
  assignedAt?: Date;
  startedAt?: Date;
  finishedAt?: Date;
  resultData: Record<string, string>;
  /** The cron tick this run was created for (trigger "cron"). */
  cronFireAt?: Date;
  /** Share of its location's capacity (0 < f <= 1) while active. */
  resourcesFactor?: number;
  /** Location whose factor budget the run counts against (set when assigned). */
  location?: string;
  /** Distributed k6: the shard group, this run's index in it and the group's size (1 = not sharded). */
  shardGroupId?: string;
  shardIndex?: number;
  shardCount: number;
  /** When the shard's group was complete and its shards could start. */
  releasedAt?: Date;
  /** Registered through RegisterExecution (run outside tstr), not executed by a runner. */
  external: boolean;
  /** Human-friendly number, increasing per namespace (external executions). */
  runNumber?: number;
  /** What the caller said about an external execution. */
  execution?: ExecutionMetadata;
}

/** A shard assigned before its whole group was placed: it must not start yet. */
export function isHeldShard(run: Pick<RunRecord, "shardCount" | "releasedAt">): boolean {
  return run.shardCount > 1 && run.releasedAt === undefined;
}

/** What is written when runs are queued. */
export interface NewRun {
  namespace: string;
  testId?: string;
  testName: string;
  labels: Record<string, string>;
  runConfig: RunConfig;
  executor?: string;
  matrixId?: string;
  suiteRunId?: string;
  trigger: RunTrigger;
  retry: RetryPolicy;
  notBefore?: Date;
  cronFireAt?: Date;
  resourcesFactor?: number;
  shardGroupId?: string;
  shardIndex?: number;
  shardCount?: number;
}

/** Columns selected for every run read. */
export const RUN_COLUMNS = `id, namespace, test_id, test_name, labels, run_config, executor, matrix_id, suite_run_id,
  trigger, status, result, result_reason, exit_code, attempt, max_attempts, retry, runner_id, lease_expires_at,
  deadline_at, cancel_requested_at, not_before, scheduled_at, assigned_at, started_at, finished_at, result_data,
  cron_fire_at, resources_factor, location, shard_group_id, shard_index, shard_count, released_at, external,
  run_number, execution`;

// biome-ignore lint/suspicious/noExplicitAny: rows come from pg untyped
type Row = Record<string, any>;

const opt = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

/** Maps a `runs` row (RUN_COLUMNS) to a record. */
export function runFromRow(row: Row): RunRecord {
  return {
    id: row.id,
    namespace: row.namespace,
    testId: opt(row.test_id),
    testName: row.test_name,
    labels: row.labels ?? {},
    runConfig: row.run_config,
    executor: opt(row.executor),
    matrixId: opt(row.matrix_id),
    suiteRunId: opt(row.suite_run_id),
    trigger: row.trigger,
    status: row.status,
    result: opt(row.result),
    resultReason: opt(row.result_reason),
    exitCode: opt(row.exit_code),
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    retry: row.retry,
    runnerId: opt(row.runner_id),
    leaseExpiresAt: opt(row.lease_expires_at),
    deadlineAt: opt(row.deadline_at),
    cancelRequestedAt: opt(row.cancel_requested_at),
    notBefore: opt(row.not_before),
    scheduledAt: row.scheduled_at,
    assignedAt: opt(row.assigned_at),
    startedAt: opt(row.started_at),
    finishedAt: opt(row.finished_at),
    resultData: row.result_data ?? {},
    cronFireAt: opt(row.cron_fire_at),
    resourcesFactor: opt(row.resources_factor),
    location: opt(row.location),
    shardGroupId: opt(row.shard_group_id),
    shardIndex: opt(row.shard_index),
    shardCount: row.shard_count ?? 1,
    releasedAt: opt(row.released_at),
    external: row.external ?? false,
    // bigint arrives as text; run numbers stay far below 2^53.
    runNumber: row.run_number === null || row.run_number === undefined ? undefined : Number(row.run_number),
    execution: opt(row.execution),
  };
}

/** The lifecycle part of a record, as the domain state machine sees it. */
export function runStateOf(run: RunRecord): RunState {
  switch (run.status) {
    case "QUEUED":
      return { status: "QUEUED", attempt: run.attempt, ...(run.resultReason ? { reason: run.resultReason } : {}) };
    case "FINISHED":
      return {
        status: "FINISHED",
        attempt: run.attempt,
        result: run.result ?? "ERROR",
        ...(run.resultReason ? { reason: run.resultReason } : {}),
        ...(run.runnerId ? { runnerId: run.runnerId } : {}),
      };
    default:
      return {
        status: run.status,
        attempt: run.attempt,
        runnerId: run.runnerId ?? "",
        leaseUntil: run.leaseExpiresAt ?? new Date(0),
        ...(run.status === "CANCELLING" && run.resultReason ? { reason: run.resultReason } : {}),
      };
  }
}
