import {
  CHANNELS,
  isHeldShard,
  type RunRecord,
  type RunStateExtras,
  type RunsRepository,
  runStateOf,
  updateAttempt,
  withPgTransaction,
} from "@tstr/db";
import { type RetryOn, type RunEvent, type RunResult, shouldRetry, transition } from "@tstr/domain";
import type pg from "pg";
import { NotFoundError } from "../errors.js";

/** A report about an attempt the caller no longer holds (fencing). Maps to FailedPrecondition. */
export class StaleAttemptError extends Error {
  override readonly name = "StaleAttemptError";
}

/** Who may move a run: the runner holding this attempt (omit for server-side decisions). */
export interface RunGuard {
  attempt?: number;
  runnerId?: string;
}

const RETRY_CAUSE: Partial<Record<RunResult, RetryOn>> = { FAIL: "FAIL", ERROR: "ERROR" };

/** A guard for runner reports: the attempt always, the runner when the token is bound to one. */
export type HolderGuard = RunGuard & { attempt: number };

export interface RunLifecycleDeps {
  pool: pg.Pool;
  runs: RunsRepository;
  now: () => Date;
  /** Extra time the server allows beyond timeout + grace before it times a run out itself. */
  deadlineSlackMs: number;
  /**
   * Called once a change that finished a run has committed (not for changes made in a caller's
   * transaction); e.g. merges a distributed k6 run when its last shard finishes. Must not throw.
   */
  onFinished?: (run: RunRecord) => Promise<void>;
}

/** How long a run may take once started: its timeout plus the grace period for stopping it. */
export function runAllowanceMs(run: RunRecord): number {
  return (run.runConfig.timeoutMs ?? 0) + (run.runConfig.gracePeriodMs ?? 10_000);
}

/**
 * Every state change of a single run goes through here: the row is locked, the caller's attempt
 * is checked (a stale report is refused), the pure domain state machine decides the next state,
 * and the new state, the attempt record and a progress notification are written in one transaction.
 */
