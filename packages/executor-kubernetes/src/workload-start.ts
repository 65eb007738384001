import { ExecutorError } from "@tstr/executor";
import { startStateOf } from "./pod-state.js";
import type { PodTracker } from "./pod-tracker.js";

export interface StartLimits {
  /** How long a pod may stay Unschedulable (a cluster autoscaler may be adding a node). */
  unschedulableTimeoutMs: number;
  /** How long a pod may take to start at all (slow pulls, volumes that do not attach). */
  startTimeoutMs: number;
}

/**
 * Waits until the workload container runs (or has already ended). Throws ExecutorError for what
 * will not resolve by waiting: image pull failures (IMAGE_PULL_FAILED / IMAGE_NOT_FOUND), container
 * config and start errors, eviction, an Unschedulable condition held past its limit
 * (UNSCHEDULABLE), or no start within the start limit (CREATE_FAILED with the last waiting
 * reason). The signal aborts the wait.
 */
export async function awaitWorkloadStart(
  tracker: PodTracker,
  limits: StartLimits,
  signal: AbortSignal,
): Promise<string> {
  const began = Date.now();
  let unschedulableSince: number | undefined;
  for (;;) {
    signal.throwIfAborted();
    const state = startStateOf(tracker.pod, tracker.deleted);
    if (state.kind === "started") return tracker.pod!.metadata!.name!;
    if (state.kind === "failed") throw new ExecutorError(state.reason, state.message);
    const now = Date.now();
    unschedulableSince = state.unschedulable ? (unschedulableSince ?? now) : undefined;
    if (state.unschedulable && now - unschedulableSince! >= limits.unschedulableTimeoutMs) {
      throw new ExecutorError("UNSCHEDULABLE", state.unschedulable);
    }
    if (now - began >= limits.startTimeoutMs) {
      const seconds = Math.round(limits.startTimeoutMs / 1000);
      throw new ExecutorError(
        "CREATE_FAILED",
        `the pod did not start within ${seconds}s: ${state.waiting ?? "pending"}`,
      );
    }
    const nextCheck = Math.min(
      limits.startTimeoutMs - (now - began),
      unschedulableSince === undefined
        ? Number.POSITIVE_INFINITY
        : limits.unschedulableTimeoutMs - (now - unschedulableSince),
    );
    await untilChangeOrTimeout(tracker, nextCheck, signal);
  }
}

function untilChangeOrTimeout(tracker: PodTracker, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener("abort", done, { once: true });
    void tracker.changed().then(done);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
