import { claimQueuedRuns, type RunnerRecord, type RunRecord, type RunsRepository } from "@tstr/db";
import type pg from "pg";
import { placementFor } from "./placement.js";
import type { RunEvents } from "./run-events.js";

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
    new Date(
      now().getTime() +
        deps.startAllowanceMs +
        (run.runConfig.timeoutMs ?? 0) +
        (run.runConfig.gracePeriodMs ?? 10_000) +
        deps.deadlineSlackMs,
    );

  /** Claims up to the runner's free capacity (and `maxSlots`), given the runs it already holds. */
  async function claim(
    runner: RunnerRecord,
    tokenNamespaces: string[],
    held: number,
    maxSlots: number,
    leaseMs = deps.leaseMs,
  ) {
    const slots = Math.min(runner.capacity - held, maxSlots);
    if (slots <= 0) return [];
    return claimQueuedRuns(deps.pool, {
      runnerId: runner.id,
      slots,
      leaseMs,
      accepts: placementFor(runner, tokenNamespaces),
      deadlineFor,
    });
  }

  const relevantTo = (runner: RunnerRecord, held: Set<string>) => (kind: string, payload: string) =>
    kind === "queued" ||
    (kind === "cancel" && payload.endsWith(runner.id)) ||
    (kind === "progress" && held.has(payload));

  return {
    claim,
    deadlineFor,

    /** The pushed work stream of one runner, until `signal` aborts. */
    async *stream(runner: RunnerRecord, tokenNamespaces: string[], signal: AbortSignal): AsyncGenerator<WorkEvent> {
      const delivered = new Set<string>();
      // A first keepalive right away: HTTP streams send nothing (not even headers) before the first message.
      let lastSent = 0;
      while (!signal.aborted) {
        const active = await runs.activeForRunner(runner.id);
        const heldIds = new Set(active.map((r) => r.id));
        for (const run of active) {
          const key = `${run.id}:${run.attempt}`;
          if (run.status === "CANCELLING" && !delivered.has(key)) {
            delivered.add(key);
            lastSent = Date.now();
            yield { kind: "cancellation", run };
          }
        }
        const claimed = await claim(runner, tokenNamespaces, active.length, runner.capacity);
        for (const run of claimed) {
          lastSent = Date.now();
          yield { kind: "assignment", run };
        }
        if (claimed.length > 0) continue;
        if (Date.now() - lastSent >= deps.keepaliveMs) {
          lastSent = Date.now();
          yield { kind: "keepalive" };
        }
        await events.next(relevantTo(runner, heldIds), signal, Math.min(deps.recheckMs, deps.keepaliveMs));
      }
    },

    /** Long-poll: assignments and pending cancellations now, or after waiting up to `waitMs` for some. */
    async acquire(
      runner: RunnerRecord,
      tokenNamespaces: string[],
      maxSlots: number,
      waitMs: number,
      signal: AbortSignal,
    ) {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const active = await runs.activeForRunner(runner.id);
        const cancellations = active.filter((r) => r.status === "CANCELLING");
        const assignments = await claim(runner, tokenNamespaces, active.length, maxSlots);
        const left = deadline - Date.now();
        if (assignments.length || cancellations.length || left <= 0 || signal.aborted)
          return { assignments, cancellations };
        await events.next(relevantTo(runner, new Set(active.map((r) => r.id))), signal, Math.min(left, deps.recheckMs));
      }
    },
  };
}

export type WorkDispatcher = ReturnType<typeof createWorkDispatcher>;
