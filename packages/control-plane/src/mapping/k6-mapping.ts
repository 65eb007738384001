import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type {
  K6FindingRecord,
  K6FindingSeverity,
  K6MetricKind,
  K6ReportContent,
  K6RunDigestRecord,
  K6SeriesRecord,
  K6VerdictResult,
} from "@tstr/db";
import {
  K6Finding_Kind,
  K6MetricSummary_Type,
  type K6Report,
  K6ReportSchema,
  type K6RunDigest,
  K6RunDigestSchema,
  Run_Result,
  Severity,
} from "@tstr/proto";

export const METRIC_TYPE_TO_PROTO: Record<K6MetricKind, K6MetricSummary_Type> = {
  trend: K6MetricSummary_Type.TREND,
  rate: K6MetricSummary_Type.RATE,
  counter: K6MetricSummary_Type.COUNTER,
  gauge: K6MetricSummary_Type.GAUGE,
};
export const METRIC_TYPE_FROM_PROTO: Partial<Record<K6MetricSummary_Type, K6MetricKind>> = Object.fromEntries(
  Object.entries(METRIC_TYPE_TO_PROTO).map(([k, v]) => [v, k as K6MetricKind]),
);
export const K6_VERDICT_TO_PROTO: Record<K6VerdictResult, Run_Result> = {
  PASS: Run_Result.PASS,
  FAIL: Run_Result.FAIL,
  ERROR: Run_Result.ERROR,
};
export const K6_VERDICT_FROM_PROTO: Partial<Record<Run_Result, K6VerdictResult>> = Object.fromEntries(
  Object.entries(K6_VERDICT_TO_PROTO).map(([k, v]) => [v, k as K6VerdictResult]),
);
export const SEVERITY_TO_PROTO: Record<K6FindingSeverity, Severity> = {
  info: Severity.INFO,
  warning: Severity.WARNING,
  critical: Severity.CRITICAL,
};
const KIND_TO_PROTO = { rule: K6Finding_Kind.RULE, regression: K6Finding_Kind.REGRESSION } as const;

/** The wire form of a stored report, shown as the report of `runId`'s `attempt`. */
export function k6ReportToProto(
  report: K6ReportContent & { llmSummary?: string },
  shownAs: { runId: string; attempt: number },
): K6Report {
  return create(K6ReportSchema, {
    runId: shownAs.runId,
    attempt: shownAs.attempt,
    verdict: K6_VERDICT_TO_PROTO[report.verdict] ?? Run_Result.UNKNOWN,
    metrics: report.metrics.map((m) => ({
      name: m.name,
      type: METRIC_TYPE_TO_PROTO[m.type] ?? K6MetricSummary_Type.UNSPECIFIED,
      values: m.values,
      contains: m.contains ?? "",
    })),
    thresholds: report.thresholds.map((t) => ({ metric: t.metric, expression: t.expression, ok: t.ok })),
    checks: report.checks.map((c) => ({
      group: c.group,
      name: c.name,
      passes: BigInt(Math.round(c.passes)),
      fails: BigInt(Math.round(c.fails)),
    })),
    series: report.series.map(seriesPointToProto),
    findings: report.findings.map(k6FindingToProto),
    llmSummary: report.llmSummary ?? "",
    shards: report.shards,
  });
}

function seriesPointToProto(p: K6SeriesRecord) {
  return {
    time: timestampFromDate(p.time),
    requests: p.requests,
    failedRequests: p.failedRequests,
    vus: p.vus,
    latencyP50: p.latencyP50 ?? 0,
    latencyP90: p.latencyP90 ?? 0,
    latencyP95: p.latencyP95 ?? 0,
    latencyP99: p.latencyP99 ?? 0,
    dataSent: p.dataSent,
    dataReceived: p.dataReceived,
    checksPassed: p.checksPassed,
    checksFailed: p.checksFailed,
  };
}

export function k6FindingToProto(f: K6FindingRecord) {
  return {
    kind: KIND_TO_PROTO[f.kind] ?? K6Finding_Kind.UNSPECIFIED,
    code: f.code,
    severity: SEVERITY_TO_PROTO[f.severity] ?? Severity.UNSPECIFIED,
    message: f.message,
    evidence: f.evidence,
    recommendation: f.recommendation,
  };
}

/** The wire form of a search hit. */
export function k6DigestToProto(d: K6RunDigestRecord): K6RunDigest {
  return create(K6RunDigestSchema, {
    runId: d.runId,
    testId: d.testId ?? "",
    testName: d.testName,
    finishedAt: timestampFromDate(d.at),
    verdict: K6_VERDICT_TO_PROTO[d.verdict] ?? Run_Result.UNKNOWN,
    errorRate: d.errorRate ?? 0,
    p95Ms: d.p95Ms ?? 0,
    requestsPerSecond: d.rps ?? 0,
    findings: d.findings,
    worstSeverity: d.worstSeverity ? SEVERITY_TO_PROTO[d.worstSeverity] : Severity.UNSPECIFIED,
  });
}
