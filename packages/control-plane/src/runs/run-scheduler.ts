import { randomUUID } from "node:crypto";
import {
  lockLiveTest,
  type NewRun,
  type RunRecord,
  type RunsRepository,
  type RunTrigger,
  type TestRecord,
  withPgTransaction,
} from "@tstr/db";
import {
  applyExecutor,
  DEFAULT_TIMEOUT_MS,
  decideConcurrency,
  type ExecutorSpec,
  expandMatrix,
  type Labels,
  type Matrix,
  REPLACED_REASON,
  ValidationError,
  validateLabels,
} from "@tstr/domain";
import type pg from "pg";
import { NotFoundError } from "../errors.js";
import type { ExecutorLookup } from "../tests/test-catalog.js";
import type { RunLifecycle } from "./run-lifecycle.js";

/** A test names an executor that was deleted after the test was registered. */
export class MissingExecutorError extends Error {
  override readonly name = "MissingExecutorError";
  constructor(test: TestRecord, executor: string) {
    super(
      `test "${test.spec.namespace}/${test.spec.name}" names executor "${executor}", which no longer exists; ` +
        "apply the executor again or change the test's executor",
    );
  }
}

/** Options of one schedule of a test. */
export interface ScheduleOptions {
  /** Laid over the test's labels for these runs. */
  labels?: Labels;
  /** Replaces the test's matrix for these runs. */
  matrix?: Matrix;
  trigger?: RunTrigger;
  /** The suite run these runs belong to. */
  suiteRunId?: string;
  /** The cron tick these runs are for (unique per test: a tick never runs twice). */
  cronFireAt?: Date;
}

/** What one schedule created: runs (none when the policy skipped), their matrix id, and why. */
export interface ScheduleOutcome {
  runs: RunRecord[];
  matrixId?: string;
  /** Set when the concurrency policy `forbid` skipped the schedule. */
  skippedReason?: string;
  /** Runs cancelled because the policy is `replace`. */
  replacedRunIds: string[];
}

/**
 * Turns a test into queued runs: one, or one per matrix combination (sharing a matrix id), each
 * with a snapshot of the test's run config and labels as they are now; a sharded k6 test gets
 * one run per shard (per combination), sharing a shard group. The test's concurrency
 * policy is applied under the test's row lock, so two schedules of one test (a cron tick on one
 * replica, a manual run on another) see each other: `forbid` never queues beside an active run
 * and `replace` cancels exactly the runs it saw. A test naming an executor gets the executor's
 * image, command and env filled into its runs' snapshot (applyExecutor).
 */
