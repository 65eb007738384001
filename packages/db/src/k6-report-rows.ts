import type pg from "pg";
import type {
  K6FindingRecord,
  K6GroupReport,
  K6ReportContent,
  K6ReportStats,
  K6SeriesRecord,
} from "./k6-report-record.js";

// Row mapping of the k6 report tables (k6_summaries, k6_series, k6_findings, k6_group_reports).

// biome-ignore lint/suspicious/noExplicitAny: rows come from pg untyped
export type Row = Record<string, any>;

/** What reading a report needs; the aggregate (large) is read only to merge shards. */
export const REPORT_COLUMNS = `verdict, reason, metrics, thresholds, checks, duration_ms, p95_ms, error_rate, rps, shards,
  llm_summary, created_at`;

const num = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : Number(value));
export const nullable = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/** Parameters 3…16 of a summary or group row, in column order (verdict … aggregate). */
export function contentParams(report: K6ReportContent): unknown[] {
  return [
    report.verdict,
    nullable(report.reason),
    JSON.stringify(report.metrics),
    JSON.stringify(report.thresholds),
    JSON.stringify(report.checks),
    nullable(report.durationMs),
    nullable(report.stats.p95Ms),
    nullable(report.stats.errorRate),
    nullable(report.stats.rps),
    report.shards,
    report.aggregate === undefined ? null : JSON.stringify(report.aggregate),
  ];
}

export async function insertSeries(client: pg.PoolClient, runId: string, attempt: number, series: K6SeriesRecord[]) {
  if (series.length === 0) return;
  await client.query(
    `INSERT INTO k6_series (run_id, attempt, ts, requests, failed_requests, vus, latency_p50, latency_p90, latency_p95,
                            latency_p99, data_sent, data_received, checks_passed, checks_failed)
     SELECT $1, $2, ts, requests, failed_requests, vus, latency_p50, latency_p90, latency_p95, latency_p99, data_sent,
            data_received, checks_passed, checks_failed
     FROM jsonb_to_recordset($3::jsonb) AS x(ts timestamptz, requests int, failed_requests int, vus int,
       latency_p50 float8, latency_p90 float8, latency_p95 float8, latency_p99 float8, data_sent int8,
       data_received int8, checks_passed int, checks_failed int)`,
    [runId, attempt, JSON.stringify(series.map(seriesJson))],
  );
}

export async function insertFindings(
  client: pg.PoolClient,
  runId: string,
  attempt: number,
  findings: K6FindingRecord[],
) {
  if (findings.length === 0) return;
  await client.query(
    `INSERT INTO k6_findings (run_id, attempt, kind, code, severity, message, evidence, recommendation)
     SELECT $1, $2, kind, code, severity, message, evidence, recommendation
     FROM jsonb_to_recordset($3::jsonb) AS x(kind text, code text, severity text, message text, evidence jsonb,
       recommendation text)`,
    [runId, attempt, JSON.stringify(findings)],
  );
}

/** A series point as stored: integer columns rounded, snake_case keys (the group report's JSON too). */
export function seriesJson(p: K6SeriesRecord) {
  return {
    ts: p.time.toISOString(),
    requests: Math.round(p.requests),
    failed_requests: Math.round(p.failedRequests),
    vus: Math.round(p.vus),
    latency_p50: nullable(p.latencyP50),
    latency_p90: nullable(p.latencyP90),
    latency_p95: nullable(p.latencyP95),
    latency_p99: nullable(p.latencyP99),
    data_sent: Math.round(p.dataSent),
    data_received: Math.round(p.dataReceived),
    checks_passed: Math.round(p.checksPassed),
    checks_failed: Math.round(p.checksFailed),
  };
}

export function seriesOf(r: Row): K6SeriesRecord {
  const point: K6SeriesRecord = {
    time: new Date(r.ts),
    requests: Number(r.requests),
    failedRequests: Number(r.failed_requests),
    vus: Number(r.vus),
    dataSent: Number(r.data_sent),
    dataReceived: Number(r.data_received),
    checksPassed: Number(r.checks_passed),
    checksFailed: Number(r.checks_failed),
  };
  for (const [key, column] of [
    ["latencyP50", "latency_p50"],
    ["latencyP90", "latency_p90"],
    ["latencyP95", "latency_p95"],
    ["latencyP99", "latency_p99"],
  ] as const) {
    const value = num(r[column]);
    if (value !== undefined) point[key] = value;
  }
  return point;
}

export function findingOf(r: Row): K6FindingRecord {
  return {
    kind: r.kind,
    code: r.code,
    severity: r.severity,
    message: r.message,
    evidence: r.evidence ?? {},
    recommendation: r.recommendation ?? "",
  };
}

export function statsOf(r: Row): K6ReportStats {
  const stats: K6ReportStats = {};
  const p95 = num(r.p95_ms);
  const errorRate = num(r.error_rate);
  const rps = num(r.rps);
  if (p95 !== undefined) stats.p95Ms = p95;
  if (errorRate !== undefined) stats.errorRate = errorRate;
  if (rps !== undefined) stats.rps = rps;
  return stats;
}

/** The columns a summary row and a group row share. */
export function contentOf(
  row: Row,
): Omit<K6ReportContent, "series" | "findings"> & { llmSummary?: string; createdAt: Date } {
  const content: Omit<K6ReportContent, "series" | "findings"> & { llmSummary?: string; createdAt: Date } = {
    verdict: row.verdict,
    metrics: Array.isArray(row.metrics) ? row.metrics : [],
    thresholds: Array.isArray(row.thresholds) ? row.thresholds : [],
    checks: Array.isArray(row.checks) ? row.checks : [],
    stats: statsOf(row),
    shards: row.shards,
    createdAt: row.created_at,
  };
  if (row.reason !== null) content.reason = row.reason;
  if (row.duration_ms !== null) content.durationMs = Number(row.duration_ms);
  if (row.aggregate !== null && row.aggregate !== undefined) content.aggregate = row.aggregate;
  if (row.llm_summary !== null) content.llmSummary = row.llm_summary;
  return content;
}

export function groupReportOf(row: Row): K6GroupReport {
  return {
    shardGroupId: row.shard_group_id,
    runId: row.run_id,
    missingShards: row.missing_shards ?? [],
    ...contentOf(row),
    series: (row.series ?? []).map(seriesOf),
    findings: (row.findings ?? []).map(findingOf),
  };
}
