import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  DataService,
  GetK6ReportResponseSchema,
  GetTestResponseSchema,
  K6Finding_Kind,
  K6MetricSummary_Type,
  type K6StatisticsRequest,
  K6StatisticsResponseSchema,
  Run_Result,
  type SearchK6RunsRequest,
  SearchK6RunsResponseSchema,
  Severity,
} from "@tstr/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../run-cli.js";
import { captureIo } from "../test-support/capture-io.js";
import { type FakeApiServer, startFakeApiServer } from "../test-support/fake-api-server.js";

// `tstrctl k6 report|search|stats` against a fake DataService over a real socket.

const RUN = "00000000-0000-4000-a000-000000000001";
const OTHER = "00000000-0000-4000-a000-000000000002";
const TEST_ID = "11111111-1111-4111-8111-111111111111";

const REPORT = create(GetK6ReportResponseSchema, {
  report: {
    runId: RUN,
    attempt: 1,
    verdict: Run_Result.FAIL,
    shards: 2,
    metrics: [
      {
        name: "http_req_duration",
        type: K6MetricSummary_Type.TREND,
        contains: "time",
        values: { avg: 23.616, min: 4.397, med: 12.18, max: 221.561, "p(90)": 45.94, "p(95)": 122.81, "p(99)": 128.78 },
      },
      { name: "http_req_failed", type: K6MetricSummary_Type.RATE, values: { rate: 25 / 127, passes: 25, fails: 102 } },
      { name: "http_reqs", type: K6MetricSummary_Type.COUNTER, values: { count: 127, rate: 12.6766 } },
      { name: "iterations", type: K6MetricSummary_Type.COUNTER, values: { count: 25, rate: 2.5 } },
      { name: "vus", type: K6MetricSummary_Type.GAUGE, values: { value: 5, min: 1, max: 10 } },
      { name: "data_received", type: K6MetricSummary_Type.COUNTER, values: { count: 1_234_567, rate: 123_456 } },
      { name: "data_sent", type: K6MetricSummary_Type.COUNTER, values: { count: 950, rate: 95 } },
    ],
    thresholds: [
      { metric: "http_req_duration", expression: "p(95)<500", ok: true },
      { metric: "http_req_failed", expression: "rate<0.01", ok: false },
    ],
    checks: [
      { group: "", name: "status is 200", passes: 102n, fails: 25n },
      { group: "::vote", name: "has id", passes: 25n, fails: 0n },
    ],
    findings: [
      {
        kind: K6Finding_Kind.RULE,
        code: "HIGH_ERROR_RATE",
        severity: Severity.CRITICAL,
        message: "19.7 % of HTTP requests failed (25 of 127)",
        recommendation: "Group the failed requests by status and URL.",
      },
    ],
    llmSummary: "Fast, but one request in five failed.\nLook at the 4xx responses.",
  },
});

const SEARCH = create(SearchK6RunsResponseSchema, {
  runs: [
    {
      runId: RUN,
      testId: TEST_ID,
      testName: "hello",
      finishedAt: timestampFromDate(new Date("2026-01-02T03:04:05Z")),
      verdict: Run_Result.FAIL,
      errorRate: 25 / 127,
      p95Ms: 122.81,
      requestsPerSecond: 12.6766,
      findings: 2,
      worstSeverity: Severity.CRITICAL,
    },
    {
      runId: OTHER,
      testId: TEST_ID,
      testName: "hello",
      finishedAt: timestampFromDate(new Date("2026-01-01T00:00:00Z")),
      verdict: Run_Result.PASS,
      errorRate: 0,
      p95Ms: 1520,
      requestsPerSecond: 9.937,
    },
  ],
});

const STATS = create(K6StatisticsResponseSchema, {
  runs: 4,
  anomalyRate: 0.5,
  findingsBySeverity: { critical: 1, warning: 2 },
  tests: [{ testId: TEST_ID, testName: "hello", runs: 4, anomalyRate: 0.5, p95MsFirst: 100, p95MsLast: 125 }],
});

let server: FakeApiServer;
let searchResults = SEARCH;

beforeAll(async () => {
  server = await startFakeApiServer((router) =>
    router.service(DataService, {
      getK6Report: (req) => {
        if (req.runId !== RUN) throw new ConnectError(`run "${req.runId}" has no k6 report`, Code.NotFound);
        return REPORT;
      },
      searchK6Runs: () => searchResults,
      k6Statistics: () => STATS,
      getTest: (req) => create(GetTestResponseSchema, { test: { id: TEST_ID, name: req.name, namespace: "default" } }),
    }),
  );
});
afterAll(() => server.close());

async function cli(...args: string[]) {
  const io = captureIo({ env: { TSTR_ADDR: server.addr, TSTR_NAMESPACE: "perf" } });
  const code = await runCli(args, io);
  return { code, out: io.out, err: io.err };
}

const last = (method: string) => server.calls.filter((c) => c.method === method).at(-1);

