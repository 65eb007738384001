import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ControlService, DataService, Run_Result } from "@tstr/proto";
import { cloneDatabase, createTemplateDatabase, type PostgresServer, startPostgres, withDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";
import { runLogText, waitForRun } from "./support/runs.js";
import { freePort, startRunnerProcess, startServeProcess, type TstrProcess } from "./support/tstr-process.js";

// Failure paths with real processes on a PostgreSQL of this file's own (so it can be restarted):
// a runner killed with SIGKILL mid-run, a server restart mid-run, a database restart mid-run.
// Nothing is lost: every run finishes, and every log line arrives exactly once.

let pg: PostgresServer;
let databaseUrl = "";
let port = 0;
let server: { proc: TstrProcess; url: string; bootstrapToken?: string };
let admin = "";
let runnerToken = "";
let workDir = "";
const runners: TstrProcess[] = [];

const control = () => clientOf(ControlService, transportFor(server.url, { token: admin }));
const data = () => clientOf(DataService, transportFor(server.url, { token: admin }));
const LINES = 40;
/** Prints numbered lines over about four seconds. */
const COUNTER = {
  command: "sh",
  args: ["-c", `i=1; while [ $i -le ${LINES} ]; do echo "line $i"; i=$((i+1)); sleep 0.1; done`],
};

async function runner(name: string, extra: string[] = []) {
  const proc = await startRunnerProcess(server.url, runnerToken, [
    "--name",
    name,
    "--executor",
    "process",
    "--work-dir",
    path.join(workDir, name),
    "--drain-timeout",
    "1s",
    ...extra,
  ]);
  runners.push(proc);
  return proc;
}

function expectEveryLineOnce(stdout: string) {
  const lines = stdout.trim().split("\n");
  expect(lines).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i + 1}`));
}

beforeAll(async () => {
  pg = await startPostgres();
  databaseUrl = withDatabase(pg.adminUrl, await cloneDatabase(pg.adminUrl, await createTemplateDatabase(pg.adminUrl)));
  workDir = await mkdtemp(path.join(os.tmpdir(), "tstr-faults-"));
  port = await freePort();
  server = await startServeProcess(databaseUrl, ["--listen", `127.0.0.1:${port}`, "--lease", "3s"]);
  admin = server.bootstrapToken ?? "";
  runnerToken = (await issueToken(server.url, admin, ["runner"], [".*"])).token;
  await control().registerTest({ name: "counter", runConfig: { containerImage: "busybox", ...COUNTER } });
  await control().registerTest({
    name: "counter-retried",
    retry: { maxAttempts: 2, on: [1] },
    runConfig: { containerImage: "busybox", ...COUNTER },
  });
}, 90_000);

afterAll(async () => {
  await Promise.all(runners.map((r) => r.stop("SIGKILL")));
  await server?.proc.stop();
  await pg?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("fault tolerance", () => {
  it("a runner killed with SIGKILL mid-run: the run ends ERROR (RUNNER_LOST) within the lease", async () => {
    const doomed = await runner("doomed-1");
    const { runs } = await control().scheduleRun({ testName: "counter" });
    const runId = runs[0]?.id ?? "";
    await waitForRun(data(), runId, (r) => r.startedAt !== undefined);
    const killedAt = Date.now();
    await doomed.stop("SIGKILL");
    const run = await waitForRun(data(), runId);
    expect(run).toMatchObject({ result: Run_Result.ERROR, resultReason: "RUNNER_LOST" });
    expect(Date.now() - killedAt).toBeLessThan(3000 + 3000);
  });

  it("a runner killed with SIGKILL mid-run: with a retry left, another runner runs it to PASS", async () => {
    const doomed = await runner("doomed-2");
    const { runs } = await control().scheduleRun({ testName: "counter-retried" });
    const runId = runs[0]?.id ?? "";
    await waitForRun(data(), runId, (r) => r.startedAt !== undefined);
    await doomed.stop("SIGKILL");
    await runner("survivor", ["--reject", "drain"]);
    const run = await waitForRun(data(), runId, undefined, 30_000);
    expect(run.result).toBe(Run_Result.PASS);
    expect(run.attempts.map((a) => a.reason)).toEqual(["RUNNER_LOST", ""]);
    const chunks = await data().getRunLogs({ runId, attempt: 1, afterSeq: 0n });
    expect(chunks.chunks.every((c) => c.attempt >= 1)).toBe(true);
  }, 60_000);

  it("SIGTERM drains a runner: the run in flight finishes, the runner exits 0", async () => {
    const draining = await runner("drainer", ["--accept", "drain=1"]);
    await control().registerTest({
      name: "short",
      runConfig: { containerImage: "busybox", command: "sh", args: ["-c", "sleep 1; echo done"] },
    });
    const { runs } = await control().scheduleRun({ testName: "short", labels: { drain: "1" } });
    const runId = runs[0]?.id ?? "";
    await waitForRun(data(), runId, (r) => r.startedAt !== undefined);
    expect(await draining.stop("SIGTERM")).toBe(0);
    const run = await waitForRun(data(), runId);
    expect(run.result).toBe(Run_Result.PASS);
    expect((await runLogText(data(), runId)).stdout).toBe("done\n");
  });

  it("SIGTERM past the drain timeout hands the run back to the queue for another runner", async () => {
    const draining = await runner("drainer-2", ["--accept", "drain=2"]);
    const { runs } = await control().scheduleRun({ testName: "counter", labels: { drain: "2" } });
    const runId = runs[0]?.id ?? "";
    await waitForRun(data(), runId, (r) => r.startedAt !== undefined && r.runnerId !== "");
    expect(await draining.stop("SIGTERM")).toBe(0);
    const handedBack = (await data().getRun({ id: runId })).run;
    expect(handedBack?.attempts[0]?.reason).toBe("runner draining");
    await runner("takes-over", ["--accept", "drain=2"]);
    const run = await waitForRun(data(), runId, undefined, 30_000);
    expect(run.result).toBe(Run_Result.PASS);
    expect(run.attempts).toHaveLength(2);
  }, 60_000);

  it("a server restart mid-run: the run finishes and its log has every line once", async () => {
    const { runs } = await control().scheduleRun({ testName: "counter" });
    const runId = runs[0]?.id ?? "";
    await waitForRun(data(), runId, (r) => r.startedAt !== undefined);
    expect(await server.proc.stop()).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    server = await startServeProcess(databaseUrl, ["--listen", `127.0.0.1:${port}`, "--lease", "3s"]);
    const run = await waitForRun(data(), runId);
    expect(run.result).toBe(Run_Result.PASS);
    expectEveryLineOnce((await runLogText(data(), runId)).stdout);
  }, 60_000);

  it("a database restart mid-run: everything resumes, nothing is lost", async () => {
    const { runs } = await control().scheduleRun({ testName: "counter" });
    const runId = runs[0]?.id ?? "";
    await waitForRun(data(), runId, (r) => r.startedAt !== undefined);
    await pg.restart();
    const run = await waitForRun(data(), runId, undefined, 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\n--- server stderr\n${server.proc.stderr().slice(-3000)}`);
    });
    const logs = await runLogText(data(), runId);
    expect(run.result, `${run.resultReason}\n${logs.system}\n${server.proc.stderr().slice(-2000)}`).toBe(
      Run_Result.PASS,
    );
    expectEveryLineOnce(logs.stdout);
    // New work is still dispatched after the restart (the LISTEN connection came back).
    const after = await control().scheduleRun({ testName: "counter" });
    expect((await waitForRun(data(), after.runs[0]?.id ?? "")).result).toBe(Run_Result.PASS);
  }, 90_000);
});
