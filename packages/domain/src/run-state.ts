/** Where a run is in its lifecycle; FINISHED is terminal and carries a {@link RunResult}. */
export type RunStatus = "QUEUED" | "ASSIGNED" | "RUNNING" | "CANCELLING" | "FINISHED";

/** How a finished run ended. */
export type RunResult = "PASS" | "FAIL" | "ERROR" | "CANCELLED" | "TIMED_OUT";

/** Every status, in lifecycle order. */
export const RUN_STATUSES: readonly RunStatus[] = ["QUEUED", "ASSIGNED", "RUNNING", "CANCELLING", "FINISHED"];
/** Every result. */
export const RUN_RESULTS: readonly RunResult[] = ["PASS", "FAIL", "ERROR", "CANCELLED", "TIMED_OUT"];
/** Reason recorded when a runner stops renewing its lease. */
export const RUNNER_LOST = "RUNNER_LOST";

/**
 * The lifecycle part of a run. `attempt` counts assignments and is the fencing token: the runner
 * holding attempt N is the only one whose reports count. A run that was never assigned has
 * attempt 0. A re-queued run keeps its attempt and the reason it was re-queued.
 */
export type RunState =
  | { status: "QUEUED"; attempt: number; reason?: string }
  | {
      status: "ASSIGNED" | "RUNNING" | "CANCELLING";
      attempt: number;
      runnerId: string;
      leaseUntil: Date;
      /** Why a CANCELLING run is being cancelled (e.g. REPLACED), kept as its final reason. */
      reason?: string;
    }
  | { status: "FINISHED"; attempt: number; result: RunResult; reason?: string; runnerId?: string };

/**
 * What can happen to a run. `assign` carries the next attempt number; `heartbeat` renews the
 * lease; `lease_expired` says whether the retry policy allows another attempt (see
 * `shouldRetry`), which the state machine cannot know on its own.
 */
export type RunEvent =
  | { type: "assign"; runnerId: string; attempt: number; leaseUntil: Date }
  | { type: "start" }
  | { type: "heartbeat"; leaseUntil: Date }
  | { type: "finish"; result: RunResult; reason?: string }
  | { type: "cancel"; reason?: string }
  | { type: "lease_expired"; canRetry: boolean }
  | { type: "release"; reason: string };

/** An event that is not allowed in the run's current status. */
export class IllegalTransitionError extends Error {
  override readonly name = "IllegalTransitionError";

  constructor(
    readonly from: RunStatus,
    readonly event: RunEvent["type"],
    detail?: string,
  ) {
    super(`cannot apply "${event}" to a ${from} run${detail === undefined ? "" : `: ${detail}`}`);
  }
}

/** The state of a run that has just been created. */
export function newRunState(): RunState {
  return { status: "QUEUED", attempt: 0 };
}

/**
 * Applies one event to a run, returning the new state (the input is never modified). The one
 * place that decides which moves are legal, so the database layer, the reaper and the runner
 * service cannot disagree:
 *
 * - QUEUED: `assign` (attempt must be the next one) → ASSIGNED; `cancel` → FINISHED CANCELLED;
 *   `finish` with ERROR, TIMED_OUT or CANCELLED (decided by the server) → FINISHED.
 * - ASSIGNED: `start` → RUNNING. ASSIGNED and RUNNING: `heartbeat` renews the lease; `finish`
 *   → FINISHED; `cancel` → CANCELLING; `lease_expired` → QUEUED (reason RUNNER_LOST) when it
 *   can retry, else FINISHED ERROR (RUNNER_LOST).
 * - ASSIGNED and RUNNING: `release` (the runner hands the run back, e.g. while draining) → QUEUED
 *   with its reason, without using up a retry.
 * - CANCELLING: `finish` → FINISHED with the reported result; `release` → FINISHED CANCELLED; `lease_expired` → FINISHED
 *   CANCELLED (RUNNER_LOST); `start`, `heartbeat` and `cancel` are absorbed (the runner may not
 *   have heard of the cancel yet; cancelling twice is harmless).
 * - FINISHED: terminal; every event is illegal.
 *
 * Throws {@link IllegalTransitionError} for anything else.
 */
export function transition(state: RunState, event: RunEvent): RunState {
  const illegal = (detail?: string) => new IllegalTransitionError(state.status, event.type, detail);
  if (state.status === "FINISHED") throw illegal("the run is finished");
  if (state.status === "QUEUED") {
    switch (event.type) {
      case "assign":
        if (event.attempt !== state.attempt + 1) {
          throw illegal(`attempt ${event.attempt} does not follow attempt ${state.attempt}`);
        }
        return { status: "ASSIGNED", attempt: event.attempt, runnerId: event.runnerId, leaseUntil: event.leaseUntil };
      case "cancel":
        return finished(state, "CANCELLED", event.reason);
      case "finish":
        if (event.result === "PASS" || event.result === "FAIL") throw illegal(`a queued run cannot ${event.result}`);
        return finished(state, event.result, event.reason);
      default:
        throw illegal("the run is not assigned");
    }
  }
  const { attempt, runnerId, leaseUntil } = state;
  switch (event.type) {
    case "start":
      if (state.status === "RUNNING") throw illegal("the run has already started");
      return { ...state, status: state.status === "ASSIGNED" ? "RUNNING" : state.status };
    case "heartbeat":
      return { ...state, leaseUntil: event.leaseUntil };
    case "finish":
      // A run stopped because it was cancelled keeps the reason it was cancelled for.
      if (state.status === "CANCELLING" && event.result === "CANCELLED" && state.reason) {
        return finished(state, "CANCELLED", state.reason, runnerId);
      }
      return finished(state, event.result, event.reason, runnerId);
    case "cancel":
      return { status: "CANCELLING", attempt, runnerId, leaseUntil, ...(event.reason ? { reason: event.reason } : {}) };
    case "lease_expired":
      if (state.status === "CANCELLING") return finished(state, "CANCELLED", RUNNER_LOST, runnerId);
      return event.canRetry
        ? { status: "QUEUED", attempt, reason: RUNNER_LOST }
        : finished(state, "ERROR", RUNNER_LOST, runnerId);
    case "release":
      if (state.status === "CANCELLING") return finished(state, "CANCELLED", state.reason ?? event.reason, runnerId);
      return { status: "QUEUED", attempt, reason: event.reason };
    case "assign":
      throw illegal(`the run is already assigned to ${runnerId}`);
  }
  // Reached only when an untyped caller passes an unknown event.
  throw illegal("unknown event");
}

/** True once a run can no longer change. */
export function isTerminal(status: RunStatus): boolean {
  return status === "FINISHED";
}

function finished(state: RunState, result: RunResult, reason?: string, runnerId?: string): RunState {
  return {
    status: "FINISHED",
    attempt: state.attempt,
    result,
    ...(reason === undefined ? {} : { reason }),
    ...(runnerId === undefined ? {} : { runnerId }),
  };
}
