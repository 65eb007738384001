import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { clone, create } from "@bufbuild/protobuf";
import { ControlService, DataService, Run_Result, Test_RunConfigSchema } from "@tstr/proto";
import { TEST_IMAGE, useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";
import { runLogText, waitForRun } from "./support/runs.js";
import {
  runTstr,
  spawnTstr,
  startRunnerProcess,
  startServeProcess,
  type TstrProcess,
  waitFor,
} from "./support/tstr-process.js";

// Real processes: `tstr serve`, one `tstr runner` per executor (process and Docker), and runs
// scheduled over the API; results, logs, cancellation and timeouts as a user would see them.

const EXAMPLES = path.resolve(import.meta.dirname, "../../packages/cli/examples/hello.yaml");
const database = useTestDatabase();
let server: { proc: TstrProcess; url: string; bootstrapToken?: string };
const runners: TstrProcess[] = [];
let workDir = "";
let admin = "";

const control = () => clientOf(ControlService, transportFor(server.url, { token: admin }));
const data = () => clientOf(DataService, transportFor(server.url, { token: admin }));

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "tstr-runner-e2e-"));
  server = await startServeProcess(database.url, ["--lease", "3s"]);
  admin = server.bootstrapToken ?? "";
  const token = (await issueToken(server.url, admin, ["runner"], [".*"])).token;
  runners.push(
    await startRunnerProcess(server.url, token, [
      "--name",
      "proc-runner",
      "--executor",
      "process",
      "--work-dir",
      path.join(workDir, "p"),
      "--capacity",
      "4",
      "--reject",
      "executor=docker",
    ]),
    await startRunnerProcess(server.url, token, [
      "--name",
      "docker-runner",
      "--executor",
      "docker",
      "--work-dir",
      path.join(workDir, "d"),
      "--capacity",
      "2",
      "--accept",
      "executor=docker",
    ]),
  );
  runners.push(
    await startRunnerProcess(server.url, token, [
      "--name",
      "poll-runner",
      "--executor",
      "process",
      "--work-dir",
      path.join(workDir, "poll"),
      "--dispatch",
      "poll",
      "--accept",
      "dispatch=poll",
    ]),
  );
  const applied = await runTstr(["ctl", "test", "apply", "-f", EXAMPLES], { TSTR_ADDR: server.url, TSTR_TOKEN: admin });
  expect(applied.code, applied.stderr).toBe(0);
}, 90_000);

