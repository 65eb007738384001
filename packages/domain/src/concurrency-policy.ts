import type { ConcurrencyPolicy } from "./test-spec.js";

/** What to do with a new schedule of a test, given the test's runs that are still active. */
export type ConcurrencyDecision =
  | { action: "queue"; cancel: [] }
  | { action: "skip"; reason: string; cancel: [] }
  | { action: "replace"; cancel: string[] };

/**
 * Applies a test's concurrency policy, the same for cron, manual and suite runs: `allow` always
 * queues; `forbid` skips while any run of the test is active (queued, assigned, running or
 * cancelling); `replace` cancels every active run and queues the new one. `activeRunIds` are
 * the test's active runs, oldest first.
 */
export function decideConcurrency(policy: ConcurrencyPolicy, activeRunIds: readonly string[]): ConcurrencyDecision {
  if (policy === "allow" || activeRunIds.length === 0) return { action: "queue", cancel: [] };
  if (policy === "forbid") {
    const shown = activeRunIds.slice(0, 3).join(", ");
    const more = activeRunIds.length > 3 ? ` and ${activeRunIds.length - 3} more` : "";
    return {
      action: "skip",
      reason: `concurrency policy forbid: run ${shown}${more} of this test is still active`,
      cancel: [],
    };
  }
  return { action: "replace", cancel: [...activeRunIds] };
}

/** Reason recorded on a run cancelled because a newer run replaced it. */
export const REPLACED_REASON = "REPLACED";
