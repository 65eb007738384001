import {
  ConcurrencyPolicy,
  type GetTestResponse,
  RetryPolicy_On,
  Run_Result,
  RunStatus,
  type RunSummary,
  type Test,
  type Test_Matrix,
} from "@tstr/proto";
import { formatCommand, formatDuration, formatLabels, formatTimestamp } from "./format-values.js";

/** Columns of `test list`. */
export const TEST_COLUMNS = ["NAMESPACE", "NAME", "LABELS", "SCHEDULE", "IMAGE", "UPDATED"] as const;

/** One table row per test. */
export function testRow(test: Test): string[] {
  return [
    test.namespace,
    test.name,
    formatLabels(test.labels),
    formatSchedule(test),
    test.runConfig?.containerImage || (test.executor ? `(executor ${test.executor})` : ""),
    formatTimestamp(test.updatedAt ?? test.registeredAt),
  ];
}

/** The `test get` view: definition, schedule with its next fire times, and recent runs. */
export function testDetails(response: GetTestResponse): [string, string][] {
  const test = response.test;
  if (!test) return [];
  const config = test.runConfig;
  return [
    ["Name", test.name],
    ["Namespace", test.namespace],
    ["ID", test.id],
    ["Description", test.description],
    ["Labels", formatLabels(test.labels) || "none"],
    ["Executor", test.executor],
    ["Image", config?.containerImage ?? ""],
    ["Command", config ? formatCommand(config.command, config.args) : ""],
    ["Working dir", config?.workingDir ?? ""],
    ["Env", config ? formatLabels(config.env) : ""],
    ["Files", config?.files.map((f) => `${f.path} (${f.content.length} bytes)`).join("\n") ?? ""],
    ["Timeout", formatDuration(config?.timeout)],
    ["Schedule", formatSchedule(test) || "none (manual runs only)"],
    ["Next runs", response.nextFireTimes.map((t) => formatTimestamp(t)).join("\n")],
    ["Matrix", test.matrix ? formatMatrix(test.matrix) : ""],
    ["Concurrency", test.concurrencyPolicy ? ConcurrencyPolicy[test.concurrencyPolicy].toLowerCase() : ""],
    ["Retry", formatRetry(test)],
    ["Registered", formatTimestamp(test.registeredAt)],
    ["Updated", formatTimestamp(test.updatedAt)],
    ["Recent runs", response.runSummaries.map(formatRunSummary).join("\n")],
  ];
}

function formatRunSummary(run: RunSummary): string {
  const state = run.status === RunStatus.FINISHED ? Run_Result[run.result] : RunStatus[run.status];
  return `${formatTimestamp(run.scheduledAt)}  ${state}  ${run.id}`;
}

function formatSchedule(test: Test): string {
  if (!test.cronSchedule) return "";
  const zone = test.timezone ? ` (${test.timezone})` : "";
  return `${test.cronSchedule}${zone}${test.schedulePaused ? " [paused]" : ""}`;
}

function formatMatrix(matrix: Test_Matrix): string {
  const lines = Object.keys(matrix.labels)
    .sort()
    .map((key) => `${key}: ${matrix.labels[key]?.values.join(", ")}`);
  for (const set of matrix.include) lines.push(`+ ${formatLabels(set.labels)}`);
  for (const set of matrix.exclude) lines.push(`- ${formatLabels(set.labels)}`);
  return lines.join("\n");
}

function formatRetry(test: Test): string {
  const retry = test.retry;
  if (!retry?.maxAttempts) return "";
  if (retry.maxAttempts === 1) return "none (1 attempt)";
  const on = retry.on.map((o) => RetryPolicy_On[o].toLowerCase()).join(", ");
  const backoff = formatDuration(retry.backoff);
  return `up to ${retry.maxAttempts} attempts${on ? ` on ${on}` : ""}${backoff ? `, backoff ${backoff}` : ""}`;
}
