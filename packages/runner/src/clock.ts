/**
 * Time as the agent sees it. Injected so tests (and a future simulated clock) decide how long
 * "30 seconds" really is; the agent never calls setTimeout or Date directly.
 */
export interface Clock {
  now(): Date;
  /**
   * Resolves after `ms`, or as soon as `signal` aborts (it never rejects), so loops can sleep
   * and then simply check whether they were stopped.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener("abort", done, { once: true });
    }),
};
