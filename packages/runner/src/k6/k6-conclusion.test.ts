import { createReadStream, existsSync } from "node:fs";
import path from "node:path";
import { parseK6Aggregate } from "@tstr/k6";
import { K6MetricSummary_Type, Run_Result } from "@tstr/proto";
import { describe, expect, it } from "vitest";
import { concludeK6Run } from "./k6-conclusion.js";
import type { OpenResult } from "./k6-outputs.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../../../../shared/fixtures/k6");
const SUMMARY_FAILED = "summary-export/sweet-poision_rate-limiter_heavy_custom-rates_threshold-failed.json";
const SUMMARY_OK = "summary-export/habiba2811_k6-practice-app_groups_thresholds.json";
const NDJSON_OK = "ndjson/rodolfodpk_desafio-votacao_k6-results.first2000lines.ndjson";

/** A results directory holding these real k6 outputs (fixture paths), or literal text. */
function results(files: { summary?: string | { text: string }; ndjson?: string | { text: string } }): OpenResult {
  const source = { "k6-summary.json": files.summary, "k6.ndjson": files.ndjson } as const;
  return async (name) => {
    const file = source[name as keyof typeof source];
    if (file === undefined) return undefined;
    if (typeof file === "object")
      return (async function* () {
        yield new TextEncoder().encode(file.text);
      })();
    const full = path.join(FIXTURES, file);
    if (!existsSync(full)) throw new Error(`fixture missing: ${full}`);
    return createReadStream(full);
  };
}

const conclude = (open: OpenResult, exitCode: number, shardCount = 1) =>
  concludeK6Run({ open, exitCode, runId: "run-1", attempt: 2, shardCount });

describe("concludeK6Run on real k6 outputs", () => {
  it("reports the NDJSON's metrics, series, thresholds and aggregate, and passes when they held", async () => {
    const done = await conclude(results({ summary: SUMMARY_OK, ndjson: NDJSON_OK }), 0);
    expect(done).toMatchObject({ result: "PASS", notes: [] });
    const report = done.report;
    expect(report).toMatchObject({ runId: "run-1", attempt: 2, verdict: Run_Result.PASS, shards: 1, findings: [] });
    expect(report?.thresholds.map((t) => [t.metric, t.expression, t.ok])).toEqual([
      ["http_req_duration", "p(95)<500", true],
      ["http_req_failed", "rate<0.25", true],
      ["smoke_test_success", "rate>0.99", true],
    ]);
    const duration = report?.metrics.find((m) => m.name === "http_req_duration");
    expect(duration?.type).toBe(K6MetricSummary_Type.TREND);
    expect(Object.keys(duration?.values ?? {})).toEqual(expect.arrayContaining(["avg", "med", "p(95)", "p(99)"]));
    expect(report?.series.length).toBe(11);
    expect(report?.series.reduce((sum, p) => sum + p.requests, 0)).toBe(
      report?.metrics.find((m) => m.name === "http_reqs")?.values.count,
    );
    const aggregate = parseK6Aggregate(new TextDecoder().decode(done.aggregate));
    expect(aggregate.thresholdDefinitions.http_req_duration).toEqual(["p(95)<500"]);
    expect(done.resultData).toEqual({
      "k6.verdict": "PASS",
      "k6.p95_ms": expect.stringMatching(/^\d+(\.\d+)?$/),
      "k6.error_rate": expect.stringMatching(/^\d/),
      "k6.rps": expect.stringMatching(/^\d/),
    });
    expect(Number(done.resultData["k6.p95_ms"])).toBeCloseTo(duration?.values["p(95)"] ?? -1, 2);
  });

  it("fails THRESHOLDS on exit 99 with the summary export's failed threshold in the report", async () => {
    const done = await conclude(results({ summary: SUMMARY_FAILED }), 99);
    expect(done).toMatchObject({ result: "FAIL", reason: "THRESHOLDS", resultData: { "k6.verdict": "FAIL" } });
    expect(done.report?.verdict).toBe(Run_Result.FAIL);
    expect(done.report?.thresholds.map((t) => [t.expression, t.ok])).toEqual([["p(95)<50", false]]);
    expect(done.report?.series).toEqual([]);
    expect(done.aggregate.byteLength).toBe(0);
    expect(done.notes).toEqual(["k6: k6 reported failed thresholds: http_req_duration: p(95)<50"]);
    expect(done.resultData["k6.p95_ms"]).toBe("165.288");
  });

  it("fails THRESHOLDS when k6 exited 0 but the summary says a threshold failed", async () => {
    expect(await conclude(results({ summary: SUMMARY_FAILED }), 0)).toMatchObject({
      result: "FAIL",
      reason: "THRESHOLDS",
    });
  });

  it("accepts a handleSummary JSON where the summary export is expected", async () => {
    const done = await conclude(
      results({ summary: "handlesummary/scottgal_mostlyucid-nmt_threshold-failed_custom.json" }),
      99,
    );
    expect(done.report?.thresholds.filter((t) => !t.ok).map((t) => t.expression)).toEqual(["p(95) < 5000"]);
  });

  it("lets a shard pass with failed local thresholds, reporting its own verdict and the shard count", async () => {
    const done = await conclude(results({ summary: SUMMARY_FAILED, ndjson: NDJSON_OK }), 99, 3);
    expect(done).toMatchObject({
      result: "PASS",
      resultData: { "k6.verdict": "FAIL", "k6.local_thresholds": "failed" },
    });
    expect(done.reason).toBeUndefined();
    expect(done.report).toMatchObject({ verdict: Run_Result.FAIL, shards: 3 });
    expect(done.aggregate.byteLength).toBeGreaterThan(0);
    expect(done.notes.at(-1)).toMatch(/server judges them on the merged data of all 3 shards/);
  });

  it("judges by the exit code alone when k6 left nothing, saying so", async () => {
    const none = await conclude(results({}), 0);
    expect(none).toMatchObject({ result: "PASS", resultData: { "k6.verdict": "PASS" }, aggregate: new Uint8Array() });
    expect(none.report).toBeUndefined();
    expect(none.notes).toEqual([
      expect.stringMatching(/neither k6-summary\.json nor k6\.ndjson.*judged by its exit code/),
    ]);
    expect(await conclude(results({}), 107)).toMatchObject({ result: "ERROR", reason: "K6_SCRIPT_EXCEPTION" });
  });

  it("survives broken outputs: a malformed summary and NDJSON lines that are not JSON", async () => {
    const done = await conclude(
      results({ summary: { text: '{"metrics": {"x": ' }, ndjson: { text: "not json\n{also not\n" } }),
      99,
    );
    expect(done).toMatchObject({ result: "FAIL", reason: "THRESHOLDS" });
    expect(done.notes.join("\n")).toMatch(/k6-summary\.json: summary export: /);
    expect(done.notes.join("\n")).toMatch(/k6\.ndjson: 2 of 2 lines were unusable and skipped \(line 1: /);
    expect(done.notes.join("\n")).toMatch(/k6\.ndjson: no metric samples/);
  });

  it("survives a results stream that fails while being read", async () => {
    const open: OpenResult = async (name) =>
      name === "k6.ndjson"
        ? (async function* () {
            yield new TextEncoder().encode('{"type":"Metric"');
            throw new Error("disk on fire");
          })()
        : undefined;
    const done = await conclude(open, 0);
    expect(done.result).toBe("PASS");
    expect(done.notes).toEqual(["k6: k6.ndjson: could not be read: disk on fire"]);
  });
});