describe("tstrctl k6 report", () => {
  it("shows the verdict, latency percentiles, errors, thresholds, checks, findings and the LLM summary", async () => {
    const result = await cli("k6", "report", RUN);
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        `Run:         ${RUN} (attempt 1)`,
        "Shards:      2 (merged report)",
        "Verdict:     FAIL",
        "Requests:    127 (12.7/s)",
        "Errors:      19.69% (25 of 127 requests failed)",
        "Iterations:  25 (2.50/s)",
        "VUs max:     10",
        "Data:        1.23 MB received (123 kB/s), 950 B sent (95 B/s)",
        "",
        "HTTP_REQ_DURATION   P50      P90      P95     P99     AVG      MAX",
        "all requests        12.2ms   45.9ms   123ms   129ms   23.6ms   222ms",
        "",
        "THRESHOLD   METRIC              EXPRESSION",
        "✓           http_req_duration   p(95)<500",
        "✗           http_req_failed     rate<0.01",
        "",
        "CHECK             GROUP    PASSES   FAILS",
        "✗ status is 200   -        102      25",
        "✓ has id          ::vote   25       0",
        "",
        "Findings:",
        "  CRITICAL  HIGH_ERROR_RATE: 19.7 % of HTTP requests failed (25 of 127)",
        "    → Group the failed requests by status and URL.",
        "",
        "Summary (LLM):",
        "  Fast, but one request in five failed.",
        "  Look at the 4xx responses.",
        "",
      ].join("\n"),
    );
    expect(last("GetK6Report")).toMatchObject({ namespace: "perf", message: { runId: RUN } });
  });

  it("prints the report message with -o json", async () => {
    const result = await cli("k6", "report", RUN, "-o", "json");
    const json = JSON.parse(result.out);
    expect(json.report).toMatchObject({ runId: RUN, verdict: "FAIL", shards: 2 });
    expect(json.report.thresholds[1]).toEqual({ metric: "http_req_failed", expression: "rate<0.01" });
  });

  it("fails with the server's message for a run without a report", async () => {
    const result = await cli("k6", "report", OTHER);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`run "${OTHER}" has no k6 report`);
  });
});

describe("tstrctl k6 search", () => {
  it("sends every filter and lists the runs", async () => {
    const started = Date.now();
    const result = await cli(
      "k6",
      "search",
      "--anomalies",
      "--min-error-rate",
      "5%",
      "--max-p95",
      "1.5s",
      "--test",
      "hello",
      "--selector",
      "env=prod",
      "--since",
      "2h",
      "--limit",
      "10",
    );
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        "RUN                                    TEST    FINISHED               VERDICT   P95     ERRORS   RPS    FINDINGS",
        `${RUN}   hello   2026-01-02T03:04:05Z   FAIL      123ms   19.69%   12.7   2 (critical)`,
        `${OTHER}   hello   2026-01-01T00:00:00Z   PASS      1.52s   0.00%    9.94   0`,
        "",
      ].join("\n"),
    );
    const request = last("SearchK6Runs")?.message as SearchK6RunsRequest;
    expect(request).toMatchObject({
      testId: TEST_ID,
      selector: "env=prod",
      anomaliesOnly: true,
      minErrorRate: 0.05,
      maxP95Ms: 1500,
      limit: 10,
    });
    const after = timestampDate(request.after ?? timestampFromDate(new Date(0))).getTime();
    expect(after).toBeGreaterThanOrEqual(started - 2 * 3600_000 - 1000);
    expect(after).toBeLessThanOrEqual(Date.now() - 2 * 3600_000);
    expect(last("GetTest")).toMatchObject({ message: { name: "hello" } });
  });

  it("sends no bounds without flags, accepts plain numbers, and says when nothing matched", async () => {
    searchResults = create(SearchK6RunsResponseSchema, {});
    const result = await cli("k6", "search", "--min-error-rate", "0.2", "--max-p95", "800", "--since", "7d");
    searchResults = SEARCH;
    expect(result).toMatchObject({ code: 0, out: "", err: 'no k6 runs found in namespace "perf"\n' });
    expect(last("SearchK6Runs")?.message).toMatchObject({ minErrorRate: 0.2, maxP95Ms: 800, anomaliesOnly: false });
    await cli("k6", "search");
    const plain = last("SearchK6Runs")?.message as SearchK6RunsRequest;
    expect(plain).toMatchObject({ testId: "", selector: "", minErrorRate: 0, maxP95Ms: 0, limit: 50 });
    expect(plain.after).toBeUndefined();
  });

  it.each([
    [["--min-error-rate", "2"], "--min-error-rate"],
    [["--max-p95", "fast"], "--max-p95"],
    [["--since", "5x"], "--since"],
    [["--limit", "0"], "--limit"],
  ])("refuses %j as a usage error", async (flags, named) => {
    const result = await cli("k6", "search", ...flags);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`tstrctl: ${named}`);
  });
});

describe("tstrctl k6 stats", () => {
  it("shows totals, findings by severity and the p95 trend per test", async () => {
    const result = await cli("k6", "stats", "--days", "3");
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        "Period:         last 3 days",
        "k6 runs:        4",
        "With findings:  50.00%",
        "Findings:       critical 1, warning 2, info 0",
        "",
        "TEST    RUNS   WITH FINDINGS   P95 FIRST   P95 LAST   P95 CHANGE",
        "hello   4      50.00%          100ms       125ms      +25.0%",
        "",
      ].join("\n"),
    );
    const days = () => (last("K6Statistics")?.message as K6StatisticsRequest | undefined)?.days;
    expect(days()).toBe(3);
    await cli("k6", "stats");
    expect(days()).toBe(7);
    expect((await cli("k6", "stats", "--days", "0")).code).toBe(2);
  });

  it("is listed in the help", async () => {
    const result = await cli("k6", "--help");
    expect(result.out).toMatch(/^ {2}report {3}Show a k6 run's report/m);
    expect(result.out).toMatch(/^ {2}search {3}Find k6 runs/m);
    expect(result.out).toMatch(/^ {2}stats {4}Summarise recent k6 runs/m);
    expect((await cli("--help")).out).toMatch(/^ {2}k6 +Read k6 load-test reports/m);
  });
});