export function createRunScheduler(deps: {
  pool: pg.Pool;
  runs: RunsRepository;
  lifecycle: RunLifecycle;
  /** Resolves the executor a test names; without it, run configs are used as the test has them. */
  executors?: ExecutorLookup;
}) {
  /** The executor of each test that names one; one lookup per executor within a batch. */
  async function resolveExecutors(
    tests: readonly TestRecord[],
    client: pg.PoolClient,
  ): Promise<Map<string, ExecutorSpec>> {
    const byKey = new Map<string, ExecutorSpec>();
    const resolved = new Map<string, ExecutorSpec>();
    for (const test of tests) {
      const name = test.spec.executor;
      if (!name || !deps.executors) continue;
      const key = `${test.spec.namespace}/${name}`;
      let executor = byKey.get(key);
      if (!executor) {
        executor = await deps.executors(test.spec.namespace, name, client);
        if (!executor) throw new MissingExecutorError(test, name);
        byKey.set(key, executor);
      }
      resolved.set(test.id, executor);
    }
    return resolved;
  }

  const newRunsFor = (
    test: TestRecord,
    opts: ScheduleOptions,
    executor: ExecutorSpec | undefined,
  ): { runs: NewRun[]; matrixId?: string } => {
    const overrides = opts.labels ?? {};
    const problems = validateLabels(overrides, "labels");
    if (problems.length) throw new ValidationError(problems);
    const base = { ...test.spec.labels, ...overrides };
    const matrix = opts.matrix ?? test.spec.matrix;
    const combinations = matrix ? expandMatrix(matrix, base) : [base];
    const matrixId = matrix ? randomUUID() : undefined;
    const own = executor ? applyExecutor(test.spec.runConfig, executor) : test.spec.runConfig;
    const runConfig = { ...own, timeoutMs: own.timeoutMs ?? DEFAULT_TIMEOUT_MS };
    const shards = test.spec.shards ?? 1;
    const runs = combinations.flatMap((labels) => {
      const run: NewRun = {
        namespace: test.spec.namespace,
        testId: test.id,
        testName: test.spec.name,
        labels,
        runConfig,
        executor: test.spec.executor,
        matrixId,
        suiteRunId: opts.suiteRunId,
        trigger: opts.trigger ?? "manual",
        retry: test.spec.retry,
        cronFireAt: opts.cronFireAt,
        resourcesFactor: test.spec.resources.factor,
      };
      if (shards <= 1) return [run];
      // A distributed k6 run: one run per execution segment, sharing a group that starts together.
      // A shard is never retried alone: it would run after the others, and the merged rates and
      // thresholds would judge a load the test never applied.
      const shardGroupId = randomUUID();
      return Array.from({ length: shards }, (_, shardIndex) => ({
        ...run,
        retry: { ...run.retry, maxAttempts: 1 },
        shardGroupId,
        shardIndex,
        shardCount: shards,
      }));
    });
    return { runs, matrixId };
  };

  /** Schedules inside the caller's transaction, which must already hold the test's row lock. */
  async function scheduleLocked(
    test: TestRecord,
    opts: ScheduleOptions,
    client: pg.PoolClient,
  ): Promise<ScheduleOutcome> {
    const planned = newRunsFor(test, opts, (await resolveExecutors([test], client)).get(test.id));
    if (test.spec.concurrencyPolicy === "allow") {
      return {
        runs: await deps.runs.insertQueued(planned.runs, client),
        matrixId: planned.matrixId,
        replacedRunIds: [],
      };
    }
    // Locked, so none of them can finish (or be cancelled) between the decision and the cancel.
    const active = await deps.runs.lockActiveOfTest(test.id, client);
    const decision = decideConcurrency(test.spec.concurrencyPolicy, active);
    if (decision.action === "skip") return { runs: [], skippedReason: decision.reason, replacedRunIds: [] };
    for (const id of decision.cancel) await deps.lifecycle.cancel(id, { reason: REPLACED_REASON, client });
    return {
      runs: await deps.runs.insertQueued(planned.runs, client),
      matrixId: planned.matrixId,
      replacedRunIds: decision.cancel,
    };
  }

  return {
    /**
     * Schedules a test now (manual, suite or matrix runs). The test is re-read under its row
     * lock, so the policy and snapshot are those of the definition as it is at this instant.
     */
    async schedule(test: TestRecord, opts: ScheduleOptions = {}): Promise<ScheduleOutcome> {
      return withPgTransaction(deps.pool, async (client) => {
        const current = await lockLiveTest(client, test.id);
        if (!current) {
          throw new NotFoundError(`test "${test.spec.namespace}/${test.spec.name}" was deleted`);
        }
        return scheduleLocked(current, opts, client);
      });
    },
    scheduleLocked,

    /**
     * Queues the runs of many locked tests in the caller's transaction (the cron loop's batch):
     * tests that allow concurrent runs share one INSERT; the others go through their policy one
     * by one. Returns each test's outcome in input order.
     */
    async scheduleManyLocked(
      items: readonly { test: TestRecord; opts: ScheduleOptions }[],
      client: pg.PoolClient,
    ): Promise<ScheduleOutcome[]> {
      const outcomes: ScheduleOutcome[] = items.map(() => ({ runs: [], replacedRunIds: [] }));
      const shared: { index: number; runs: NewRun[]; matrixId?: string }[] = [];
      const executors = await resolveExecutors(
        items.map((item) => item.test),
        client,
      );
      for (const [index, { test, opts }] of items.entries()) {
        if (test.spec.concurrencyPolicy === "allow")
          shared.push({ index, ...newRunsFor(test, opts, executors.get(test.id)) });
        else outcomes[index] = await scheduleLocked(test, opts, client);
      }
      const inserted = await deps.runs.insertQueued(
        shared.flatMap((s) => s.runs),
        client,
      );
      const byTest = new Map<string | undefined, RunRecord[]>();
      for (const run of inserted) byTest.set(run.testId, [...(byTest.get(run.testId) ?? []), run]);
      for (const { index, matrixId } of shared) {
        outcomes[index] = { runs: byTest.get(items[index]?.test.id) ?? [], matrixId, replacedRunIds: [] };
      }
      return outcomes;
    },
  };
}

export type RunScheduler = ReturnType<typeof createRunScheduler>;
