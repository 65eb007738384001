import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import type { NdjsonResult } from "@tstr/k6";
import { ControlService, DataService, K6Finding_Kind, K6MetricSummary_Type, Run_Result, Severity } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";
import { aggregateLines, fixtureLines, handRunner, k6Results } from "./support/k6-reports.js";

// k6 reports fed through the runner API (ReportResults, as the runner sends them, built with
// @tstr/k6 from real k6 outputs), then read with GetK6Report, SearchK6Runs and K6Statistics.

const FAST = "r00tsh_golang-api-test_k6_results.ndjson"; // p(95) 12.9 ms, no errors, 9.9 req/s
const FAILING = "rodolfodpk_desafio-votacao_k6-results.first2000lines.ndjson"; // p(95) 123 ms, 19.7 % errors
const SLOW = "kirilly_k6-load-template_k6-results.ndjson"; // p(95) 14.3 s, 1.3 req/s for 30 VUs

const database = useTestDatabase();
let plane: ControlPlane;
let admin: string;
let runner: Awaited<ReturnType<typeof handRunner>>;
const results = new Map<string, NdjsonResult>();
const result = (file: string) => results.get(file) as NdjsonResult;
const control = () => clientOf(ControlService, transportFor(plane.url, { token: admin }));
const data = (token = admin) => clientOf(DataService, transportFor(plane.url, { token }));
const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e) => ConnectError.from(e),
  );

beforeAll(async () => {
  plane = await startControlPlane({ db: database.db, logger: silentLogger }, { host: "127.0.0.1", port: 0 });
  admin = plane.bootstrapToken ?? "";
  const registration = (await issueToken(plane.url, admin, ["runner"], [".*"])).token;
  runner = await handRunner(plane.url, registration, "k6-queries", "k6q");
  for (const file of [FAST, FAILING, SLOW]) results.set(file, aggregateLines(fixtureLines(file)));
});
afterAll(() => plane?.stop());

async function k6Test(name: string, labels: Record<string, string> = {}, namespace = "") {
  await control().registerTest({
    name,
    namespace,
    labels: { k6q: "1", ...labels },
    executor: "k6",
    runConfig: { containerImage: "grafana/k6", command: "k6" },
  });
}

/** Schedules a run of `test`, takes it, reports `file`'s results and finishes it; returns its id. */
async function k6Run(test: string, file: string, opts: { namespace?: string; labels?: Record<string, string> } = {}) {
  const { runs } = await control().scheduleRun({ testName: test, namespace: opts.namespace, labels: opts.labels });
  const runId = runs[0]?.id ?? "";
  const taken = await runner.take(1);
  const attempt = taken.get(runId) ?? 0;
  expect(attempt).toBe(1);
  await runner.start(runId, attempt);
  await runner.report(k6Results(runId, attempt, result(file)));
  await runner.finish(
    runId,
    attempt,
    result(file).summary.thresholds.every((t) => t.ok) ? Run_Result.PASS : Run_Result.FAIL,
  );
  return runId;
}

/** A run taken and started but not finished (for refused reports). */
async function startedRun(test: string) {
  const { runs } = await control().scheduleRun({ testName: test });
  const runId = runs[0]?.id ?? "";
  const attempt = (await runner.take(1)).get(runId) ?? 0;
  await runner.start(runId, attempt);
  return { runId, attempt };
}

