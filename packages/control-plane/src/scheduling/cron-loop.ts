import { earliestDueTime, lockDueTests, setNextRunTimes, type TestRecord, withPgTransaction } from "@tstr/db";
import { DEFAULT_CATCH_UP_GRACE_MS, type DueTickPlan, planDueTick } from "@tstr/domain";
import type pg from "pg";
import type { Logger } from "../logging/logger.js";
import type { RunScheduler, ScheduleOutcome } from "../runs/run-scheduler.js";

export interface CronLoopOptions {
  /** Longest sleep between looks for due tests (default 1 s); the loop also wakes for the next tick. */
  pollMs?: number;
  /** Most due tests fired in one transaction (default 500). */
  batchSize?: number;
  /** How late a tick may be and still run as itself; later ticks collapse (default 5 s). */
  catchUpGraceMs?: number;
}

export interface CronLoopDeps {
  pool: pg.Pool;
  scheduler: RunScheduler;
  logger: Logger;
}

/**
 * The cron scheduler of one replica. Every replica runs it: due tests are locked with
 * FOR UPDATE SKIP LOCKED and their runs queued and next tick stored in the same transaction, so
 * N replicas never create a run twice, and the unique (test, tick, combination) index backs that
 * up. Between batches it sleeps until the earliest next tick (at most `pollMs`). A test whose
 * schedule cannot be evaluated is logged and unscheduled, a test whose runs cannot be queued
 * skips that tick, and a failing pass is retried after a pause: no input makes the loop spin or
 * stop.
 */
export function startCronLoop(deps: CronLoopDeps, options: CronLoopOptions = {}) {
  const { pool, scheduler, logger } = deps;
  const pollMs = options.pollMs ?? 1_000;
  const batchSize = options.batchSize ?? 500;
  const graceMs = options.catchUpGraceMs ?? DEFAULT_CATCH_UP_GRACE_MS;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  const fireDueBatch = () =>
    withPgTransaction(pool, async (client) => {
      const { now, tests: due } = await lockDueTests(client, batchSize);
      const fired: { test: TestRecord; plan: DueTickPlan }[] = [];
      const next: { id: string; nextRunAt: Date | undefined }[] = [];
      const plans = new Map<string, DueTickPlan>();
      for (const test of due) {
        const plan = planFor(test, now, plans);
        next.push({ id: test.id, nextRunAt: plan?.nextRunAt });
        if (plan) fired.push({ test, plan });
      }
      const outcomes = await scheduleBatch(client, fired);
      await setNextRunTimes(client, next);
      if (due.length) {
        const runs = outcomes.reduce((sum, outcome) => sum + (outcome instanceof Error ? 0 : outcome.runs.length), 0);
        logger.debug("cron batch fired", { due: due.length, runs });
      }
      for (const [i, outcome] of outcomes.entries()) report(fired[i] as (typeof fired)[number], outcome);
      return due.length;
    });

  /**
   * Queues the runs of a batch in one go; if that fails (one test's runs cannot be built or
   * queued), each test is retried under its own savepoint, so only the broken test misses its
   * tick — its next tick is stored all the same, so it can never block the loop.
   */
  async function scheduleBatch(
    client: pg.PoolClient,
    fired: readonly { test: TestRecord; plan: DueTickPlan }[],
  ): Promise<(ScheduleOutcome | Error)[]> {
    const items = fired.map(({ test, plan }) => ({
      test,
      opts: { trigger: "cron" as const, cronFireAt: plan.fireAt },
    }));
    try {
      return await underSavepoint(client, () => scheduler.scheduleManyLocked(items, client));
    } catch {
      const outcomes: (ScheduleOutcome | Error)[] = [];
      for (const item of items) {
        try {
          const [outcome] = await underSavepoint(client, () => scheduler.scheduleManyLocked([item], client));
          outcomes.push(outcome ?? { runs: [], replacedRunIds: [] });
        } catch (error) {
          outcomes.push(error instanceof Error ? error : new Error(String(error)));
        }
      }
      return outcomes;
    }
  }

  function report({ test, plan }: { test: TestRecord; plan: DueTickPlan }, outcome: ScheduleOutcome | Error) {
    if (outcome instanceof Error) {
      logger.error("cron tick could not be scheduled; the test skips this tick", {
        test: testName(test),
        tick: plan.fireAt.toISOString(),
        error: outcome,
      });
      return;
    }
    if (outcome.skippedReason)
      logger.info("cron tick skipped", { test: testName(test), reason: outcome.skippedReason });
    if (plan.collapsed) {
      logger.warn("missed cron ticks collapsed into one run", {
        test: testName(test),
        missedSince: test.nextRunAt?.toISOString(),
        firedFor: plan.fireAt.toISOString(),
      });
    }
  }

  /**
   * Plans a test's due tick. Planning is pure but not free (croner), so tests of one batch that
   * share schedule and due time (a fleet of hourly tests at :00) share one plan.
   */
  function planFor(test: TestRecord, at: Date, plans: Map<string, DueTickPlan>): DueTickPlan | undefined {
    const schedule = test.spec.schedule;
    if (!schedule || !test.nextRunAt) return undefined;
    const key = JSON.stringify([schedule.cron, schedule.timezone, test.nextRunAt.getTime()]);
    const known = plans.get(key);
    if (known) return known;
    try {
      const plan = planDueTick(schedule, test.nextRunAt, at, graceMs);
      plans.set(key, plan);
      return plan;
    } catch (error) {
      logger.error("cron schedule cannot be evaluated; the test is unscheduled until it is updated", {
        test: testName(test),
        cron: schedule.cron,
        timezone: schedule.timezone,
        error,
      });
      return undefined;
    }
  }

  /**
   * Until the earliest next tick (by the database's clock), at most `pollMs`. When a tick is
   * already due, another replica holds it: wait a short, jittered floor instead of spinning.
   */
  async function sleepMs(): Promise<number> {
    const { next, now } = await earliestDueTime(pool);
    if (!next) return pollMs;
    const until = next.getTime() - now.getTime();
    return until > 0 ? Math.min(pollMs, until) : Math.min(pollMs, BUSY_FLOOR_MS + Math.random() * BUSY_FLOOR_MS);
  }

  const done = (async () => {
    while (!stopped) {
      let delay = pollMs;
      try {
        while (!stopped && (await fireDueBatch()) === batchSize) {}
        delay = await sleepMs();
      } catch (error) {
        logger.error("cron scheduler pass failed; retrying", { error });
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, delay);
      });
    }
  })();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await done;
    },
  };
}

export type CronLoop = ReturnType<typeof startCronLoop>;

/** Shortest wait while a due test is held by another replica. */
const BUSY_FLOOR_MS = 50;

/** Runs `fn` under a savepoint: its writes are undone if it throws, and the transaction lives on. */
async function underSavepoint<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
  await client.query("SAVEPOINT cron_schedule");
  try {
    const result = await fn();
    await client.query("RELEASE SAVEPOINT cron_schedule");
    return result;
  } catch (error) {
    await client.query("ROLLBACK TO SAVEPOINT cron_schedule");
    throw error;
  }
}

function testName(test: TestRecord): string {
  return `${test.spec.namespace}/${test.spec.name}`;
}
