import { describe, expect, it } from "vitest";
import { detectAnomalies } from "./anomalies.js";
import type { K6Summary, MetricSummary } from "./types.js";

function run(opts: { errorRate?: number; avg?: number; p95?: number; rate?: number; vus?: number }): K6Summary {
  const metrics: MetricSummary[] = [];
  if (opts.errorRate !== undefined) {
    const passes = Math.round(opts.errorRate * 1000);
    metrics.push({
      name: "http_req_failed",
      type: "rate",
      values: { rate: opts.errorRate, passes, fails: 1000 - passes },
    });
  }
  if (opts.avg !== undefined) {
    metrics.push({
      name: "http_req_duration",
      type: "trend",
      values: { avg: opts.avg, "p(95)": opts.p95 ?? opts.avg },
    });
  }
  if (opts.rate !== undefined)
    metrics.push({ name: "http_reqs", type: "counter", values: { count: 1000, rate: opts.rate } });
  if (opts.vus !== undefined) metrics.push({ name: "vus", type: "gauge", values: { value: 1, min: 1, max: opts.vus } });
  return { metrics, thresholds: [], checks: [] };
}

const codes = (summary: K6Summary) => detectAnomalies(summary).map((f) => [f.code, f.severity]);

describe("detectAnomalies", () => {
  it("finds nothing in a healthy run, or when the metrics are missing", () => {
    expect(detectAnomalies(run({ errorRate: 0.01, avg: 150, p95: 400, rate: 50, vus: 10 }))).toEqual([]);
    expect(detectAnomalies({ metrics: [], thresholds: [], checks: [] })).toEqual([]);
  });

  it("rates the error rate: above 5 % warning, above 10 % critical", () => {
    expect(codes(run({ errorRate: 0.05 }))).toEqual([]);
    expect(codes(run({ errorRate: 0.06 }))).toEqual([["HIGH_ERROR_RATE", "warning"]]);
    expect(codes(run({ errorRate: 0.1 }))).toEqual([["HIGH_ERROR_RATE", "warning"]]);
    const [finding] = detectAnomalies(run({ errorRate: 0.25 }));
    expect(finding).toMatchObject({
      kind: "rule",
      code: "HIGH_ERROR_RATE",
      severity: "critical",
      message: "25.0 % of HTTP requests failed (250 of 1000); the critical limit is 10.0 %",
      evidence: { errorRate: 0.25, failedRequests: 250, requests: 1000, limit: 0.1 },
    });
    expect(finding?.recommendation).toMatch(/status and URL/);
  });

  it("flags an average above 2 s and a p95 above 5 s, with the numbers", () => {
    expect(codes(run({ avg: 2000, p95: 5000 }))).toEqual([]);
    expect(codes(run({ avg: 2500, p95: 4000 }))).toEqual([["HIGH_AVG_LATENCY", "warning"]]);
    expect(codes(run({ avg: 900, p95: 6000 }))).toEqual([["HIGH_P95_LATENCY", "warning"]]);
    const findings = detectAnomalies(run({ avg: 3000, p95: 7000 }));
    expect(findings.map((f) => f.evidence)).toEqual([
      { avgMs: 3000, limitMs: 2000, p95Ms: 7000 },
      { p95Ms: 7000, limitMs: 5000, avgMs: 3000 },
    ]);
  });

  it("flags throughput below 0.1 requests/s per peak VU", () => {
    expect(codes(run({ rate: 10, vus: 100 }))).toEqual([]);
    const [finding] = detectAnomalies(run({ rate: 5, vus: 100 }));
    expect(finding).toMatchObject({
      code: "LOW_THROUGHPUT",
      severity: "warning",
      evidence: { requestsPerSecond: 5, peakVus: 100, requestsPerSecondPerVu: 0.05, floor: 0.1 },
    });
  });

  it("takes its limits from the options", () => {
    const summary = run({ errorRate: 0.03, avg: 600, p95: 900, rate: 20, vus: 100 });
    expect(codes(summary)).toEqual([]);
    expect(
      detectAnomalies(summary, {
        errorRateWarning: 0.01,
        errorRateCritical: 0.02,
        avgLatencyMs: 500,
        p95LatencyMs: 800,
        minRequestsPerSecondPerVu: 0.5,
      }).map((f) => [f.code, f.severity]),
    ).toEqual([
      ["HIGH_ERROR_RATE", "critical"],
      ["HIGH_AVG_LATENCY", "warning"],
      ["HIGH_P95_LATENCY", "warning"],
      ["LOW_THROUGHPUT", "warning"],
    ]);
  });
});
