import { readFileSync } from "node:fs";
import path from "node:path";
import { Code } from "@connectrpc/connect";
import { parseK6Aggregate } from "@tstr/k6";
import { Run_Result } from "@tstr/proto";
import { afterEach, describe, expect, it } from "vitest";
import { type AgentHarness, startAgentHarness, waitFor } from "./test-support/agent-harness.js";
import type { FakeRunnerService } from "./test-support/fake-runner-service.js";

// k6 runs through the real agent against the fake control plane, with real k6 outputs as the
// files the workload leaves behind.

const FIXTURES = path.resolve(import.meta.dirname, "../../../../shared/fixtures/k6");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), "utf8");
const SUMMARY_FAILED = fixture("summary-export/sweet-poision_rate-limiter_heavy_custom-rates_threshold-failed.json");
const SUMMARY_OK = fixture("summary-export/habiba2811_k6-practice-app_groups_thresholds.json");
const NDJSON_OK = fixture("ndjson/rodolfodpk_desafio-votacao_k6-results.first2000lines.ndjson");
const SCRIPT = new TextEncoder().encode("export default function () {}");

let harness: AgentHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const RUN_CONFIG = {
  containerImage: "",
  files: [{ path: "smoke.js", content: SCRIPT }],
  executorOptions: { vus: "2" },
};
const k6Run = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  executor: "k6",
  runConfig: RUN_CONFIG,
  ...extra,
});
const BOTH_OUTPUTS = [
  { path: "k6-summary.json", content: SUMMARY_OK },
  { path: "k6.ndjson", content: NDJSON_OK },
];

async function runK6(
  workload: { exitCode?: number; results: { path: string; content: string }[] },
  extra = {},
  configure?: (server: FakeRunnerService) => void,
) {
  harness = await startAgentHarness({ script: () => workload, configure });
  harness.server.assign(k6Run("k6-run", extra));
  await waitFor("FinishRun", () => harness?.server.finishes.length === 1, 10_000);
  return { server: harness.server, spec: harness.executor.executions[0]?.spec };
}

