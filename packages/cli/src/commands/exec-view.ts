import { type Run, Run_Result, RunStatus } from "@tstr/proto";
import { formatTimestamp } from "../output/format-values.js";
import { formatElapsed, runDurationMs } from "../output/run-view.js";

/** Columns of `exec list`. */
export const EXECUTION_COLUMNS = [
  "NUMBER",
  "TEST",
  "STREAM",
  "LOCATION",
  "FACTOR",
  "STATUS",
  "STARTED",
  "DURATION",
  "ID",
] as const;

/** One table row per external execution. */
export function executionRow(run: Run): string[] {
  const elapsed = runDurationMs(run);
  return [
    run.runNumber ? `#${run.runNumber}` : "",
    run.testName,
    run.execution?.stream ?? "",
    run.location,
    run.resourcesFactor ? String(run.resourcesFactor) : "",
    executionState(run),
    formatTimestamp(run.startedAt),
    elapsed === undefined ? "" : formatElapsed(elapsed),
    run.id,
  ];
}

/** RUNNING, or the result with its reason: "ERROR (EXECUTION_STALE)", "CANCELLED (job aborted)". */
function executionState(run: Run): string {
  if (run.status !== RunStatus.FINISHED) return RunStatus[run.status] ?? "";
  const result = Run_Result[run.result] ?? "";
  return run.resultReason ? `${result} (${run.resultReason})` : result;
}

/** "execution #42 (run 0b6f…)" for messages, or the id asked for when the answer has no run. */
export function describeExecution(run: Run | undefined, requestedId: string): string {
  if (!run) return `execution ${requestedId}`;
  return run.runNumber ? `execution #${run.runNumber} (run ${run.id})` : `run ${run.id}`;
}
