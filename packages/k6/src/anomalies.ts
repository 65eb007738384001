import type { Finding, K6Summary, MetricSummary } from "./types.js";

/** Limits of {@link detectAnomalies}; every one has a default. */
export interface AnomalyOptions {
  /** http_req_failed rate above which the error rate is a warning. Default 0.05. */
  errorRateWarning?: number;
  /** …and critical. Default 0.10. */
  errorRateCritical?: number;
  /** Average http_req_duration (ms) above which latency is a warning. Default 2000. */
  avgLatencyMs?: number;
  /** p(95) of http_req_duration (ms) above which latency is a warning. Default 5000. */
  p95LatencyMs?: number;
  /** Fewest requests per second per VU (at peak VUs) before throughput is a warning. Default 0.1. */
  minRequestsPerSecondPerVu?: number;
}

/**
 * Rule-based findings on a run's summary: error rate (http_req_failed) above 5 % (warning) or 10 %
 * (critical), average http_req_duration above 2 s, p(95) above 5 s, and throughput too low for the
 * number of VUs (http_reqs per second per peak VU below 0.1). Metrics the summary lacks are not judged.
 */
export function detectAnomalies(summary: K6Summary, options: AnomalyOptions = {}): Finding[] {
  const limits = {
    errorRateWarning: options.errorRateWarning ?? 0.05,
    errorRateCritical: options.errorRateCritical ?? 0.1,
    avgLatencyMs: options.avgLatencyMs ?? 2000,
    p95LatencyMs: options.p95LatencyMs ?? 5000,
    minRequestsPerSecondPerVu: options.minRequestsPerSecondPerVu ?? 0.1,
  };
  const metric = (name: string) => summary.metrics.find((m) => m.name === name);
  return [
    errorRateFinding(metric("http_req_failed"), limits.errorRateWarning, limits.errorRateCritical),
    ...latencyFindings(metric("http_req_duration"), limits.avgLatencyMs, limits.p95LatencyMs),
    throughputFinding(metric("http_reqs"), metric("vus"), metric("vus_max"), limits.minRequestsPerSecondPerVu),
  ].filter((f): f is Finding => f !== undefined);
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`);

function errorRateFinding(failed: MetricSummary | undefined, warning: number, critical: number): Finding | undefined {
  const rate = failed?.values.rate;
  if (rate === undefined || rate <= warning) return undefined;
  const failures = failed?.values.passes ?? 0;
  const requests = failures + (failed?.values.fails ?? 0);
  const severity = rate > critical ? "critical" : "warning";
  return {
    kind: "rule",
    code: "HIGH_ERROR_RATE",
    severity,
    message: `${percent(rate)} of HTTP requests failed (${failures} of ${requests}); the ${severity} limit is ${percent(severity === "critical" ? critical : warning)}`,
    evidence: {
      errorRate: rate,
      failedRequests: failures,
      requests,
      limit: severity === "critical" ? critical : warning,
    },
    recommendation:
      "Group the failed requests by status and URL (http_req_failed counts 4xx, 5xx and network errors): " +
      "errors from the first iterations point at the script or test data, errors that grow with the VU " +
      "count point at capacity (check the service's logs, connection pools and rate limits at that load).",
  };
}

function latencyFindings(duration: MetricSummary | undefined, avgLimit: number, p95Limit: number): Finding[] {
  const avg = duration?.values.avg;
  const p95 = duration?.values["p(95)"];
  const findings: Finding[] = [];
  if (avg !== undefined && avg > avgLimit) {
    findings.push({
      kind: "rule",
      code: "HIGH_AVG_LATENCY",
      severity: "warning",
      message: `HTTP requests took ${ms(avg)} on average (limit ${ms(avgLimit)})`,
      evidence: { avgMs: avg, limitMs: avgLimit, ...(p95 === undefined ? {} : { p95Ms: p95 }) },
      recommendation:
        "Split http_req_duration into http_req_waiting (server time) and http_req_connecting/blocked " +
        "(connection set-up): a high waiting time calls for profiling the slowest endpoints, a high " +
        "connecting time for connection reuse or a larger pool.",
    });
  }
  if (p95 !== undefined && p95 > p95Limit) {
    findings.push({
      kind: "rule",
      code: "HIGH_P95_LATENCY",
      severity: "warning",
      message: `5 % of HTTP requests took longer than ${ms(p95)} (limit ${ms(p95Limit)})`,
      evidence: { p95Ms: p95, limitMs: p95Limit, ...(avg === undefined ? {} : { avgMs: avg }) },
      recommendation:
        "Look at the slowest requests by URL and at the latency series: a tail that grows during the run " +
        "points at queueing (saturated workers, locks, garbage collection); a tail from the start points " +
        "at a few slow endpoints to optimise or to give their own thresholds.",
    });
  }
  return findings;
}

function throughputFinding(
  reqs: MetricSummary | undefined,
  vus: MetricSummary | undefined,
  vusMax: MetricSummary | undefined,
  floor: number,
): Finding | undefined {
  const rate = reqs?.values.rate;
  const peakVus = vus?.values.max ?? vusMax?.values.value;
  if (rate === undefined || peakVus === undefined || peakVus <= 0) return undefined;
  const perVu = rate / peakVus;
  if (perVu >= floor) return undefined;
  return {
    kind: "rule",
    code: "LOW_THROUGHPUT",
    severity: "warning",
    message: `${rate.toFixed(2)} requests/s for ${peakVus} VUs: ${perVu.toFixed(3)} requests/s per VU (floor ${floor})`,
    evidence: { requestsPerSecond: rate, peakVus, requestsPerSecondPerVu: perVu, floor },
    recommendation:
      "Each VU spends most of its time not sending requests: check iteration_duration against the " +
      "script's sleep() calls and request timeouts. If the pacing is intended, lower " +
      "minRequestsPerSecondPerVu for this test; otherwise look for timeouts or slow responses holding VUs.",
  };
}
