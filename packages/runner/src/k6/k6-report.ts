import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { K6Summary, K6Verdict, MetricType, SeriesPoint } from "@tstr/k6";
import { K6MetricSummary_Type, type K6Report, K6ReportSchema, Run_Result } from "@tstr/proto";
import { type K6Outputs, reportedSummary } from "./k6-outputs.js";

/** What ReportResults carries for a k6 attempt. */
export interface K6Reporting {
  report: K6Report;
  /** UTF-8 JSON of the NDJSON's K6Aggregate; empty without an NDJSON (nothing to merge). */
  aggregate: Uint8Array;
  /** Quick-display result data: `k6.p95_ms`, `k6.error_rate`, `k6.rps` when the metrics exist. */
  resultData: Record<string, string>;
}

const METRIC_TYPES: Record<MetricType, K6MetricSummary_Type> = {
  trend: K6MetricSummary_Type.TREND,
  rate: K6MetricSummary_Type.RATE,
  counter: K6MetricSummary_Type.COUNTER,
  gauge: K6MetricSummary_Type.GAUGE,
};

/**
 * The report of one k6 attempt, as the contract with the server says: metrics, thresholds and
 * checks from the NDJSON aggregate when there is one (else from the summary export), the
 * per-second series, the local verdict, no findings (the server computes them against the test's
 * history), and the aggregate so the server can merge the shards of a distributed run.
 * Undefined when k6 left nothing readable.
 */
export function k6Reporting(input: {
  runId: string;
  attempt: number;
  shards: number;
  verdict: K6Verdict;
  outputs: K6Outputs;
}): K6Reporting | undefined {
  const summary = reportedSummary(input.outputs);
  if (!summary) return undefined;
  const ndjson = input.outputs.ndjson;
  const series = ndjson && summary === ndjson.summary ? ndjson.series : [];
  const report = create(K6ReportSchema, {
    runId: input.runId,
    attempt: input.attempt,
    verdict: Run_Result[input.verdict.result],
    metrics: summary.metrics.map((metric) => ({
      name: metric.name,
      type: METRIC_TYPES[metric.type],
      values: metric.values,
      contains: metric.contains ?? "",
    })),
    thresholds: summary.thresholds.map(({ metric, expression, ok }) => ({ metric, expression, ok })),
    checks: summary.checks.map((check) => ({
      group: check.group,
      name: check.name,
      passes: BigInt(check.passes),
      fails: BigInt(check.fails),
    })),
    series: series.map(seriesPointOf),
    shards: Math.max(1, input.shards),
  });
  const aggregate =
    ndjson && summary === ndjson.summary
      ? new TextEncoder().encode(JSON.stringify(ndjson.aggregate))
      : new Uint8Array();
  return { report, aggregate, resultData: quickResultData(summary) };
}

function seriesPointOf(point: SeriesPoint) {
  return {
    time: timestampFromDate(point.time),
    requests: point.requests,
    failedRequests: point.failedRequests,
    vus: point.vus,
    latencyP50: point.latencyP50 ?? 0,
    latencyP90: point.latencyP90 ?? 0,
    latencyP95: point.latencyP95 ?? 0,
    latencyP99: point.latencyP99 ?? 0,
    dataSent: point.dataSent,
    dataReceived: point.dataReceived,
    checksPassed: point.checksPassed,
    checksFailed: point.checksFailed,
  };
}

/** `k6.p95_ms`, `k6.error_rate`, `k6.rps` from the HTTP metrics, for lists that show one run per line. */
function quickResultData(summary: K6Summary): Record<string, string> {
  const value = (metric: string, key: string) => summary.metrics.find((m) => m.name === metric)?.values[key];
  const data: Record<string, string> = {};
  const put = (key: string, number: number | undefined) => {
    if (number !== undefined && Number.isFinite(number)) data[key] = String(Number(number.toPrecision(6)));
  };
  put("k6.p95_ms", value("http_req_duration", "p(95)"));
  put("k6.error_rate", value("http_req_failed", "rate"));
  put("k6.rps", value("http_reqs", "rate"));
  return data;
}
