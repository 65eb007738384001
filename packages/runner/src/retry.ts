import { type Backoff, createBackoff } from "./backoff.js";
import type { Clock } from "./clock.js";
import { describeError, isTransient } from "./rpc-errors.js";

/** Thrown when a retried call gives up because its signal aborted (run abandoned, agent stopped). */
export class RetryAbortedError extends Error {
  override readonly name = "RetryAbortedError";
}

export interface RetryOptions {
  clock: Clock;
  /** Stops retrying; the call then rejects with RetryAbortedError. */
  signal: AbortSignal;
  /** What is being done, for the warning logged on each failure. */
  what: string;
  onRetry?: (error: unknown, delayMs: number) => void;
  backoff?: Backoff;
  /** Which failures are retried; isTransient unless the call knows better. */
  transient?: (error: unknown) => boolean;
}

/**
 * Calls `call` until it succeeds, retrying transient failures with jittered backoff for as long
 * as `signal` allows. Reports to the server must arrive exactly once and in order, so the agent
 * retries them rather than dropping them; everything non-transient is rethrown at once.
 */
export async function retryTransient<T>(call: (signal: AbortSignal) => Promise<T>, options: RetryOptions): Promise<T> {
  const backoff = options.backoff ?? createBackoff();
  for (;;) {
    if (options.signal.aborted) throw new RetryAbortedError(`${options.what}: aborted`);
    try {
      return await call(options.signal);
    } catch (error) {
      if (options.signal.aborted) throw new RetryAbortedError(`${options.what}: aborted (${describeError(error)})`);
      if (!(options.transient ?? isTransient)(error)) throw error;
      const delay = backoff.next();
      options.onRetry?.(error, delay);
      await options.clock.sleep(delay, options.signal);
    }
  }
}
