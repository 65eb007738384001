import { durationMs, timestampMs } from "@bufbuild/protobuf/wkt";
import {
  type Run,
  Run_Result,
  type RunAttempt,
  RunStatus,
  RunTrigger,
  type TestCase,
  TestCase_Status,
} from "@tstr/proto";
import { formatCommand, formatDuration, formatLabels, formatTimestamp } from "./format-values.js";
import { renderTable } from "./table.js";

/** Runner names by id, for showing "name (id)" instead of bare ids; ids not in it print as ids. */
export type RunnerNames = ReadonlyMap<string, string>;

/** Columns of `run list`. */
export const RUN_COLUMNS = [
  "ID",
  "TEST",
  "STATUS",
  "RESULT",
  "ATTEMPT",
  "RUNNER",
  "SCHEDULED",
  "DURATION",
  "LABELS",
] as const;

/** One table row per run. */
export function runRow(run: Run, runners: RunnerNames = new Map()): string[] {
  const elapsed = runDurationMs(run);
  return [
    run.id,
    run.testName,
    RunStatus[run.status] ?? "",
    run.status === RunStatus.FINISHED ? (Run_Result[run.result] ?? "") : "",
    formatAttempt(run, "/"),
    runners.get(run.runnerId) ?? run.runnerId,
    formatTimestamp(run.scheduledAt),
    elapsed === undefined ? "" : formatElapsed(elapsed),
    formatLabels(run.labels),
  ];
}

/** "PASS", "FAIL (EXIT_CODE_1)" or "TIMED_OUT (DEADLINE)", then " in 3.2s" when it ran. */
export function formatOutcome(run: Run): string {
  const state = run.status === RunStatus.FINISHED ? (Run_Result[run.result] ?? "") : (RunStatus[run.status] ?? "");
  const reason = run.resultReason ? ` (${run.resultReason})` : "";
  const elapsed = runDurationMs(run);
  return `${state}${reason}${elapsed === undefined ? "" : ` in ${formatElapsed(elapsed)}`}`;
}

/** How long the run ran: from start to finish; undefined until both are known. */
export function runDurationMs(run: Pick<Run, "startedAt" | "finishedAt">): number | undefined {
  if (!run.startedAt || !run.finishedAt) return undefined;
  return Math.max(0, timestampMs(run.finishedAt) - timestampMs(run.startedAt));
}

/** "3.2s" under a minute, else Go style to the second ("1m5s", "2h"). */
export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return formatDuration({ seconds: BigInt(Math.round(ms / 1000)), nanos: 0 });
}

/** The `run get` view: state, outcome, what ran where and when, attempts and result data. */
export function runDetails(
  run: Run,
  runners: RunnerNames = new Map(),
  testCases: readonly TestCase[] = [],
): [string, string][] {
  const finished = run.status === RunStatus.FINISHED;
  const config = run.testRunConfig;
  const elapsed = runDurationMs(run);
  return [
    ["ID", run.id],
    ["Test", run.testId ? `${run.testName} (${run.testId})` : run.testName],
    ["Namespace", run.namespace],
    ["Number", run.runNumber ? `#${run.runNumber}` : ""],
    ["Status", RunStatus[run.status] ?? ""],
    ["Result", finished ? `${Run_Result[run.result] ?? ""}${run.resultReason ? ` (${run.resultReason})` : ""}` : ""],
    [
      "Exit code",
      finished && (run.result === Run_Result.PASS || run.result === Run_Result.FAIL) ? String(run.exitCode) : "",
    ],
    ["Attempt", formatAttempt(run, " of ")],
    ["Trigger", run.trigger ? (RunTrigger[run.trigger] ?? "").toLowerCase() : ""],
    ["Labels", formatLabels(run.labels) || "none"],
    ["Runner", formatRunner(run.runnerId, runners)],
    ["Executor", run.executor],
    ["Image", config?.containerImage ?? ""],
    ["Command", config ? formatCommand(config.command, config.args) : ""],
    ["Matrix", run.testMatrixId],
    ["Suite run", run.suiteRunId],
    ["Scheduled", formatTimestamp(run.scheduledAt)],
    ["Assigned", formatTimestamp(run.assignedAt)],
    ["Started", formatTimestamp(run.startedAt)],
    ["Finished", formatTimestamp(run.finishedAt)],
    ["Duration", elapsed === undefined ? "" : formatElapsed(elapsed)],
    ["Cancel requested", formatTimestamp(run.cancelRequestedAt)],
    ["Deadline", finished ? "" : formatTimestamp(run.deadlineAt)],
    ["Lease expires", finished ? "" : formatTimestamp(run.leaseExpiresAt)],
    ["Attempts", run.attempts.length ? formatAttempts(run.attempts, runners) : ""],
    ["Result data", formatResultData(run.resultData)],
    ["Test cases", formatTestCases(testCases)],
  ];
}

/** The run's JUnit test cases: a count line, then one row per case (failures first). */
export function formatTestCases(cases: readonly TestCase[]): string {
  if (cases.length === 0) return "";
  const bad = (c: TestCase) => c.status === TestCase_Status.FAILED || c.status === TestCase_Status.ERROR;
  const failed = cases.filter(bad).length;
  const ordered = [...cases.filter(bad), ...cases.filter((c) => !bad(c))];
  const rows = ordered.map((c) => [
    (TestCase_Status[c.status] ?? "").toLowerCase(),
    c.name,
    c.className || c.suite,
    c.duration ? formatElapsed(durationMs(c.duration)) : "",
    bad(c) ? (c.message.split("\n")[0] ?? "") : "",
  ]);
  const summary = `${cases.length} case${cases.length === 1 ? "" : "s"}, ${failed} failed`;
  return `${summary}\n${renderTable(["STATUS", "CASE", "CLASS", "TIME", "MESSAGE"], rows).trimEnd()}`;
}

function formatAttempt(run: Run, separator: string): string {
  if (!run.attempt) return "";
  return run.maxAttempts > 1 ? `${run.attempt}${separator}${run.maxAttempts}` : String(run.attempt);
}

function formatRunner(id: string, runners: RunnerNames): string {
  const name = runners.get(id);
  return name ? `${name} (${id})` : id;
}

function formatAttempts(attempts: readonly RunAttempt[], runners: RunnerNames): string {
  const rows = attempts.map((a) => {
    const elapsed = runDurationMs(a);
    return [
      String(a.attempt),
      runners.get(a.runnerId) ?? a.runnerId,
      formatTimestamp(a.startedAt ?? a.assignedAt),
      elapsed === undefined ? "" : formatElapsed(elapsed),
      a.result ? (Run_Result[a.result] ?? "") : "",
      a.reason,
    ];
  });
  return renderTable(["ATTEMPT", "RUNNER", "STARTED", "DURATION", "RESULT", "REASON"], rows).trimEnd();
}

function formatResultData(data: Readonly<Record<string, string>>): string {
  return Object.keys(data)
    .sort()
    .map((key) => `${key}=${data[key]}`)
    .join("\n");
}
