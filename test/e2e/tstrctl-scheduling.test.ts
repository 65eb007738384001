import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueToken } from "./support/clients.js";
import { runTstr, startRunnerProcess, startServeProcess, type TstrProcess } from "./support/tstr-process.js";

// The examples folder as a user meets it: applied with `tstrctl apply`, its cron test shown with
// its next fire times, paused and resumed, its suites listed and run to a verdict on a real
// runner process. Every tstrctl call is a process of its own (a few seconds each on a busy CI
// machine), hence the generous per-test timeouts.

const EXAMPLES = path.resolve(import.meta.dirname, "../../packages/cli/examples");
const database = useTestDatabase();
let server: { proc: TstrProcess; url: string; bootstrapToken?: string };
let runner: TstrProcess;
let env: Record<string, string>;

const ctl = (...args: string[]) => runTstr(["ctl", ...args], env);

beforeAll(async () => {
  server = await startServeProcess(database.url);
  const home = await mkdtemp(path.join(os.tmpdir(), "tstrctl-sched-"));
  env = {
    TSTR_ADDR: server.url,
    TSTR_TOKEN: server.bootstrapToken ?? "",
    HOME: home,
    TSTR_CONFIG: path.join(home, "config.yaml"),
  };
  const token = (await issueToken(server.url, server.bootstrapToken ?? "", ["runner"], [".*"])).token;
  runner = await startRunnerProcess(server.url, token, [
    "--name",
    "examples-runner",
    "--executor",
    "process",
    "--capacity",
    "4",
    "--work-dir",
    path.join(home, "work"),
  ]);
}, 60_000);
afterAll(async () => {
  await runner?.stop();
  await server?.proc.stop();
});

describe("scheduling from tstrctl", () => {
  it("applies the examples folder: tests first, then suites", async () => {
    const result = await ctl("apply", "-f", EXAMPLES);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("test/default/busybox-echo created");
    expect(result.stdout).toContain("suite/default/examples created");
    const again = await ctl("apply", "-f", EXAMPLES);
    expect(again.stdout).toContain("suite/default/examples unchanged");
  }, 90_000);

  it("shows a cron test's next five fire times, and pauses and resumes it", async () => {
    const shown = await ctl("test", "get", "busybox-echo");
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/Next runs/);
    const json = JSON.parse((await ctl("test", "get", "busybox-echo", "-o", "json")).stdout);
    expect(json.nextFireTimes).toHaveLength(5);

    const paused = await ctl("test", "pause", "busybox-echo");
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toContain("schedule paused");
    const whilePaused = JSON.parse((await ctl("test", "get", "busybox-echo", "-o", "json")).stdout);
    expect(whilePaused.test.schedulePaused).toBe(true);
    expect(whilePaused.nextFireTimes ?? []).toHaveLength(0);

    const resumed = await ctl("test", "resume", "busybox-echo");
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/schedule resumed \(next run /);

    const noSchedule = await ctl("test", "pause", "hello");
    expect(noSchedule.code).toBe(1);
    expect(noSchedule.stderr).toContain("has no cron schedule");
  }, 90_000);

  it("lists and shows suites with their resolved members", async () => {
    const list = await ctl("suite", "list");
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/examples/);
    const get = await ctl("suite", "get", "examples");
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toMatch(/Members:\s+busybox-matrix, hello/);
  }, 90_000);

  it("runs a passing suite to PASSED and exits 0", async () => {
    const result = await ctl("suite", "run", "examples", "--wait", "--timeout", "60s");
    expect(result.code, result.stderr).toBe(0);
    // hello plus the three busybox-matrix combinations.
    expect(result.stderr).toMatch(/suite-run\/\S+ PASSED: 4 passed, 0 failed, 0 pending of 4/);
  }, 90_000);

  it("runs a suite with a failing member to FAILED and exits 1", async () => {
    const result = await ctl("suite", "run", "tier-example", "--wait", "--timeout", "60s");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/suite-run\/\S+ FAILED: 1 passed, 1 failed, 0 pending of 2/);
    const get = await ctl("suite", "get", "tier-example");
    expect(get.stdout).toMatch(/suite-run\/\S+ FAILED 1 passed, 1 failed/);
  }, 90_000);

  it("groups a matrix schedule and says whether every combination passed", async () => {
    const result = await ctl("run", "schedule", "busybox-matrix", "--wait", "--timeout", "60s");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/matrix \S+: 3 of 3 runs passed/);
  }, 90_000);
});