export function createRunLifecycle(deps: RunLifecycleDeps) {
  const { pool, runs, now } = deps;

  async function apply(
    runId: string,
    guard: RunGuard,
    decide: (run: RunRecord) => { event: RunEvent; extras?: RunStateExtras; attemptResult?: RunResult },
    inTransaction?: pg.PoolClient,
  ): Promise<RunRecord> {
    const body = async (client: pg.PoolClient) => {
      const run = await runs.lockById(runId, client);
      if (!run) throw new NotFoundError(`run "${runId}" not found`);
      if (guard.attempt !== undefined && guard.attempt !== run.attempt) {
        throw new StaleAttemptError(`run ${runId}: attempt ${guard.attempt} is stale (current attempt ${run.attempt})`);
      }
      if (guard.runnerId !== undefined) {
        if (run.runnerId !== guard.runnerId) throw new StaleAttemptError(`run ${runId} is not assigned to this runner`);
        if (run.status !== "ASSIGNED" && run.status !== "RUNNING" && run.status !== "CANCELLING") {
          throw new StaleAttemptError(`run ${runId} is ${run.status.toLowerCase()}; the runner no longer holds it`);
        }
      }
      const { event, extras = {}, attemptResult } = decide(run);
      let next: ReturnType<typeof transition>;
      try {
        next = transition(runStateOf(run), event);
      } catch (error) {
        throw new StaleAttemptError(`run ${runId}: ${(error as Error).message}`);
      }
      const updated = await runs.writeState(runId, next, extras, client);
      if (run.attempt > 0) {
        const finishedAttempt = next.status === "FINISHED" || (next.status === "QUEUED" && run.status !== "QUEUED");
        await updateAttempt(client, runId, run.attempt, {
          startedAt: extras.startedAt,
          finishedAt: finishedAttempt ? now() : undefined,
          result: attemptResult ?? (next.status === "FINISHED" ? next.result : undefined),
          reason: next.status === "FINISHED" || next.status === "QUEUED" ? next.reason : undefined,
        });
      }
      if (next.status === "CANCELLING" || (next.status === "FINISHED" && run.status !== "QUEUED" && run.runnerId)) {
        await client.query("SELECT pg_notify($1, $2)", [CHANNELS.runCancel, `${runId} ${run.runnerId ?? ""}`]);
      }
      return updated;
    };
    if (inTransaction) return body(inTransaction);
    const updated = await withPgTransaction(pool, body);
    if (updated.status === "FINISHED") await deps.onFinished?.(updated).catch(() => undefined);
    return updated;
  }

  return {
    /**
     * The runner started the attempt. Idempotent (a retried StartRun whose answer was lost succeeds
     * again). The server's deadline counts from the server's clock, not the runner's.
     */
    start: async (runId: string, guard: HolderGuard, _reportedStartedAt: Date) => {
      const current = await runs.getById(runId);
      if (
        current?.status === "RUNNING" &&
        current.attempt === guard.attempt &&
        current.runnerId === (guard.runnerId ?? current.runnerId)
      ) {
        return current;
      }
      return apply(runId, guard, (run) => {
        if (isHeldShard(run)) {
          throw new StaleAttemptError(
            `run ${runId} is shard ${(run.shardIndex ?? 0) + 1} of ${run.shardCount}: it starts when every shard is placed`,
          );
        }
        const startedAt = now();
        return {
          event: { type: "start" },
          extras: { startedAt, deadlineAt: new Date(startedAt.getTime() + runAllowanceMs(run) + deps.deadlineSlackMs) },
        };
      });
    },

    /**
     * The runner's report of how an attempt ended. When the retry policy covers the outcome (FAIL,
     * ERROR) and attempts remain, the run goes back to the queue (after its backoff) instead.
     */
    finish: (runId: string, guard: HolderGuard, outcome: { result: RunResult; reason?: string; exitCode?: number }) =>
      apply(runId, guard, (run) => {
        const cause = RETRY_CAUSE[outcome.result];
        const retry = run.status !== "CANCELLING" && cause !== undefined && shouldRetry(run.retry, run.attempt, cause);
        if (!retry) {
          return {
            event: { type: "finish", result: outcome.result, reason: outcome.reason },
            extras: { exitCode: outcome.exitCode },
          };
        }
        const backoff = run.retry.backoffMs;
        return {
          event: { type: "release", reason: `RETRY_AFTER_${cause}` },
          extras: { exitCode: outcome.exitCode, notBefore: backoff > 0 ? new Date(now().getTime() + backoff) : null },
          attemptResult: outcome.result,
        };
      }),

    /**
     * Cancels a run: a queued one ends at once; a held one is CANCELLING until its runner stops it,
     * and at the latest after its grace period (and slack), when the server ends it CANCELLED.
     */
    cancel: (runId: string, opts: { reason?: string; client?: pg.PoolClient } = {}) =>
      apply(
        runId,
        {},
        (run) => {
          // An external execution has no runner to stop it: recording the cancel ends it.
          if (run.external) return { event: { type: "finish", result: "CANCELLED", reason: opts.reason } };
          const stopBy = new Date(now().getTime() + (run.runConfig.gracePeriodMs ?? 10_000) + deps.deadlineSlackMs);
          const deadlineAt = run.deadlineAt && run.deadlineAt < stopBy ? run.deadlineAt : stopBy;
          return { event: { type: "cancel", reason: opts.reason }, extras: { cancelRequestedAt: now(), deadlineAt } };
        },
        opts.client,
      ),

    handBack: (runId: string, guard: HolderGuard, reason: string) =>
      apply(runId, guard, () => ({ event: { type: "release", reason } })),

    /** Server-side end of a run that cannot go on (e.g. its shard group could not be placed). */
    abandon: (runId: string, reason: string, opts: { unlessReleased?: boolean } = {}) =>
      apply(runId, {}, (run) => {
        // Re-checked under the row lock: a group released a moment ago is placed after all.
        if (opts.unlessReleased && run.releasedAt)
          throw new StaleAttemptError(`run ${runId}: its shard group was released`);
        return { event: { type: "finish", result: "ERROR", reason } };
      }),

    /** Server-side end of an overdue run (lease lost or deadline passed); used by the reaper. */
    expire: (run: RunRecord) =>
      apply(run.id, { attempt: run.attempt }, (current) => {
        if (current.deadlineAt && current.deadlineAt <= now()) {
          return current.status === "CANCELLING"
            ? { event: { type: "finish", result: "CANCELLED", reason: "STOP_DEADLINE" } }
            : { event: { type: "finish", result: "TIMED_OUT", reason: "DEADLINE" } };
        }
        if (current.leaseExpiresAt && current.leaseExpiresAt > now()) {
          throw new StaleAttemptError(`run ${run.id} is no longer overdue`);
        }
        return {
          event: { type: "lease_expired", canRetry: shouldRetry(current.retry, current.attempt, "RUNNER_LOST") },
        };
      }),
  };
}

export type RunLifecycle = ReturnType<typeof createRunLifecycle>;