describe("ReportResults with k6 results", () => {
  beforeAll(() => k6Test("ingest"));

  it("refuses a malformed aggregate naming the field, and stores nothing of the report", async () => {
    const { runId, attempt } = await startedRun("ingest");
    const aggregate = JSON.parse(JSON.stringify(result(FAST).aggregate));
    aggregate.metrics.http_reqs.counter.sum = "many";
    const request = {
      ...k6Results(runId, attempt, result(FAST)),
      resultData: { marker: "must not be stored" },
      k6Aggregate: new TextEncoder().encode(JSON.stringify(aggregate)),
    };
    const error = await errorOf(runner.report(request));
    expect(error?.code).toBe(Code.InvalidArgument);
    expect(error?.rawMessage).toContain("k6_aggregate.metrics.http_reqs.counter.sum: expected a number");

    aggregate.metrics.http_reqs.counter.sum = 300;
    aggregate.metrics.http_req_duration.trend.histogram = "bm90IGEgaGlzdG9ncmFt";
    const histogram = await errorOf(
      runner.report({ ...request, k6Aggregate: new TextEncoder().encode(JSON.stringify(aggregate)) }),
    );
    expect(histogram?.rawMessage).toContain(
      "k6_aggregate.metrics.http_req_duration.trend.histogram: not an HdrHistogram",
    );

    const badReport = k6Results(runId, attempt, result(FAST));
    const metrics = badReport.k6?.metrics ?? [];
    (metrics[1] as { type: K6MetricSummary_Type }).type = K6MetricSummary_Type.UNSPECIFIED;
    (metrics[2] as { values: Record<string, number> }).values = { "p(95)": Number.NaN };
    const report = await errorOf(runner.report(badReport));
    expect(report?.code).toBe(Code.InvalidArgument);
    expect(report?.rawMessage).toContain("k6.metrics[1].type: must be TREND, RATE, COUNTER or GAUGE");
    expect(report?.rawMessage).toContain('k6.metrics[2].values["p(95)"]: must be a finite number');

    expect((await errorOf(data().getK6Report({ runId })))?.code).toBe(Code.NotFound);
    expect((await data().getRun({ id: runId })).run?.resultData.marker).toBeUndefined();
  });

  it("replaces a resent report of the same attempt instead of adding to it", async () => {
    const { runId, attempt } = await startedRun("ingest");
    await runner.report(k6Results(runId, attempt, result(FAILING)));
    await runner.report(k6Results(runId, attempt, result(FAILING)));
    const counts = await database.db.pool.query(
      `SELECT (SELECT count(*) FROM k6_summaries WHERE run_id = $1)::int AS summaries,
              (SELECT count(*) FROM k6_series WHERE run_id = $1)::int AS series,
              (SELECT count(*) FROM k6_findings WHERE run_id = $1)::int AS findings`,
      [runId],
    );
    const report = (await data().getK6Report({ runId })).report;
    expect(counts.rows[0]).toEqual({
      summaries: 1,
      series: result(FAILING).series.length,
      findings: report?.findings.length,
    });
    expect(report?.series).toHaveLength(result(FAILING).series.length);
    await runner.finish(runId, attempt, Run_Result.FAIL);
  });

  it("derives the report from the aggregate alone", async () => {
    const { runId, attempt } = await startedRun("ingest");
    await runner.report({ ...k6Results(runId, attempt, result(FAST)), k6: undefined });
    const report = (await data().getK6Report({ runId })).report;
    expect(report?.verdict).toBe(Run_Result.PASS);
    expect(report?.metrics.find((m) => m.name === "http_reqs")?.values.count).toBe(300);
    expect(report?.series.length).toBe(result(FAST).series.length);
    await runner.finish(runId, attempt);
  });
});

describe("GetK6Report", () => {
  it("returns the report with rule findings, in the run's namespace only", async () => {
    await k6Test("errors");
    const runId = await k6Run("errors", FAILING);
    const report = (await data().getK6Report({ runId })).report;
    expect(report).toMatchObject({ runId, attempt: 1, verdict: Run_Result.PASS, shards: 1, llmSummary: "" });
    expect(report?.metrics.find((m) => m.name === "http_req_failed")?.values.rate).toBeCloseTo(0.19685, 4);
    expect(report?.checks.length).toBeGreaterThan(0);
    expect(report?.findings.map((f) => [f.kind, f.code, f.severity])).toEqual([
      [K6Finding_Kind.RULE, "HIGH_ERROR_RATE", Severity.CRITICAL],
    ]);
    expect(report?.findings[0]?.recommendation).toMatch(/status and URL/);
    expect((await errorOf(data().getK6Report({ runId, namespace: "elsewhere" })))?.code).toBe(Code.NotFound);
    const outsider = (await issueToken(plane.url, admin, ["data:read"], ["elsewhere"])).token;
    expect((await errorOf(data(outsider).getK6Report({ runId })))?.code).toBe(Code.PermissionDenied);
  });

  it("finds regressions against the last passing runs of the same test and labels", async () => {
    await k6Test("trend", { env: "staging" });
    for (let i = 0; i < 5; i++) await k6Run("trend", FAST);
    const slower = await k6Run("trend", FAILING);
    const codes = (await data().getK6Report({ runId: slower })).report?.findings.map((f) => [f.code, f.severity]);
    expect(codes).toEqual([
      ["HIGH_ERROR_RATE", Severity.CRITICAL],
      ["P95_REGRESSION", Severity.CRITICAL],
      ["ERROR_RATE_REGRESSION", Severity.CRITICAL],
    ]);
    // Another label set has its own baseline (none yet): no regression is judged.
    const elsewhere = await k6Run("trend", FAILING, { labels: { env: "prod" } });
    const other = (await data().getK6Report({ runId: elsewhere })).report?.findings.map((f) => f.code);
    expect(other).toEqual(["HIGH_ERROR_RATE"]);
  });
});

