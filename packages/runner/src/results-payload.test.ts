import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { emptyAggregate, type K6Aggregate, parseK6Aggregate } from "@tstr/k6";
import { K6ReportSchema, type ReportResultsRequest, ReportResultsRequestSchema, TestCaseSchema } from "@tstr/proto";
import { describe, expect, it } from "vitest";
import {
  fitResultsRequest,
  MAX_REPORT_BYTES,
  MAX_REPORTED_CHECKS,
  reducedResultsRequest,
  resultsRequest,
} from "./results-payload.js";

const START = Date.UTC(2025, 0, 1) / 1_000;

function k6Request(options: { seconds: number; checks: number }): ReportResultsRequest {
  const checks = Array.from({ length: options.checks }, (_, i) => ({
    group: "",
    name: `check ${i}`,
    passes: 100,
    // Every 3rd check fails, the later ones more often: those are the ones worth keeping.
    fails: i % 3 === 0 ? i + 1 : 0,
  }));
  const aggregate: K6Aggregate = {
    ...emptyAggregate(),
    checks,
    series: Array.from({ length: options.seconds }, (_, i) => ({
      second: START + i,
      requests: 10,
      failedRequests: 1,
      dataSent: 1_000,
      dataReceived: 20_000,
      checksPassed: 5,
      checksFailed: 1,
    })),
  };
  const report = create(K6ReportSchema, {
    runId: "run-1",
    attempt: 1,
    metrics: [{ name: "http_reqs", values: { count: 10 * options.seconds } }],
    checks: checks.map((c) => ({ ...c, passes: BigInt(c.passes), fails: BigInt(c.fails) })),
    series: Array.from({ length: options.seconds }, (_, i) => ({
      time: timestampFromDate(new Date((START + i) * 1_000)),
      requests: 10 + i,
      failedRequests: 1,
      vus: 20,
      latencyP50: 12.5,
      latencyP90: 40.25,
      latencyP95: 55.125,
      latencyP99: 90.0625,
      dataSent: 1_000 + i,
      dataReceived: 20_000 + i,
      checksPassed: 5,
      checksFailed: 1,
    })),
  });
  return resultsRequest({
    runId: "run-1",
    attempt: 1,
    results: {
      data: { "k6.p95_ms": "55.1", "k6.verdict": "PASS" },
      testCases: [create(TestCaseSchema, { name: "smoke", suite: "k6" })],
    },
    k6: report,
    k6Aggregate: new TextEncoder().encode(JSON.stringify(aggregate)),
  });
}

const sizeOf = (request: ReportResultsRequest) => toBinary(ReportResultsRequestSchema, request).byteLength;
const aggregateOf = (request: ReportResultsRequest) => parseK6Aggregate(new TextDecoder().decode(request.k6Aggregate));

describe("fitResultsRequest", () => {
  it("leaves a request under the limit as it is", () => {
    const request = k6Request({ seconds: 60, checks: 5 });
    const fitted = fitResultsRequest(request);
    expect(fitted.notes).toEqual([]);
    expect(fitted.request).toEqual(request);
  });

  it("keeps the 1,000 checks with the most failures, in the report and the aggregate", () => {
    const fitted = fitResultsRequest(k6Request({ seconds: 10, checks: 1_500 }));
    const kept = fitted.request.k6?.checks ?? [];
    expect(kept).toHaveLength(MAX_REPORTED_CHECKS);
    // All 500 failing checks survive, in their original order.
    expect(kept.filter((c) => c.fails > 0n)).toHaveLength(500);
    expect(kept.map((c) => Number(c.name.split(" ")[1]))).toEqual(
      [...kept.map((c) => Number(c.name.split(" ")[1]))].sort((a, b) => a - b),
    );
    expect(aggregateOf(fitted.request).checks).toHaveLength(MAX_REPORTED_CHECKS);
    expect(fitted.notes).toEqual([
      "the k6 report keeps 1000 of 1500 distinct checks (those with the most failures); the rest are left out",
    ]);
  });

  it("drops the aggregate's per-second buckets, then downsamples the series, until the request fits", () => {
    const request = k6Request({ seconds: 2_000, checks: 3 });
    const maxBytes = 60_000;
    expect(sizeOf(request)).toBeGreaterThan(maxBytes);
    const fitted = fitResultsRequest(request, { maxBytes, maxChecks: MAX_REPORTED_CHECKS });
    expect(sizeOf(fitted.request)).toBeLessThanOrEqual(maxBytes);
    expect(aggregateOf(fitted.request).series).toEqual([]);
    expect(aggregateOf(fitted.request).checks).toHaveLength(3);
    const series = fitted.request.k6?.series ?? [];
    expect(series.length).toBeGreaterThan(100);
    expect(series.length).toBeLessThan(2_000);
    // Whole seconds kept as they were, the last one included.
    expect(series.at(-1)).toEqual(request.k6?.series.at(-1));
    const stride = (series[1]?.requests ?? 0) - 10;
    expect([2, 4, 8, 16]).toContain(stride);
    expect(series[2]?.requests).toBe(10 + 2 * stride);
    expect(fitted.request.resultData).toEqual(request.resultData);
    expect(fitted.request.testCases).toEqual(request.testCases);
    expect(fitted.request.k6?.metrics).toEqual(request.k6?.metrics);
    expect(fitted.notes).toEqual([
      expect.stringMatching(
        /^the k6 report \(\d+ bytes\) is over the 60000-byte limit: the mergeable aggregate is sent without its per-second buckets$/,
      ),
      expect.stringMatching(
        /^the k6 report's per-second series is downsampled to one second in \d+ \(\d+ of 2000 points\)/,
      ),
    ]);
    // The request given is not modified.
    expect(request.k6?.series).toHaveLength(2_000);
    expect(aggregateOf(request).series).toHaveLength(2_000);
  });

  it("fits a long run under the real 3.5 MiB limit", () => {
    const request = k6Request({ seconds: 40_000, checks: 10 });
    expect(sizeOf(request)).toBeGreaterThan(4 * 1024 * 1024);
    const fitted = fitResultsRequest(request);
    expect(sizeOf(fitted.request)).toBeLessThanOrEqual(MAX_REPORT_BYTES);
    expect(fitted.request.k6?.series.length).toBeGreaterThan(10_000);
  });
});

describe("reducedResultsRequest", () => {
  it("leaves out the aggregate and the series, keeping result data, test cases and the summary", () => {
    const request = k6Request({ seconds: 30, checks: 4 });
    const reduced = reducedResultsRequest(request);
    expect(reduced?.k6Aggregate).toEqual(new Uint8Array());
    expect(reduced?.k6?.series).toEqual([]);
    expect(reduced?.k6?.checks).toHaveLength(4);
    expect(reduced?.k6?.metrics).toEqual(request.k6?.metrics);
    expect(reduced?.resultData).toEqual(request.resultData);
    expect(reduced?.testCases).toEqual(request.testCases);
    expect(request.k6?.series).toHaveLength(30);
  });

  it("has nothing to reduce in results without k6 bulk", () => {
    const request = resultsRequest({ runId: "r", attempt: 1, results: { data: { a: "1" }, testCases: [] } });
    expect(reducedResultsRequest(request)).toBeUndefined();
  });
});