describe("runner agent with k6 runs", () => {
  it("passes a k6 run, reporting its k6 report, aggregate and quick result data before FinishRun", async () => {
    const { server, spec } = await runK6({
      exitCode: 0,
      results: [
        { path: "k6-summary.json", content: SUMMARY_OK },
        { path: "k6.ndjson", content: NDJSON_OK },
      ],
    });
    expect(spec).toMatchObject({
      image: "grafana/k6",
      command: [
        "k6",
        "run",
        "smoke.js",
        "--vus",
        "2",
        "--summary-export",
        "$(TSTR_RESULTS_DIR)/k6-summary.json",
        "--out",
        "json=$(TSTR_RESULTS_DIR)/k6.ndjson",
      ],
    });
    const reportCalls = server.calls.filter((call) => !call.startsWith("AppendLogs"));
    expect(reportCalls.slice(-2)).toEqual(["ReportResults k6-run", "FinishRun k6-run"]);
    expect(server.calls.at(-1)).toBe("FinishRun k6-run");
    expect(server.finishes[0]).toMatchObject({ result: Run_Result.PASS, reason: "", exitCode: 0 });
    const [report] = server.reports;
    expect(report?.k6).toMatchObject({ runId: "k6-run", attempt: 1, verdict: Run_Result.PASS, shards: 1 });
    expect(report?.k6?.series).toHaveLength(11);
    expect(parseK6Aggregate(new TextDecoder().decode(report?.k6Aggregate)).metrics.http_reqs?.type).toBe("counter");
    expect(Object.keys(report?.resultData ?? {}).sort()).toEqual([
      "k6.error_rate",
      "k6.p95_ms",
      "k6.rps",
      "k6.verdict",
    ]);
  });

  it("fails THRESHOLDS on exit 99, with k6's failed threshold in the log", async () => {
    const { server } = await runK6({ exitCode: 99, results: [{ path: "k6-summary.json", content: SUMMARY_FAILED }] });
    expect(server.finishes[0]).toMatchObject({ result: Run_Result.FAIL, reason: "THRESHOLDS", exitCode: 99 });
    expect(server.reports[0]?.k6?.thresholds.map((t) => [t.expression, t.ok])).toEqual([["p(95)<50", false]]);
    expect(server.reports[0]?.k6Aggregate).toEqual(new Uint8Array());
    expect(server.logText("k6-run")).toContain(
      "tstr: k6: k6 reported failed thresholds: http_req_duration: p(95)<50\ntstr: exit code 99, result FAIL (THRESHOLDS)",
    );
  });

  it("finishes a shard with failed local thresholds PASS, for the server to judge the merged data", async () => {
    const { server, spec } = await runK6(
      {
        exitCode: 99,
        results: [
          { path: "k6-summary.json", content: SUMMARY_FAILED },
          { path: "k6.ndjson", content: NDJSON_OK },
        ],
      },
      { shardIndex: 1, shardCount: 2 },
    );
    expect(spec?.command).toEqual(expect.arrayContaining(["--execution-segment", "1/2:1"]));
    expect(server.finishes[0]).toMatchObject({ result: Run_Result.PASS, exitCode: 99 });
    expect(server.reports[0]?.resultData).toMatchObject({ "k6.local_thresholds": "failed", "k6.verdict": "FAIL" });
    expect(server.reports[0]?.k6).toMatchObject({ verdict: Run_Result.FAIL, shards: 2 });
  });

  it("judges a run without outputs by its exit code and says why in the log", async () => {
    const { server } = await runK6({ exitCode: 107, results: [{ path: "k6-summary.json", content: "{broken" }] });
    expect(server.finishes[0]).toMatchObject({ result: Run_Result.ERROR, reason: "K6_SCRIPT_EXCEPTION" });
    expect(server.reports[0]?.k6).toBeUndefined();
    expect(server.reports[0]?.resultData).toEqual({ "k6.verdict": "ERROR" });
    const log = server.logText("k6-run");
    expect(log).toMatch(/tstr: k6: k6-summary\.json: summary export: /);
    expect(log).toContain("tstr: k6: the script threw an exception (exit code 107)");
  });

  it("sends a k6 report the server finds too large again without series and aggregate, then finishes", async () => {
    const { server } = await runK6({ exitCode: 0, results: BOTH_OUTPUTS }, {}, (s) => {
      s.reportFailures = { remaining: 1, code: Code.ResourceExhausted };
    });
    expect(server.reportCalls).toHaveLength(2);
    expect(server.reportCalls[0]?.k6?.series).toHaveLength(11);
    expect(server.reportCalls[0]?.k6Aggregate.length).toBeGreaterThan(0);
    const [accepted] = server.reports;
    expect(accepted?.k6Aggregate).toEqual(new Uint8Array());
    expect(accepted?.k6?.series).toEqual([]);
    expect(accepted?.k6?.metrics.length).toBeGreaterThan(0);
    expect(accepted?.resultData).toMatchObject({ "k6.verdict": "PASS" });
    expect(server.finishes[0]).toMatchObject({ result: Run_Result.PASS, exitCode: 0 });
    expect(server.logText("k6-run")).toContain(
      "tstr: the server refused the k6 report: ResourceExhausted: k6.metrics[0].name: refused by test; sent it again without the per-second series and the mergeable aggregate\n",
    );
  });

  it("finishes the run without its k6 report when the server refuses it as invalid, even reduced", async () => {
    const { server } = await runK6({ exitCode: 0, results: BOTH_OUTPUTS }, {}, (s) => {
      s.reportFailures = { remaining: 10, code: Code.InvalidArgument };
    });
    expect(server.reportCalls).toHaveLength(2);
    expect(server.reports).toEqual([]);
    expect(server.finishes[0]).toMatchObject({ result: Run_Result.PASS, exitCode: 0 });
    expect(server.calls.at(-1)).toBe("FinishRun k6-run");
    expect(server.logText("k6-run")).toContain(
      "tstr: the server refused the k6 report: InvalidArgument: k6.metrics[0].name: refused by test; finished without it",
    );
  });

  it("reports what k6 wrote of a timed-out run, which stays TIMED_OUT", async () => {
    const runConfig = { ...RUN_CONFIG, timeout: { seconds: 0n, nanos: 200_000_000 } };
    // No exit code: k6 runs until stopped, then (on SIGTERM) leaves its outputs behind.
    const { server } = await runK6({ results: BOTH_OUTPUTS }, { runConfig });
    expect(server.finishes[0]).toMatchObject({ result: Run_Result.TIMED_OUT, reason: "DEADLINE", exitCode: 143 });
    const [report] = server.reports;
    expect(report?.k6).toMatchObject({ runId: "k6-run", verdict: Run_Result.PASS });
    expect(report?.k6?.series).toHaveLength(11);
    expect(report?.k6Aggregate.length).toBeGreaterThan(0);
    expect(report?.resultData).toMatchObject({ "k6.verdict": "TIMED_OUT", "k6.p95_ms": expect.any(String) });
    expect(server.logText("k6-run")).toContain(
      "tstr: k6: reporting the metrics k6 wrote until it was stopped; the run stays TIMED_OUT\ntstr: exit code 143, result TIMED_OUT (DEADLINE)",
    );
  });

  it("reports what k6 wrote of a cancelled run, which stays CANCELLED", async () => {
    harness = await startAgentHarness({
      script: () => ({ output: [{ stream: "stdout", text: "running\n" }], results: BOTH_OUTPUTS }),
    });
    harness.server.assign(k6Run("k6-cancel"));
    const server = harness.server;
    await waitFor("the run's output", () => server.logText("k6-cancel").includes("running"));
    server.cancel("k6-cancel", "stream", "user asked");
    await waitFor("FinishRun", () => server.finishes.length === 1);
    expect(server.finishes[0]).toMatchObject({ result: Run_Result.CANCELLED });
    expect(server.reports[0]?.k6?.metrics.length).toBeGreaterThan(0);
    expect(server.reports[0]?.resultData).toMatchObject({ "k6.verdict": "CANCELLED" });
  });

  it("ends ERROR without starting k6 when the test's options cannot be run", async () => {
    harness = await startAgentHarness();
    harness.server.assign(
      k6Run("k6-bad", { runConfig: { files: [{ path: "a.js", content: SCRIPT }], executorOptions: { users: "5" } } }),
    );
    await waitFor("FinishRun", () => harness?.server.finishes.length === 1);
    expect(harness.server.finishes[0]).toMatchObject({ result: Run_Result.ERROR, reason: "K6_CONFIG_INVALID" });
    expect(harness.executor.executions).toEqual([]);
    expect(harness.server.logText("k6-bad")).toMatch(
      /tstr: cannot run k6 \(K6_CONFIG_INVALID\): run_config\.executor_options\["users"\]: unknown k6 option; known options are script, vus/,
    );
  });
});
