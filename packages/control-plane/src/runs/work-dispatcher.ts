import { claimQueuedRuns, isHeldShard, type RunnerRecord, type RunRecord, type RunsRepository } from "@tstr/db";
import type pg from "pg";
import { placementFor } from "./placement.js";
import type { RunEvents } from "./run-events.js";
import { runAllowanceMs } from "./run-lifecycle.js";

const REDELIVER_AFTER_MS = 10_000;

/** What a runner's work stream delivers. */
export type WorkEvent =
  | { kind: "assignment"; run: RunRecord }
  | { kind: "cancellation"; run: RunRecord }
  | { kind: "keepalive" };

export interface WorkDispatcherDeps {
  pool: pg.Pool;
  runs: RunsRepository;
  events: RunEvents;
  leaseMs: number;
  /** Allowance between assignment and start (image pulls); the start tightens the deadline. */
  startAllowanceMs: number;
  deadlineSlackMs: number;
  /** Safety net: re-check for work this often even without a notification. */
  recheckMs: number;
  keepaliveMs: number;
  now: () => Date;
}

/**
 * Places queued runs on runners: claims (FOR UPDATE SKIP LOCKED) as many as the runner has free
 * slots, woken within milliseconds by NOTIFY from any replica, and delivers cancellations of the
 * runs it holds.
 */
export function createWorkDispatcher(deps: WorkDispatcherDeps) {
  const { runs, events, now } = deps;

  const deadlineFor = (run: RunRecord) =>
    new Date(now().getTime() + deps.startAllowanceMs + runAllowanceMs(run) + deps.deadlineSlackMs);

  /** Claims up to `maxSlots` runs; the claim itself bounds them by the runner's free capacity. */
  async function claim(runner: RunnerRecord, tokenNamespaces: string[], maxSlots: number, leaseMs = deps.leaseMs) {
    if (maxSlots <= 0) return [];
    return claimQueuedRuns(deps.pool, {
      runnerId: runner.id,
      slots: maxSlots,
      leaseMs,
      accepts: placementFor(runner, tokenNamespaces),
      deadlineFor,
    });
  }

  // What long polls already handed out recently, so a poll does not return the same
  // cancellation or assignment again at once (which would make the poller spin); heartbeats
  // repeat cancellations, and a run still unstarted after a while is offered again.
  const recentlyDelivered = new Map<string, number>();
  const firstDelivery = (kind: string, run: RunRecord) => {
    const key = `${kind}:${run.id}:${run.attempt}`;
    const at = recentlyDelivered.get(key);
    if (at !== undefined && Date.now() - at < REDELIVER_AFTER_MS) return false;
    if (recentlyDelivered.size > 10_000) recentlyDelivered.clear();
    recentlyDelivered.set(key, Date.now());
    return true;
  };

  const relevantTo = (runner: RunnerRecord, held: () => Set<string>) => (kind: string, payload: string) =>
    kind === "queued" ||
    (kind === "cancel" && payload.endsWith(runner.id)) ||
    (kind === "progress" && held().has(payload));

  return {
    claim,
    deadlineFor,

    /**
     * The pushed work stream of one runner, until `signal` aborts. Runs assigned to the runner but
     * not started yet are (re)sent on every new stream, so an assignment whose delivery was cut
     * off is never stranded; the runner ignores ones it already has.
     */
    async *stream(runner: RunnerRecord, tokenNamespaces: string[], signal: AbortSignal): AsyncGenerator<WorkEvent> {
      const delivered = new Set<string>();
      // A first keepalive right away: HTTP streams send nothing (not even headers) before the first message.
      let lastSent = 0;
      let heldIds = new Set<string>();
      // Subscribed before the first read: a cancel notified while this generator is suspended at
      // a yield (the consumer not pulling yet) or querying is kept, not missed until the recheck.
      const watch = events.watch(
        relevantTo(runner, () => heldIds),
        signal,
      );
      try {
        while (!signal.aborted) {
          watch.clear();
          const active = await runs.activeForRunner(runner.id);
          heldIds = new Set(active.map((r) => r.id));
          for (const run of active) {
            // A held shard is sent again (as "start now") once its group is released.
            const kind = run.status === "CANCELLING" ? "cancel" : isHeldShard(run) ? "hold" : "assign";
            const key = `${kind}:${run.id}:${run.attempt}`;
            if (delivered.has(key) || run.status === "RUNNING") continue;
            delivered.add(key);
            lastSent = Date.now();
            yield run.status === "CANCELLING" ? { kind: "cancellation", run } : { kind: "assignment", run };
          }
          if (signal.aborted) return;
          const claimed = await claim(runner, tokenNamespaces, runner.capacity);
          for (const run of claimed) {
            delivered.add(`${isHeldShard(run) ? "hold" : "assign"}:${run.id}:${run.attempt}`);
            lastSent = Date.now();
            yield { kind: "assignment", run };
          }
          if (claimed.length > 0) continue;
          if (Date.now() - lastSent >= deps.keepaliveMs) {
            lastSent = Date.now();
            yield { kind: "keepalive" };
          }
          await watch.wait(Math.min(deps.recheckMs, deps.keepaliveMs));
        }
      } finally {
        watch.close();
      }
    },

    /**
     * Long-poll: assignments (new claims up to `freeSlots`, plus held runs not started yet) and
     * pending cancellations now, or after waiting up to `waitMs` for some.
     */
    async acquire(
      runner: RunnerRecord,
      tokenNamespaces: string[],
      freeSlots: number,
      waitMs: number,
      signal: AbortSignal,
    ) {
      const deadline = Date.now() + waitMs;
      let heldIds = new Set<string>();
      const watch = events.watch(
        relevantTo(runner, () => heldIds),
        signal,
      );
      try {
        for (;;) {
          watch.clear();
          const active = await runs.activeForRunner(runner.id);
          heldIds = new Set(active.map((r) => r.id));
          const cancellations = active.filter((r) => r.status === "CANCELLING" && firstDelivery("cancel", r));
          const pending = active.filter(
            (r) => r.status === "ASSIGNED" && firstDelivery(isHeldShard(r) ? "hold" : "assign", r),
          );
          // A caller that gave up (aborted) must not be handed new runs it will never see.
          const claimed = signal.aborted ? [] : await claim(runner, tokenNamespaces, freeSlots);
          for (const run of claimed) firstDelivery(isHeldShard(run) ? "hold" : "assign", run);
          const assignments = [...pending, ...claimed];
          const left = deadline - Date.now();
          if (assignments.length || cancellations.length || left <= 0 || signal.aborted)
            return { assignments, cancellations };
          await watch.wait(Math.min(left, deps.recheckMs));
        }
      } finally {
        watch.close();
      }
    },
  };
}

export type WorkDispatcher = ReturnType<typeof createWorkDispatcher>;
