import { type GetSuiteResponse, type Suite, type SuiteRun, SuiteRunStatus } from "@tstr/proto";
import { formatLabels, formatTimestamp } from "./format-values.js";

/** Columns of `suite list`. */
export const SUITE_COLUMNS = ["NAMESPACE", "NAME", "TESTS", "SELECTOR", "LABELS", "UPDATED"] as const;

/** One table row per suite. */
export function suiteRow(suite: Suite): string[] {
  return [
    suite.namespace,
    suite.name,
    [...suite.testNames, ...suite.testIds].join(",") || "-",
    suite.testSelector || "-",
    formatLabels(suite.labels),
    formatTimestamp(suite.updatedAt ?? suite.createdAt),
  ];
}

/** The `suite get` view: definition, resolved members and recent suite runs. */
export function suiteDetails(response: GetSuiteResponse): [string, string][] {
  const suite = response.suite;
  if (!suite) return [];
  return [
    ["Name", suite.name],
    ["Namespace", suite.namespace],
    ["ID", suite.id],
    ["Description", suite.description],
    ["Labels", formatLabels(suite.labels) || "none"],
    ["Tests", [...suite.testNames, ...suite.testIds].join(", ") || "none"],
    ["Selector", suite.testSelector || "none"],
    ["Managed by", suite.source],
    ["Members", response.members.map((t) => t.name).join(", ") || "none (running it would fail)"],
    ["Recent runs", response.recentRuns.map(formatSuiteRun).join("\n") || "none"],
  ];
}

/** "suite-run/<id> PASSED 3/3 passed (2026-11-21 10:00:00)" */
export function formatSuiteRun(run: SuiteRun): string {
  return `suite-run/${run.id} ${suiteRunStatus(run)} ${formatCounts(run)} (${formatTimestamp(run.createdAt)})`;
}

/** RUNNING, PASSED or FAILED. */
export function suiteRunStatus(run: SuiteRun): string {
  return SuiteRunStatus[run.status] ?? "UNKNOWN";
}

/** "2 passed, 1 failed, 0 pending of 3" */
export function formatCounts(run: SuiteRun): string {
  return `${run.passed} passed, ${run.failed} failed, ${run.pending} pending of ${run.total}`;
}
