import type { K6ReportContent } from "@tstr/db";

/** A chat prompt: the instructions and the report. */
export interface ChatPrompt {
  system: string;
  user: string;
}

const SYSTEM = [
  "You are a performance engineer reading the result of a k6 load test.",
  "In at most 5 sentences of plain text: say whether the system under test held up, name the numbers that matter,",
  "the most likely cause of any problem, and one concrete next step. Use only the facts given; do not invent numbers.",
].join(" ");

/** Metrics worth a model's attention besides those with thresholds. */
const KEY_METRICS = [
  "http_req_duration",
  "http_req_failed",
  "http_reqs",
  "http_req_waiting",
  "http_req_connecting",
  "iterations",
  "iteration_duration",
  "vus",
  "vus_max",
  "checks",
  "data_received",
  "data_sent",
];
const MAX_METRICS = 25;
const MAX_CHECKS = 5;

/**
 * A compact prompt for an OpenAI-compatible chat model: verdict, key metrics (and every metric a
 * threshold reads), thresholds, the most-failed checks and the findings. A few hundred tokens; the
 * per-second series is left out.
 */
export function k6SummaryPrompt(
  report: K6ReportContent,
  context: { testName: string; labels: Record<string, string> },
): ChatPrompt {
  const lines: string[] = [];
  const labels = Object.entries(context.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  lines.push(`Test: ${context.testName}${labels ? ` (${labels})` : ""}`);
  lines.push(`Runners: ${report.shards}${report.durationMs ? `; duration ${round(report.durationMs / 1000)} s` : ""}`);
  lines.push(`Verdict: ${report.verdict}${report.reason ? ` (${report.reason})` : ""}`);
  const thresholdMetrics = new Set(report.thresholds.map((t) => t.metric));
  const shown = report.metrics
    .filter((m) => KEY_METRICS.includes(m.name) || thresholdMetrics.has(m.name))
    .slice(0, MAX_METRICS);
  lines.push("Metrics (times in ms, data in bytes):");
  for (const m of shown) {
    const values = Object.entries(m.values)
      .map(([k, v]) => `${k}=${round(v)}`)
      .join(" ");
    lines.push(`- ${m.name} (${m.type}): ${values}`);
  }
  if (report.thresholds.length) {
    lines.push("Thresholds:");
    for (const t of report.thresholds) lines.push(`- ${t.ok ? "ok" : "FAILED"} ${t.metric}: ${t.expression}`);
  }
  const failing = report.checks.filter((c) => c.fails > 0).sort((a, b) => b.fails - a.fails);
  const passes = report.checks.reduce((n, c) => n + c.passes, 0);
  const fails = report.checks.reduce((n, c) => n + c.fails, 0);
  if (report.checks.length) {
    lines.push(`Checks: ${passes} passed, ${fails} failed`);
    for (const c of failing.slice(0, MAX_CHECKS)) lines.push(`- "${c.name}": ${c.fails} failed, ${c.passes} passed`);
  }
  lines.push(report.findings.length ? "Findings:" : "Findings: none");
  for (const f of report.findings) lines.push(`- [${f.severity}] ${f.code}: ${f.message}`);
  return { system: SYSTEM, user: lines.join("\n") };
}

const round = (value: number) => Number(value.toPrecision(4));