describe("SearchK6Runs and K6Statistics", () => {
  const ids: Record<string, string> = {};
  let before: Date;
  beforeAll(async () => {
    await k6Test("search-fast", { tier: "smoke" });
    await k6Test("search-slow", { tier: "load" });
    await k6Test("search-fast", {}, "team-b");
    ids.fast1 = await k6Run("search-fast", FAST);
    ids.fast2 = await k6Run("search-fast", FAST);
    before = new Date();
    ids.slow = await k6Run("search-slow", SLOW);
    ids.failing = await k6Run("search-fast", FAILING);
    ids.otherNamespace = await k6Run("search-fast", FAILING, { namespace: "team-b" });
  });
  const names = (runs: { runId: string }[]) =>
    runs.map((r) => Object.entries(ids).find(([, id]) => id === r.runId)?.[0] ?? "other");
  const search = async (q: Parameters<ReturnType<typeof data>["searchK6Runs"]>[0]) =>
    names((await data().searchK6Runs(q)).runs).filter((n) => n !== "other");

  it("lists k6 runs newest first with their digest", async () => {
    const { runs } = await data().searchK6Runs({ selector: "tier" });
    expect(names(runs)).toEqual(["failing", "slow", "fast2", "fast1"]);
    const fast = (await data().getTest({ name: "search-fast" })).test?.id;
    expect(runs[0]).toMatchObject({
      testId: fast,
      testName: "search-fast",
      verdict: Run_Result.PASS,
      findings: 1,
      worstSeverity: Severity.CRITICAL,
    });
    expect(runs[0]?.errorRate).toBeCloseTo(0.19685, 4);
    expect(runs[0]?.p95Ms).toBeCloseTo(122.8, 0);
    expect(runs[0]?.requestsPerSecond).toBeGreaterThan(12);
    expect(runs[3]).toMatchObject({ findings: 0, worstSeverity: Severity.UNSPECIFIED });
  });

  it("filters by anomalies, error rate, p95, test, selector, period and limit", async () => {
    const fast = (await data().getTest({ name: "search-fast" })).test?.id ?? "";
    expect(await search({ selector: "tier", anomaliesOnly: true })).toEqual(["failing", "slow"]);
    expect(await search({ selector: "tier", minErrorRate: 0.1 })).toEqual(["failing"]);
    expect(await search({ selector: "tier", maxP95Ms: 200 })).toEqual(["failing", "fast2", "fast1"]);
    expect(await search({ testId: fast })).toEqual(["failing", "fast2", "fast1"]);
    expect(await search({ selector: "tier=load" })).toEqual(["slow"]);
    expect(await search({ selector: "tier", after: timestampFromDate(before) })).toEqual(["failing", "slow"]);
    expect(await search({ selector: "tier", before: timestampFromDate(before) })).toEqual(["fast2", "fast1"]);
    expect(await search({ selector: "tier", limit: 2 })).toEqual(["failing", "slow"]);
    expect(names((await data().searchK6Runs({ namespace: "team-b" })).runs)).toEqual(["otherNamespace"]);
    const bad = await errorOf(data().searchK6Runs({ testId: "nope", minErrorRate: 2, selector: "a in (" }));
    expect(bad?.code).toBe(Code.InvalidArgument);
    const outsider = (await issueToken(plane.url, admin, ["data:read"], ["team-b"])).token;
    expect((await errorOf(data(outsider).searchK6Runs({})))?.code).toBe(Code.PermissionDenied);
    expect(names((await data(outsider).searchK6Runs({ namespace: "team-b" })).runs)).toEqual(["otherNamespace"]);
  });

  it("sums up a namespace's k6 runs: anomaly rate, findings by severity, trend per test", async () => {
    const stats = await data().k6Statistics({ namespace: "team-b", days: 7 });
    expect(stats).toMatchObject({ runs: 1, anomalyRate: 1, findingsBySeverity: { critical: 1 } });
    const all = await data().k6Statistics({});
    const fast = all.tests.find((t) => t.testName === "search-fast");
    expect(fast).toMatchObject({
      runs: 3,
      p95MsFirst: result(FAST).summary.metrics.find((m) => m.name === "http_req_duration")?.values["p(95)"],
    });
    expect(fast?.anomalyRate).toBeCloseTo(1 / 3, 6);
    expect(fast?.p95MsLast).toBeCloseTo(122.8, 0);
    const counted = all.tests.reduce((n, t) => n + t.runs, 0);
    expect(all.runs).toBe(counted);
    expect(all.anomalyRate).toBeCloseTo(all.tests.reduce((n, t) => n + t.anomalyRate * t.runs, 0) / counted, 6);
    expect(Object.keys(all.findingsBySeverity).sort()).toEqual(["critical", "warning"]);
    expect((await errorOf(data().k6Statistics({ days: 1000 })))?.code).toBe(Code.InvalidArgument);
  });
});
