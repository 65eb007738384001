import {
  type K6Finding,
  type K6MetricSummary,
  type K6Report,
  type K6RunDigest,
  type K6StatisticsResponse,
  Run_Result,
  Severity,
} from "@tstr/proto";
import { formatTimestamp } from "./format-values.js";
import { renderDetails, renderTable } from "./table.js";

/** "12.9ms", "0.52ms", "1.23s": three significant digits, seconds from 1 s up. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "";
  if (ms >= 1000) return `${significant(ms / 1000)}s`;
  return `${significant(ms)}ms`;
}

/** Bytes in decimal units: "950 B", "12.3 kB", "1.20 MB". */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return "";
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${significant(value)} ${units[unit]}`;
}

/** A 0..1 ratio as "19.69%". */
export function formatPercent(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio) ? "" : `${(ratio * 100).toFixed(2)}%`;
}

const significant = (value: number) => {
  const text = value.toPrecision(3);
  return text.includes("e") ? String(Number(text)) : text;
};
const count = (value: number | undefined) => (value === undefined ? "" : String(Math.round(value)));
const perSecond = (value: number | undefined) => (value === undefined ? "" : `${significant(value)}/s`);

/** Severity names for tables ("critical"); "" when unspecified. */
export function severityName(severity: Severity): string {
  return severity === Severity.UNSPECIFIED ? "" : (Severity[severity] ?? "").toLowerCase();
}

const verdictName = (verdict: Run_Result) => (verdict === Run_Result.UNKNOWN ? "" : (Run_Result[verdict] ?? ""));

/**
 * The `k6 report` view: verdict; http_req_duration percentiles; requests, error rate, VUs and data;
 * thresholds (✓/✗); checks; findings with their recommendations; the LLM summary if there is one.
 */
export function k6ReportView(report: K6Report): string {
  const metric = (name: string): K6MetricSummary["values"] => report.metrics.find((m) => m.name === name)?.values ?? {};
  const duration = metric("http_req_duration");
  const reqs = metric("http_reqs");
  const failed = metric("http_req_failed");
  const received = metric("data_received");
  const sent = metric("data_sent");
  const iterations = metric("iterations");
  const vusMax = metric("vus").max ?? metric("vus_max").max ?? metric("vus_max").value;
  const requests = reqs.count;
  const sections = [
    renderDetails([
      ["Run", `${report.runId}${report.attempt ? ` (attempt ${report.attempt})` : ""}`],
      ["Shards", report.shards > 1 ? `${report.shards} (merged report)` : ""],
      ["Verdict", verdictName(report.verdict)],
      ["Requests", requests === undefined ? "" : `${count(requests)} (${perSecond(reqs.rate)})`],
      ["Errors", errorLine(failed)],
      [
        "Iterations",
        iterations.count === undefined ? "" : `${count(iterations.count)} (${perSecond(iterations.rate)})`,
      ],
      ["VUs max", count(vusMax)],
      ["Data", dataLine(received, sent)],
    ]),
  ];
  if (duration.avg !== undefined) {
    sections.push(
      renderTable(
        ["HTTP_REQ_DURATION", "P50", "P90", "P95", "P99", "AVG", "MAX"],
        [
          [
            "all requests",
            formatMs(duration.med),
            formatMs(duration["p(90)"]),
            formatMs(duration["p(95)"]),
            formatMs(duration["p(99)"]),
            formatMs(duration.avg),
            formatMs(duration.max),
          ],
        ],
      ),
    );
  }
  if (report.thresholds.length) {
    sections.push(
      renderTable(
        ["THRESHOLD", "METRIC", "EXPRESSION"],
        report.thresholds.map((t) => [t.ok ? "✓" : "✗", t.metric, t.expression]),
      ),
    );
  }
  if (report.checks.length) {
    sections.push(
      renderTable(
        ["CHECK", "GROUP", "PASSES", "FAILS"],
        report.checks.map((c) => [`${c.fails > 0n ? "✗" : "✓"} ${c.name}`, c.group, String(c.passes), String(c.fails)]),
      ),
    );
  }
  sections.push(report.findings.length ? findingsView(report.findings) : "Findings: none\n");
  if (report.llmSummary) sections.push(`Summary (LLM):\n${indent(report.llmSummary)}\n`);
  return sections.join("\n");
}

function errorLine(failed: K6MetricSummary["values"]): string {
  if (failed.rate === undefined) return "";
  const total = (failed.passes ?? 0) + (failed.fails ?? 0);
  return `${formatPercent(failed.rate)} (${count(failed.passes ?? 0)} of ${count(total)} requests failed)`;
}

function dataLine(received: K6MetricSummary["values"], sent: K6MetricSummary["values"]): string {
  const part = (values: K6MetricSummary["values"], what: string) =>
    values.count === undefined ? "" : `${formatBytes(values.count)} ${what} (${formatBytes(values.rate)}/s)`;
  return [part(received, "received"), part(sent, "sent")].filter(Boolean).join(", ");
}

function findingsView(findings: readonly K6Finding[]): string {
  const lines = ["Findings:"];
  for (const f of findings) {
    lines.push(`  ${severityName(f.severity).toUpperCase() || "-"}  ${f.code}: ${f.message}`);
    if (f.recommendation) lines.push(`    → ${f.recommendation}`);
  }
  return `${lines.join("\n")}\n`;
}

const indent = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");

/** Columns of `k6 search`. */
export const K6_DIGEST_COLUMNS = ["RUN", "TEST", "FINISHED", "VERDICT", "P95", "ERRORS", "RPS", "FINDINGS"] as const;

/** One `k6 search` row. */
export function k6DigestRow(d: K6RunDigest): string[] {
  const worst = severityName(d.worstSeverity);
  return [
    d.runId,
    d.testName,
    formatTimestamp(d.finishedAt),
    verdictName(d.verdict),
    formatMs(d.p95Ms),
    formatPercent(d.errorRate),
    significant(d.requestsPerSecond),
    d.findings ? `${d.findings}${worst ? ` (${worst})` : ""}` : "0",
  ];
}

/** The `k6 stats` view: totals, findings by severity, then one row per test. */
export function k6StatsView(stats: K6StatisticsResponse, days: number): string {
  const severities = ["critical", "warning", "info"].map((s) => `${s} ${stats.findingsBySeverity[s] ?? 0}`).join(", ");
  const head = renderDetails([
    ["Period", `last ${days} day${days === 1 ? "" : "s"}`],
    ["k6 runs", String(stats.runs)],
    ["With findings", `${formatPercent(stats.anomalyRate)}`],
    ["Findings", severities],
  ]);
  if (stats.tests.length === 0) return head;
  const rows = stats.tests.map((t) => [
    t.testName,
    String(t.runs),
    formatPercent(t.anomalyRate),
    formatMs(t.p95MsFirst || undefined),
    formatMs(t.p95MsLast || undefined),
    change(t.p95MsFirst, t.p95MsLast),
  ]);
  return `${head}\n${renderTable(["TEST", "RUNS", "WITH FINDINGS", "P95 FIRST", "P95 LAST", "P95 CHANGE"], rows)}`;
}

function change(first: number, last: number): string {
  if (!first || !last) return "";
  const relative = (last - first) / first;
  return `${relative >= 0 ? "+" : ""}${(relative * 100).toFixed(1)}%`;
}
