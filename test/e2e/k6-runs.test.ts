import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { clone, create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { parseSummaryExport } from "@tstr/k6";
import { ControlService, DataService, Run_Result, RunStatus, Test_RunConfigSchema } from "@tstr/proto";
import { ensureK6StandinImage, K6_FIXTURES_DIR, useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";
import { runLogText, waitForRun } from "./support/runs.js";
import { runTstr, startRunnerProcess, startServeProcess, type TstrProcess } from "./support/tstr-process.js";

// k6 runs end to end: `tstr serve`, `tstr runner --executor docker` processes, and the example
// k6 test. k6 cannot be installed here, so the runs use the k6 stand-in image (busybox + a script
// that copies recorded outputs of the real k6 to where k6 writes them and exits as told): the
// runner's k6 command line, the Docker executor, the parsing of real k6 outputs, the verdict and
// the report are real; the load is not.

const EXAMPLE = path.resolve(import.meta.dirname, "../../packages/cli/examples/k6-smoke.yaml");
const SUMMARY_OK = "habiba2811_k6-practice-app_groups_thresholds.json";
const SUMMARY_FAILED = "sweet-poision_rate-limiter_heavy_custom-rates_threshold-failed.json";
const NDJSON_OK = "rodolfodpk_desafio-votacao_k6-results.first2000lines.ndjson";

const database = useTestDatabase();
let server: { proc: TstrProcess; url: string; bootstrapToken?: string };
const runners: TstrProcess[] = [];
let runnerToken = "";
let workDir = "";
let admin = "";
let image = "";

const control = () => clientOf(ControlService, transportFor(server.url, { token: admin }));
const data = () => clientOf(DataService, transportFor(server.url, { token: admin }));
const ctl = (args: string[]) => runTstr(["ctl", ...args], { TSTR_ADDR: server.url, TSTR_TOKEN: admin });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function dockerRunner(name: string, accept: string, capacity: number) {
  const runner = await startRunnerProcess(server.url, runnerToken, [
    ...["--name", name, "--executor", "docker", "--work-dir", path.join(workDir, name)],
    ...["--capacity", String(capacity), "--accept", accept],
  ]);
  runners.push(runner);
  return runner;
}

/** Registers a copy of the example test on the stand-in image, replaying the given k6 outputs. */
async function registerExampleCopy(
  name: string,
  labels: Record<string, string>,
  env: Record<string, string>,
  shards = 0,
) {
  const example = (await data().getTest({ name: "k6-smoke" })).test;
  const runConfig = example?.runConfig ? clone(Test_RunConfigSchema, example.runConfig) : create(Test_RunConfigSchema);
  runConfig.containerImage = image;
  runConfig.env = { ...runConfig.env, ...env, K6_STANDIN_PRINT_ENV: "BASE_URL" };
  await control().registerTest({ name, labels, executor: example?.executor ?? "", runConfig, shards });
}

async function runOnce(testName: string) {
  const { runs } = await control().scheduleRun({ testName });
  return waitForRun(data(), runs[0]?.id ?? "");
}

beforeAll(async () => {
  image = await ensureK6StandinImage();
  workDir = await mkdtemp(path.join(os.tmpdir(), "tstr-k6-e2e-"));
  server = await startServeProcess(database.url, ["--lease", "3s"]);
  admin = server.bootstrapToken ?? "";
  runnerToken = (await issueToken(server.url, admin, ["runner"], [".*"])).token;
  await dockerRunner("k6-runner", "k6=e2e", 2);
  const applied = await ctl(["test", "apply", "-f", EXAMPLE]);
  expect(applied.code, applied.stderr).toBe(0);
  await registerExampleCopy("k6-pass", { k6: "e2e" }, { K6_STANDIN_SUMMARY: SUMMARY_OK, K6_STANDIN_NDJSON: NDJSON_OK });
  await registerExampleCopy(
    "k6-thresholds",
    { k6: "e2e" },
    { K6_STANDIN_SUMMARY: SUMMARY_FAILED, K6_STANDIN_EXIT: "99" },
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.stop()));
  await server?.proc.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("k6 runs on the Docker executor", () => {
  it("keeps the example as written: executor k6, the grafana/k6 default image, options and script", async () => {
    const example = (await data().getTest({ name: "k6-smoke" })).test;
    expect(example?.executor).toBe("k6");
    expect(example?.runConfig?.containerImage).toBe("");
    expect(example?.runConfig?.executorOptions).toEqual({ vus: "5", duration: "30s", tags: "suite=smoke" });
    expect(example?.runConfig?.files.map((f) => f.path)).toEqual(["smoke.js"]);
  });

  it("passes when k6 exits 0 and the thresholds held, and stores the run's k6 report", async () => {
    const run = await runOnce("k6-pass");
    const logs = await runLogText(data(), run.id);
    expect(run.result, logs.system + logs.stderr).toBe(Run_Result.PASS);
    expect(run.exitCode).toBe(0);
    // The runner's k6 command line reached the container: the script, the options, the env.
    expect(logs.stdout).toMatch(/script: smoke\.js \(\d+ bytes\)/);
    expect(logs.stdout).toContain("options: --vus 5 --duration 30s --tag suite=smoke");
    expect(logs.stdout).toContain("env: BASE_URL=https://quickpizza.grafana.com");
    expect(logs.stdout).toContain(
      "output: json (/tstr/results/k6.ndjson), summary export (/tstr/results/k6-summary.json)",
    );
    expect(run.resultData).toMatchObject({ "k6.verdict": "PASS" });
    expect(Number(run.resultData["k6.p95_ms"])).toBeGreaterThan(0);

    const { report } = await data().getK6Report({ runId: run.id });
    expect(report).toMatchObject({ runId: run.id, verdict: Run_Result.PASS, shards: 1 });
    expect(report?.thresholds.map((t) => [t.metric, t.expression, t.ok])).toEqual([
      ["http_req_duration", "p(95)<500", true],
      ["http_req_failed", "rate<0.25", true],
      ["smoke_test_success", "rate>0.99", true],
    ]);
    expect(report?.series).toHaveLength(11);
    const { rows } = await database.db.pool.query(
      "SELECT verdict, aggregate IS NOT NULL AS merged FROM k6_summaries WHERE run_id = $1",
      [run.id],
    );
    expect(rows).toEqual([{ verdict: "PASS", merged: true }]);
  });

  it("fails THRESHOLDS when k6 exits 99, with the failed threshold of k6's own summary in the report", async () => {
    const run = await runOnce("k6-thresholds");
    expect(run).toMatchObject({ result: Run_Result.FAIL, resultReason: "THRESHOLDS", exitCode: 99 });
    const { report } = await data().getK6Report({ runId: run.id });
    const summary = parseSummaryExport(
      readFileSync(path.join(K6_FIXTURES_DIR, "summary-export", SUMMARY_FAILED), "utf8"),
    );
    expect(report?.verdict).toBe(Run_Result.FAIL);
    expect(report?.thresholds.map(({ metric, expression, ok }) => ({ metric, expression, ok }))).toEqual(
      summary.thresholds,
    );
    expect(summary.thresholds.some((t) => !t.ok)).toBe(true);
    expect((await runLogText(data(), run.id)).system).toContain(
      "k6 reported failed thresholds: http_req_duration: p(95)<50",
    );
  });

  it("tstrctl run schedule --wait exits 0 on a passing k6 test and 1 on failed thresholds", async () => {
    const passing = await ctl(["run", "schedule", "k6-pass", "--wait"]);
    expect(passing.code, passing.stderr).toBe(0);
    expect(passing.stdout).toContain("tstr k6 stand-in");
    const failing = await ctl(["run", "schedule", "k6-thresholds", "--wait"]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain("FAIL (THRESHOLDS)");
  });
});

describe("distributed k6 runs: held shards", () => {
  const shardEnv = {
    K6_STANDIN_NDJSON: NDJSON_OK,
    K6_STANDIN_SUMMARY: SUMMARY_OK,
    // Shard 0's own thresholds fail (exit 99); the merged data decides.
    K6_STANDIN_SUMMARY_0: SUMMARY_FAILED,
    K6_STANDIN_EXIT_0: "99",
  };
  let firstRunner: Promise<TstrProcess> | undefined;
  // Runner A: the only runner of these tests until the second test starts runner B.
  const runnerA = () => {
    firstRunner ??= dockerRunner("k6-shard-a", "k6=shards", 1);
    return firstRunner;
  };

  async function heldOnFirstRunner(testName: string) {
    const { runs } = await control().scheduleRun({ testName });
    expect(runs).toHaveLength(2);
    const ids = runs.map((r) => r.id);
    const placed = async () => (await data().queryRuns({ ids })).runs.filter((r) => r.status === RunStatus.ASSIGNED);
    for (let i = 0; i < 100 && (await placed()).length === 0; i++) await sleep(100);
    await sleep(1_500);
    const held = await placed();
    // Runner A holds one shard, without starting it: the other shard has no runner yet.
    expect(held).toHaveLength(1);
    expect(held[0]?.startedAt).toBeUndefined();
    return { ids, held: held[0] };
  }

  it("a held shard cancelled before its group is placed ends CANCELLED without ever starting", async () => {
    await runnerA();
    await registerExampleCopy("k6-shards-cancelled", { k6: "shards" }, shardEnv, 2);
    const { ids, held } = await heldOnFirstRunner("k6-shards-cancelled");
    for (const runId of ids) await control().cancelRun({ runId });
    const run = await waitForRun(data(), held?.id ?? "", undefined, 10_000);
    expect(run).toMatchObject({ status: RunStatus.FINISHED, result: Run_Result.CANCELLED });
    expect(run.startedAt).toBeUndefined();
    expect((await runLogText(data(), run.id)).system).toContain("it never started");
  });

  it("starts a held shard only once the last shard is placed, and both shards pass on the merged verdict", async () => {
    await runnerA();
    await registerExampleCopy("k6-shards", { k6: "shards" }, shardEnv, 2);
    const { ids, held } = await heldOnFirstRunner("k6-shards");
    const secondAt = Date.now();
    await dockerRunner("k6-shard-b", "k6=shards", 1);
    const runs = await Promise.all(ids.map((id) => waitForRun(data(), id)));
    const heldRun = runs.find((r) => r.id === held?.id);
    const startedAt = heldRun?.startedAt ? timestampDate(heldRun.startedAt).getTime() : 0;
    expect(startedAt).toBeGreaterThan(secondAt - 1_000);
    expect(new Set(runs.map((r) => r.runnerId)).size).toBe(2);
    for (const run of runs) {
      const logs = await runLogText(data(), run.id);
      expect(run.result, logs.system + logs.stderr).toBe(Run_Result.PASS);
      expect(logs.stdout).toContain(`segment: ${run.shardIndex === 0 ? "0:1/2" : "1/2:1"} of 0,1/2,1`);
    }
    const shard0 = runs.find((r) => r.shardIndex === 0);
    expect(shard0?.exitCode).toBe(99);
    expect(shard0?.resultData).toMatchObject({ "k6.local_thresholds": "failed", "k6.verdict": "FAIL" });
    expect(runs.find((r) => r.shardIndex === 1)?.resultData).toMatchObject({ "k6.local_thresholds": "ok" });
    // Either shard shows the group's merged report, judged once on both shards' data.
    const { report } = await data().getK6Report({ runId: shard0?.id ?? "" });
    expect(report).toMatchObject({ shards: 2, verdict: Run_Result.PASS });
    expect(report?.thresholds.every((t) => t.ok)).toBe(true);
  });
});
