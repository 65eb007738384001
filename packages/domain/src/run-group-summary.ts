import type { RunResult, RunStatus } from "./run-state.js";

/** Where a suite run stands: running until every run finished, then passed or failed. */
export type SuiteRunStatus = "RUNNING" | "PASSED" | "FAILED";

/** The part of a run a group summary looks at. */
export interface GroupedRun {
  status: RunStatus;
  result?: RunResult;
}

/** Counts of a group of runs as a database can aggregate them. */
export interface RunGroupCounts {
  total: number;
  /** Finished with PASS. */
  passed: number;
  /** Finished with anything but PASS (FAIL, ERROR, CANCELLED, TIMED_OUT). */
  failed: number;
}

/** How a group of runs (one suite run, or one matrix expansion) is doing. */
export interface RunGroupSummary extends RunGroupCounts {
  /** Not finished yet (queued, assigned, running or cancelling). */
  pending: number;
  /** Nothing is pending. An empty group is finished. */
  finished: boolean;
  /** At least one run, and every run passed. */
  allPassed: boolean;
  /**
   * RUNNING while anything is pending; then PASSED when every run passed, else FAILED. An empty
   * group is FAILED: nothing was verified, and reporting that as green would mislead a CI job.
   */
  status: SuiteRunStatus;
}

/** Summarizes a group of runs; every finished run that did not PASS counts as failed. */
export function summarizeRunGroup(runs: Iterable<GroupedRun>): RunGroupSummary {
  const counts: RunGroupCounts = { total: 0, passed: 0, failed: 0 };
  for (const run of runs) {
    counts.total++;
    if (run.status !== "FINISHED") continue;
    if (run.result === "PASS") counts.passed++;
    else counts.failed++;
  }
  return summarizeRunCounts(counts);
}

/**
 * Completes aggregated counts into a summary. Throws a RangeError when the counts contradict
 * each other (negative, fractional, or more finished runs than runs), which means a bad query.
 */
export function summarizeRunCounts({ total, passed, failed }: RunGroupCounts): RunGroupSummary {
  for (const [name, value] of [
    ["total", total],
    ["passed", passed],
    ["failed", failed],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a count, got ${value}`);
  }
  if (passed + failed > total) {
    throw new RangeError(`passed (${passed}) + failed (${failed}) exceeds total (${total})`);
  }
  const pending = total - passed - failed;
  const finished = pending === 0;
  const allPassed = total > 0 && passed === total;
  const status: SuiteRunStatus = !finished ? "RUNNING" : allPassed ? "PASSED" : "FAILED";
  return { total, passed, failed, pending, finished, allPassed, status };
}
