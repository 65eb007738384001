/** Why an attempt may be retried: its runner vanished, it errored, or the test failed. */
export type RetryOn = "RUNNER_LOST" | "ERROR" | "FAIL";

/** How often, and on what, a run is retried; `backoffMs` is the wait before re-queueing. */
export interface RetryPolicy {
  maxAttempts: number;
  on: RetryOn[];
  backoffMs: number;
}

/** Every retry cause. */
export const RETRY_CAUSES: readonly RetryOn[] = ["RUNNER_LOST", "ERROR", "FAIL"];

/** One attempt, retried only when the runner is lost: a lost runner says nothing about the test. */
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  maxAttempts: 1,
  on: Object.freeze(["RUNNER_LOST"]) as RetryOn[],
  backoffMs: 0,
}) as RetryPolicy;

/**
 * True when an attempt that ended for `cause` should be followed by another: the policy lists
 * the cause and `attempt` (1-based, the one that just ended) is below `maxAttempts`.
 */
export function shouldRetry(policy: RetryPolicy, attempt: number, cause: RetryOn): boolean {
  return attempt < policy.maxAttempts && policy.on.includes(cause);
}
