import type { Clock } from "./clock.js";
import type { RunnerLogger } from "./logger.js";
import type { RunExecution } from "./run-execution.js";

export interface DrainOptions {
  clock: Clock;
  logger: RunnerLogger;
  /** How long in-flight runs may take to finish on their own. */
  timeoutMs: number;
  /** How long handed-back runs get to stop, flush their logs and say goodbye. */
  handBackTimeoutMs: number;
  /** Said to the server with HandBackRun. */
  reason: string;
}

/**
 * The second half of a graceful stop (new work has already been refused): in-flight runs get
 * `timeoutMs` to finish; whatever still runs then is stopped and handed back to the queue, so
 * another runner can take it at once instead of waiting for our leases to expire.
 */
export async function drainRuns(held: () => RunExecution[], options: DrainOptions): Promise<void> {
  const { clock, logger } = options;
  const inFlight = held();
  if (inFlight.length > 0) {
    logger.info("draining: waiting for in-flight runs", {
      runs: inFlight.map((run) => run.runId),
      timeoutMs: options.timeoutMs,
    });
    await settledOrTimeout(
      inFlight.map((run) => run.done),
      clock,
      options.timeoutMs,
    );
  }
  const left = held();
  if (left.length === 0) return;
  logger.warn("drain deadline passed, handing runs back", { runs: left.map((run) => run.runId) });
  for (const run of left) run.handBack(options.reason);
  await settledOrTimeout(
    left.map((run) => run.done),
    clock,
    options.handBackTimeoutMs,
  );
}

/** Waits for every promise, or `ms`, whichever comes first. */
export async function settledOrTimeout(promises: Promise<unknown>[], clock: Clock, ms: number): Promise<void> {
  const cut = new AbortController();
  await Promise.race([Promise.allSettled(promises), clock.sleep(ms, cut.signal)]);
  cut.abort();
}
