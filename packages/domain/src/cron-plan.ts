import { lastFireTimeAtOrBefore, nextFireTimes } from "./cron.js";
import type { Schedule } from "./test-spec.js";

/** How late a cron tick may be and still get a run of its own (default for {@link planDueTick}). */
export const DEFAULT_CATCH_UP_GRACE_MS = 5_000;

/** What the scheduler does with a test whose `next_run_at` has come. */
export interface DueTickPlan {
  /** The tick the run is created for (stored as the run's cron_fire_at; unique per test). */
  fireAt: Date;
  /** The test's next `next_run_at`; may itself be due already when the scheduler is behind. */
  nextRunAt: Date | undefined;
  /** True when missed ticks (from the due time up to `fireAt`) were folded into this one run. */
  collapsed: boolean;
}

/**
 * Plans one due tick of a schedule. A tick at most `graceMs` late is fired as itself and the next
 * tick follows it, so a scheduler running a little behind (a slow database, a busy replica)
 * catches up tick by tick without gaps. A tick later than that was missed (the servers were down):
 * every tick up to `now` collapses into one catch-up run for the latest of them, and the next run
 * is the first tick after `now` — downtime never causes a storm of runs. Pure: the clock is
 * passed in; the cost is constant however long the outage was.
 */
export function planDueTick(
  schedule: Pick<Schedule, "cron" | "timezone">,
  dueAt: Date,
  now: Date,
  graceMs = DEFAULT_CATCH_UP_GRACE_MS,
): DueTickPlan {
  const { cron, timezone } = schedule;
  if (now.getTime() - dueAt.getTime() <= graceMs) {
    return { fireAt: dueAt, nextRunAt: nextFireTimes(cron, timezone, dueAt, 1)[0], collapsed: false };
  }
  const latest = lastFireTimeAtOrBefore(cron, timezone, now) ?? dueAt;
  const fireAt = latest < dueAt ? dueAt : latest;
  return { fireAt, nextRunAt: nextFireTimes(cron, timezone, now, 1)[0], collapsed: fireAt > dueAt };
}
