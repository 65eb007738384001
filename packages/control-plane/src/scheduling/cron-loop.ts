import { earliestDueTime, lockDueTests, setNextRunTimes, type TestRecord, withPgTransaction } from "@tstr/db";
import { DEFAULT_CATCH_UP_GRACE_MS, type DueTickPlan, planDueTick } from "@tstr/domain";
import type pg from "pg";
import type { Logger } from "../logging/logger.js";
import type { RunScheduler } from "../runs/run-scheduler.js";

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
  now: () => Date;
}

/**
 * The cron scheduler of one replica. Every replica runs it: due tests are locked with
 * FOR UPDATE SKIP LOCKED and their runs queued and next tick stored in the same transaction, so
 * N replicas never create a run twice, and the unique (test, tick) index backs that up. Between
 * batches it sleeps until the earliest next tick (at most `pollMs`). A test whose schedule cannot
 * be evaluated is logged and unscheduled, and a failing batch is retried after a pause: no input
 * makes the loop spin or stop.
 */
export function startCronLoop(deps: CronLoopDeps, options: CronLoopOptions = {}) {
  const { pool, scheduler, logger, now } = deps;
  const pollMs = options.pollMs ?? 1_000;
  const batchSize = options.batchSize ?? 500;
  const graceMs = options.catchUpGraceMs ?? DEFAULT_CATCH_UP_GRACE_MS;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  const fireDueBatch = () =>
    withPgTransaction(pool, async (client) => {
      const at = now();
      const due = await lockDueTests(client, at, batchSize);
      const fired: { test: TestRecord; plan: DueTickPlan }[] = [];
      const next: { id: string; nextRunAt: Date | undefined }[] = [];
      const plans = new Map<string, DueTickPlan>();
      for (const test of due) {
        const plan = planFor(test, at, plans);
        next.push({ id: test.id, nextRunAt: plan?.nextRunAt });
        if (plan) fired.push({ test, plan });
      }
      const outcomes = await scheduler.scheduleManyLocked(
        fired.map(({ test, plan }) => ({ test, opts: { trigger: "cron", cronFireAt: plan.fireAt } })),
        client,
      );
      await setNextRunTimes(client, next);
      if (due.length) {
        const runs = outcomes.reduce((sum, outcome) => sum + outcome.runs.length, 0);
        logger.debug("cron batch fired", { due: due.length, runs });
      }
      outcomes.forEach((outcome, i) => {
        const { test, plan } = fired[i] as (typeof fired)[number];
        if (outcome.skippedReason)
          logger.info("cron tick skipped", { test: testName(test), reason: outcome.skippedReason });
        if (plan.collapsed) {
          logger.warn("missed cron ticks collapsed into one run", {
            test: testName(test),
            missedSince: test.nextRunAt?.toISOString(),
            firedFor: plan.fireAt.toISOString(),
          });
        }
      });
      return due.length;
    });

  /**
   * Plans a test's due tick. Planning is pure but costs a few hundred µs (croner), so tests of one
   * batch that share schedule and due time (a fleet of hourly tests at :00) share one plan.
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

  async function sleepMs(): Promise<number> {
    const next = await earliestDueTime(pool);
    if (!next) return pollMs;
    return Math.max(0, Math.min(pollMs, next.getTime() - now().getTime()));
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
    /** Looks for due tests now instead of at the next planned wake-up. */
    poke() {
      if (timer) clearTimeout(timer);
      wake?.();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await done;
    },
  };
}

export type CronLoop = ReturnType<typeof startCronLoop>;

function testName(test: TestRecord): string {
  return `${test.spec.namespace}/${test.spec.name}`;
}
