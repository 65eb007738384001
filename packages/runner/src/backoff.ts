/** Delays between retries of one operation: exponential, capped, and jittered. */
export interface Backoff {
  /** The delay before the next try; each call grows the next one until the cap. */
  next(): number;
  /** Back to the initial delay, after the operation has been healthy for a while. */
  reset(): void;
}

export interface BackoffOptions {
  initialMs?: number;
  /** Cap on a single delay; 5 s keeps a recovering server from waiting long for its runners. */
  maxMs?: number;
  factor?: number;
  /** Injected for deterministic tests. */
  random?: () => number;
}

/**
 * Creates a backoff with "equal jitter": each delay is between half and all of the exponential
 * step, so many runners that lost the same server do not reconnect in lockstep, yet none retries
 * immediately (no spinning).
 */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const { initialMs = 100, maxMs = 5_000, factor = 2, random = Math.random } = options;
  let step = 0;
  return {
    next() {
      const base = Math.min(maxMs, initialMs * factor ** step);
      if (base < maxMs) step++;
      return Math.round(base / 2 + (random() * base) / 2);
    },
    reset() {
      step = 0;
    },
  };
}
