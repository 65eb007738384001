import { Run_Result, RunStatus } from "@tstr/proto";

/** How a run looks in a badge: its label and the colour family (`tone`) it is drawn in. */
export interface RunState {
  label: string;
  tone: "pass" | "fail" | "error" | "cancelled" | "running" | "queued" | "unknown";
}

const RESULT_STATES: Record<Run_Result, RunState> = {
  [Run_Result.UNKNOWN]: { label: "UNKNOWN", tone: "unknown" },
  [Run_Result.PASS]: { label: "PASS", tone: "pass" },
  [Run_Result.FAIL]: { label: "FAIL", tone: "fail" },
  [Run_Result.ERROR]: { label: "ERROR", tone: "error" },
  [Run_Result.CANCELLED]: { label: "CANCELLED", tone: "cancelled" },
  [Run_Result.TIMED_OUT]: { label: "TIMED OUT", tone: "error" },
};

const ACTIVE_STATES: Partial<Record<RunStatus, RunState>> = {
  [RunStatus.QUEUED]: { label: "QUEUED", tone: "queued" },
  [RunStatus.ASSIGNED]: { label: "ASSIGNED", tone: "running" },
  [RunStatus.RUNNING]: { label: "RUNNING", tone: "running" },
  [RunStatus.CANCELLING]: { label: "CANCELLING", tone: "running" },
};

/** The badge of a run: its result once finished, else its lifecycle status. */
export function runState(run: { status: RunStatus; result: Run_Result }): RunState {
  if (run.status === RunStatus.FINISHED) return RESULT_STATES[run.result] ?? RESULT_STATES[Run_Result.UNKNOWN];
  return ACTIVE_STATES[run.status] ?? { label: "UNKNOWN", tone: "unknown" };
}

/** The label of a result alone (chart legends, filters). */
export function resultLabel(result: Run_Result): string {
  return (RESULT_STATES[result] ?? RESULT_STATES[Run_Result.UNKNOWN]).label;
}

/** The tone of a result alone. */
export function resultTone(result: Run_Result): RunState["tone"] {
  return (RESULT_STATES[result] ?? RESULT_STATES[Run_Result.UNKNOWN]).tone;
}

/** Whether a run can still change (and so is worth polling or cancelling). */
export function isActive(status: RunStatus): boolean {
  return status !== RunStatus.FINISHED && status !== RunStatus.UNSPECIFIED;
}

/** A run's short name: `#<number>` (per namespace), or the start of its id when it has none. */
export function runLabel(run: { id: string; runNumber: bigint }): string {
  return run.runNumber > 0n ? `#${run.runNumber}` : `#${run.id.slice(0, 8)}`;
}
