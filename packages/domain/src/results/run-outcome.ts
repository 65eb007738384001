import type { RunResult } from "../run-state.js";

/** How a workload ended, as the runner observed it. */
export interface WorkloadEnding {
  /** The container's or process's exit code, when it got one. */
  exitCode?: number;
  /** Set when the runner stopped the workload itself. */
  stopped?: "timeout" | "cancel";
  /** The workload could not run properly: image missing, create failed, executor broken. */
  infraError?: { reason: string; message: string };
  /** Executor preset name (`k6`, `playwright`…), for executor-specific exit codes. */
  executor?: string;
}

/** The result to report, with a machine-readable reason where the result alone is not enough. */
export interface RunOutcome {
  result: RunResult;
  reason?: string;
  /** Human-readable detail of an infrastructure error. */
  message?: string;
}

/** k6 exits with 99 when a threshold failed (`ThresholdsHaveFailed`). */
export const K6_THRESHOLDS_EXIT_CODE = 99;

/**
 * Maps how a workload ended to a run result (DESIGN 2.3). Precedence follows blame: an
 * infrastructure error means the test never had a fair run, so it wins; then a stop the runner
 * caused (a timed-out or cancelled workload usually exits non-zero because it was killed, and
 * that exit code says nothing about the test); only then the exit code. No exit code and no
 * other explanation is an ERROR, never a PASS.
 */
export function decideOutcome(ending: WorkloadEnding): RunOutcome {
  if (ending.infraError !== undefined) {
    return { result: "ERROR", reason: ending.infraError.reason, message: ending.infraError.message };
  }
  if (ending.stopped === "timeout") return { result: "TIMED_OUT", reason: "DEADLINE" };
  if (ending.stopped === "cancel") return { result: "CANCELLED" };
  const { exitCode } = ending;
  if (exitCode === undefined || !Number.isSafeInteger(exitCode)) return { result: "ERROR", reason: "NO_EXIT_CODE" };
  if (exitCode === 0) return { result: "PASS" };
  if (ending.executor === "k6" && exitCode === K6_THRESHOLDS_EXIT_CODE) return { result: "FAIL", reason: "THRESHOLDS" };
  return { result: "FAIL", reason: `EXIT_CODE_${exitCode}` };
}