afterAll(async () => {
  await Promise.all(runners.map((r) => r.stop()));
  await server?.proc.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const register = (name: string, runConfig: Record<string, unknown>, labels: Record<string, string> = {}) =>
  control().registerTest({ name, labels, runConfig: { containerImage: TEST_IMAGE, ...runConfig } });

async function runOnce(testName: string, labels: Record<string, string> = {}) {
  const { runs } = await control().scheduleRun({ testName, labels });
  return runs[0]?.id ?? "";
}

describe.each([
  ["process", {}],
  ["docker", { executor: "docker" }],
] as const)("runs on the %s executor", (_executor, labels) => {
  it("passes, with logs per stream, result data and JUnit test cases", async () => {
    // The example's image cannot be pulled here (no registry): run the same test on the local image.
    const hello = (await data().getTest({ name: "hello" })).test;
    const name = `hello-${_executor}`;
    const runConfig = hello?.runConfig ? clone(Test_RunConfigSchema, hello.runConfig) : create(Test_RunConfigSchema);
    runConfig.containerImage = TEST_IMAGE;
    await control().registerTest({ name, labels, runConfig });
    const runId = await runOnce(name);
    const run = await waitForRun(data(), runId);
    const logs = await runLogText(data(), runId);
    expect(run.result, logs.system + logs.stderr).toBe(Run_Result.PASS);
    expect(run.runnerId).not.toBe("");
    expect(logs.stdout).toContain(`hello from ${name}`);
    expect(logs.stdout).toContain("step 3");
    expect(logs.stderr).toBe("a warning on stderr\n");
    expect(run.resultData).toMatchObject({ greeting: "hello", steps: "3" });
    const cases = await data().listTestCases({ runId });
    expect(cases.testCases.map((c) => c.name)).toEqual(["says hello"]);
  });

  it("fails with the exit code as the reason", async () => {
    await register(`exit-3-${_executor}`, { command: "sh", args: ["-c", "echo before; exit 3"] }, labels);
    const run = await waitForRun(data(), await runOnce(`exit-3-${_executor}`));
    expect(run).toMatchObject({ result: Run_Result.FAIL, resultReason: "EXIT_CODE_3", exitCode: 3 });
  });

  it("cancels within a second and keeps the logs so far", async () => {
    await register(
      `long-${_executor}`,
      { command: "sh", args: ["-c", "echo started; sleep 60"], gracePeriod: { seconds: 1n, nanos: 0 } },
      labels,
    );
    const runId = await runOnce(`long-${_executor}`);
    await waitForRun(data(), runId, (r) => r.startedAt !== undefined);
    const started = Date.now();
    while (!(await runLogText(data(), runId)).stdout.includes("started")) await new Promise((r) => setTimeout(r, 100));
    await control().cancelRun({ runId });
    const run = await waitForRun(data(), runId);
    expect(run.result).toBe(Run_Result.CANCELLED);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await runLogText(data(), runId)).stdout).toContain("started");
  });

  it("times out with SIGTERM, grace, SIGKILL", async () => {
    await register(
      `slow-${_executor}`,
      {
        command: "sh",
        args: ["-c", "trap '' TERM; echo waiting; sleep 30"],
        timeout: { seconds: 1n, nanos: 0 },
        gracePeriod: { seconds: 1n, nanos: 0 },
      },
      labels,
    );
    const run = await waitForRun(data(), await runOnce(`slow-${_executor}`));
    expect(run).toMatchObject({ result: Run_Result.TIMED_OUT, resultReason: "DEADLINE" });
  });
});

it("ends ERROR with the executor's reason when the image cannot be pulled", async () => {
  await control().registerTest({
    name: "no-image",
    labels: { executor: "docker" },
    runConfig: { containerImage: "registry.invalid/nope:1", command: "true" },
  });
  const run = await waitForRun(data(), await runOnce("no-image"));
  expect(run.result).toBe(Run_Result.ERROR);
  expect(run.resultReason).toMatch(/IMAGE_(PULL_FAILED|NOT_FOUND)/);
  expect((await runLogText(data(), run.id)).system).toMatch(/image/i);
});

it("a runner in long-poll mode (for proxies that cannot stream) runs its runs too", async () => {
  await register("polled", { command: "sh", args: ["-c", "echo polled"] }, { dispatch: "poll" });
  const run = await waitForRun(data(), await runOnce("polled"));
  expect(run.result).toBe(Run_Result.PASS);
  expect((await runLogText(data(), run.id)).stdout).toBe("polled\n");
});

describe("tstrctl run schedule --wait", () => {
  it("streams a run's output live and exits 0 on PASS", async () => {
    const proc = spawnTstr(["ctl", "run", "schedule", "hello", "--wait"], { TSTR_ADDR: server.url, TSTR_TOKEN: admin });
    await waitFor(proc, () => (proc.stdout().includes("step 1") ? true : undefined));
    const liveBeforeExit = proc.child.exitCode === null;
    const code = await proc.exited;
    expect(code, proc.stderr()).toBe(0);
    expect(liveBeforeExit).toBe(true);
    expect(proc.stdout()).toContain("step 3");
    expect(proc.stdout()).not.toContain("a warning on stderr");
    expect(proc.stderr()).toContain("a warning on stderr");
    expect(proc.stderr()).toMatch(/: PASS in /);
  });

  it("exits non-zero when the run fails, saying why", async () => {
    const result = await runTstr(["ctl", "run", "schedule", "failing", "--wait"], {
      TSTR_ADDR: server.url,
      TSTR_TOKEN: admin,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("checking something");
    expect(result.stderr).toContain("expected 200, got 503");
    expect(result.stderr).toContain("FAIL (EXIT_CODE_3)");
  });
});
