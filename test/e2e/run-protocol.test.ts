import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import {
  AdminService,
  ControlService,
  DataService,
  LogChunkSchema,
  LogStream,
  Run_Log_Output,
  Run_Result,
  RunnerService,
  RunStatus,
} from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";

// The runner protocol against the real server and database, driven by hand (as a runner would)
// so each rule is checked on its own: pushed assignment, fencing, idempotent logs, tailing,
// cancellation, lease expiry, and tstr's NextRun/SubmitRun.

const database = useTestDatabase();
let plane: ControlPlane;
let admin: string;
let runnerToken: string;

const control = () => clientOf(ControlService, transportFor(plane.url, { token: admin }));
const data = () => clientOf(DataService, transportFor(plane.url, { token: admin }));
const runnerApi = (token = runnerToken) => clientOf(RunnerService, transportFor(plane.url, { token }));
const chunk = (runId: string, attempt: number, seq: number, text: string) =>
  create(LogChunkSchema, {
    runId,
    attempt,
    seq: BigInt(seq),
    stream: LogStream.STDOUT,
    time: timestampFromDate(new Date()),
    data: Buffer.from(text),
  });

beforeAll(async () => {
  plane = await startControlPlane(
    { db: database.db, logger: silentLogger },
    {
      host: "127.0.0.1",
      port: 0,
      runTimings: {
        leaseMs: 1500,
        heartbeatIntervalMs: 300,
        reaperIntervalMs: 200,
        logCapBytes: 64 * 1024,
        deadlineSlackMs: 500,
      },
    },
  );
  admin = plane.bootstrapToken ?? "";
  runnerToken = (await issueToken(plane.url, admin, ["runner"], [".*"])).token;
  await control().registerTest({
    name: "hello",
    labels: { tier: "smoke" },
    runConfig: { containerImage: "busybox", command: "echo" },
  });
});
afterAll(() => plane?.stop());

/**
 * Registers a runner that takes only runs labelled `case=<its name>` (unless told otherwise), so
 * each test's runs go to its own runner even while another test's stream is still closing.
 */
async function register(name: string, extra: Record<string, unknown> = {}) {
  const res = await runnerApi().registerRunner({
    name,
    capacity: 2,
    executors: ["process"],
    acceptSelectors: [`case=${name}`],
    ...extra,
  });
  return { id: res.runner?.id ?? "", token: res.runnerToken };
}

describe("runner protocol", () => {
  it("pushes an assignment to a waiting runner, and a full run ends PASS with its logs", async () => {
    const runner = await register("proto-1");
    expect(runner.token).toMatch(/^ey/);
    expect((await register("proto-1")).id).toBe(runner.id);
    const api = runnerApi(runner.token);
    const abort = new AbortController();
    const stream = api.receiveWork({ runnerId: runner.id }, { signal: abort.signal })[Symbol.asyncIterator]();
    // The stream opens with a keepalive (so the runner knows it is connected).
    expect((await stream.next()).value?.event.case).toBe("keepalive");
    const scheduledAt = Date.now();
    const { runs } = await control().scheduleRun({ testName: "hello", labels: { case: "proto-1" } });
    let event = (await stream.next()).value;
    while (event?.event.case === "keepalive") event = (await stream.next()).value;
    const latency = Date.now() - scheduledAt;
    abort.abort();
    expect(event?.event.case).toBe("assignment");
    const assignment = event?.event.value as { run: { id: string }; attempt: number };
    expect(assignment.run.id).toBe(runs[0]?.id);
    expect(latency).toBeLessThan(1000);

    const runId = assignment.run.id;
    await api.startRun({ runId, attempt: 1 });
    await api.appendLogs({ chunks: [chunk(runId, 1, 1, "one\n"), chunk(runId, 1, 2, "two\n")] });
    const again = await api.appendLogs({ chunks: [chunk(runId, 1, 2, "two\n"), chunk(runId, 1, 3, "three\n")] });
    expect(again.stored).toBe(1);
    await api.reportResults({ runId, attempt: 1, resultData: { answer: "42" } });
    const finished = await api.finishRun({ runId, attempt: 1, result: Run_Result.PASS });
    expect(finished.run?.status).toBe(RunStatus.FINISHED);

    let text = "";
    for await (const res of data().tailLogs({ runId, follow: true })) {
      for (const c of res.chunks) text += Buffer.from(c.data).toString();
      if (res.endOfLogs) break;
    }
    expect(text).toBe("one\ntwo\nthree\n");
    const got = await data().getRun({ id: runId });
    expect(got.run).toMatchObject({ result: Run_Result.PASS, resultData: { answer: "42" }, attempt: 1 });
    expect(got.run?.attempts).toHaveLength(1);
  });

  it("refuses reports with a stale attempt and from a runner that does not hold the run", async () => {
    const a = await register("proto-2");
    const { runs } = await control().scheduleRun({ testName: "hello", labels: { case: "proto-2" } });
    const runId = runs[0]?.id ?? "";
    const work = await runnerApi(a.token).acquireWork({
      runnerId: a.id,
      freeSlots: 1,
      wait: { seconds: 2n, nanos: 0 },
    });
    expect(work.assignments.map((x) => x.run?.id)).toContain(runId);
    const stale = await runnerApi(a.token)
      .startRun({ runId, attempt: 7 })
      .catch((e) => ConnectError.from(e));
    expect(stale).toBeInstanceOf(ConnectError);
    expect((stale as ConnectError).code).toBe(Code.FailedPrecondition);
    const b = await register("proto-3");
    const foreign = await runnerApi(b.token)
      .finishRun({ runId, attempt: 1, result: Run_Result.PASS })
      .catch((e) => ConnectError.from(e));
    expect((foreign as ConnectError).code).toBe(Code.FailedPrecondition);
    await runnerApi(a.token).finishRun({ runId, attempt: 1, result: Run_Result.FAIL });
    const twice = await runnerApi(a.token)
      .finishRun({ runId, attempt: 1, result: Run_Result.PASS })
      .catch((e) => ConnectError.from(e));
    expect((twice as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((await data().getRun({ id: runId })).run?.result).toBe(Run_Result.FAIL);
  });

  it("delivers a cancel to the holding runner and ends the run CANCELLED", async () => {
    const runner = await register("proto-4");
    const api = runnerApi(runner.token);
    const { runs } = await control().scheduleRun({ testName: "hello", labels: { case: "proto-4" } });
    const runId = runs[0]?.id ?? "";
    await api.acquireWork({ runnerId: runner.id, freeSlots: 1, wait: { seconds: 2n, nanos: 0 } });
    await api.startRun({ runId, attempt: 1 });
    // A holding runner renews its lease (1.5 s here) like a real one; without that, a slow
    // moment on a loaded machine lets the reaper take the run back before the cancel.
    const renew = setInterval(() => {
      api.heartbeat({ runnerId: runner.id, runs: [{ runId, attempt: 1 }] }).catch(() => {});
    }, 300);
    const abort = new AbortController();
    try {
      const stream = api.receiveWork({ runnerId: runner.id }, { signal: abort.signal })[Symbol.asyncIterator]();
      const cancelledAt = Date.now();
      await control().cancelRun({ runId });
      const next = () =>
        Promise.race([
          stream.next(),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error("no message on the ReceiveWork stream within 5 s")), 5000),
          ),
        ]);
      let event = await next();
      while (event.value?.event.case === "keepalive") event = await next();
      expect(event.value?.event.case).toBe("cancellation");
      expect(Date.now() - cancelledAt).toBeLessThan(1000);
    } finally {
      abort.abort();
      clearInterval(renew);
    }
    const hb = await api.heartbeat({ runnerId: runner.id, runs: [{ runId, attempt: 1 }] });
    expect(hb.cancellations.map((c) => c.runId)).toEqual([runId]);
    await api.finishRun({ runId, attempt: 1, result: Run_Result.CANCELLED });
    expect((await data().getRun({ id: runId })).run?.result).toBe(Run_Result.CANCELLED);
  });

  it("deletes a runner: its tokens stop working, its unstarted run is re-queued at once, its started one after the lease", async () => {
    const runner = await register("proto-deleted");
    const api = runnerApi(runner.token);
    const schedule = async () =>
      (await control().scheduleRun({ testName: "hello", labels: { case: "proto-deleted" } })).runs[0]?.id ?? "";
    const started = await schedule();
    const unstarted = await schedule();
    await api.acquireWork({ runnerId: runner.id, freeSlots: 2, wait: { seconds: 2n, nanos: 0 } });
    await api.startRun({ runId: started, attempt: 1 });
    const admin_ = clientOf(AdminService, transportFor(plane.url, { token: admin }));
    await admin_.deleteRunner({ id: runner.id });
    const requeued = (await data().getRun({ id: unstarted })).run;
    expect(requeued).toMatchObject({ status: RunStatus.QUEUED, runnerId: "" });
    expect(requeued?.attempts.at(-1)?.reason).toBe("RUNNER_DELETED");
    // The started run may still be running on a live runner: it waits for its lease (1.5 s here).
    expect((await data().getRun({ id: started })).run?.status).toBe(RunStatus.RUNNING);
    const deadline = Date.now() + 8000;
    let lost = (await data().getRun({ id: started })).run;
    while (lost?.status !== RunStatus.FINISHED && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      lost = (await data().getRun({ id: started })).run;
    }
    expect(lost).toMatchObject({ status: RunStatus.FINISHED, result: Run_Result.ERROR, resultReason: "RUNNER_LOST" });
    expect((await data().queryRunners({})).runners.map((r) => r.id)).not.toContain(runner.id);
    // Its token is revoked (the status cache holds it for up to 2 s).
    const tokenDeadline = Date.now() + 5000;
    let refused: ConnectError | undefined;
    while (!refused && Date.now() < tokenDeadline) {
      refused = await api
        .registerRunner({ name: "proto-deleted", capacity: 1, acceptSelectors: ["case=proto-deleted"] })
        .then(() => undefined)
        .catch((e) => ConnectError.from(e));
      if (!refused) await new Promise((r) => setTimeout(r, 200));
    }
    expect(refused?.code).toBe(Code.Unauthenticated);
    const again = await admin_.deleteRunner({ id: runner.id }).catch((e) => ConnectError.from(e));
    expect((again as ConnectError).code).toBe(Code.NotFound);
    await control().cancelRun({ runId: unstarted });
  });

  it("re-queues the run of a runner that stops heartbeating, then finishes it ERROR when retries are spent", async () => {
    await control().registerTest({
      name: "retried",
      runConfig: { containerImage: "busybox" },
      retry: { maxAttempts: 2, on: [1] },
    });
    const lost = await register("proto-lost");
    const { runs } = await control().scheduleRun({ testName: "retried", labels: { case: "proto-lost" } });
    const runId = runs[0]?.id ?? "";
    await runnerApi(lost.token).acquireWork({ runnerId: lost.id, freeSlots: 1, wait: { seconds: 2n, nanos: 0 } });
    const waitFor = async (check: () => Promise<boolean>) => {
      const deadline = Date.now() + 8000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error("timed out");
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await waitFor(async () => (await data().getRun({ id: runId })).run?.status === RunStatus.QUEUED);
    expect((await data().getRun({ id: runId })).run?.resultReason).toBe("RUNNER_LOST");
    // The lost runner comes back and reports on the run it no longer holds: refused.
    const stale = await runnerApi(lost.token)
      .finishRun({ runId, attempt: 1, result: Run_Result.ERROR })
      .catch((e) => ConnectError.from(e));
    expect((stale as ConnectError).code).toBe(Code.FailedPrecondition);
    await runnerApi(lost.token).acquireWork({ runnerId: lost.id, freeSlots: 1, wait: { seconds: 2n, nanos: 0 } });
    await waitFor(async () => (await data().getRun({ id: runId })).run?.status === RunStatus.FINISHED);
    const run = (await data().getRun({ id: runId })).run;
    expect(run).toMatchObject({ result: Run_Result.ERROR, resultReason: "RUNNER_LOST", attempt: 2 });
    expect(run?.attempts.map((a) => a.reason)).toEqual(["RUNNER_LOST", "RUNNER_LOST"]);
  });

  it("times a run out on the server when its runner keeps it past the deadline", async () => {
    await control().registerTest({
      name: "wedged",
      runConfig: {
        containerImage: "busybox",
        timeout: { seconds: 1n, nanos: 0 },
        gracePeriod: { seconds: 0n, nanos: 0 },
      },
    });
    const runner = await register("proto-wedged");
    const api = runnerApi(runner.token);
    const { runs } = await control().scheduleRun({ testName: "wedged", labels: { case: "proto-wedged" } });
    const runId = runs[0]?.id ?? "";
    await api.acquireWork({ runnerId: runner.id, freeSlots: 1, wait: { seconds: 2n, nanos: 0 } });
    await api.startRun({ runId, attempt: 1 });
    // The runner keeps heartbeating (it is alive) but never finishes: a wedged workload.
    let run = (await data().getRun({ id: runId })).run;
    const deadline = Date.now() + 8000;
    while (run?.status !== RunStatus.FINISHED && Date.now() < deadline) {
      await api.heartbeat({ runnerId: runner.id, runs: [{ runId, attempt: 1 }] });
      await new Promise((r) => setTimeout(r, 200));
      run = (await data().getRun({ id: runId })).run;
    }
    expect(run).toMatchObject({ result: Run_Result.TIMED_OUT, resultReason: "DEADLINE" });
    const late = await api.finishRun({ runId, attempt: 1, result: Run_Result.PASS }).catch((e) => ConnectError.from(e));
    expect((late as ConnectError).code).toBe(Code.FailedPrecondition);
  });

  it("caps a run's log and says so in a final system chunk", async () => {
    const runner = await register("proto-cap");
    const api = runnerApi(runner.token);
    const { runs } = await control().scheduleRun({ testName: "hello", labels: { case: "proto-cap" } });
    const runId = runs[0]?.id ?? "";
    await api.acquireWork({ runnerId: runner.id, freeSlots: 1, wait: { seconds: 2n, nanos: 0 } });
    const line = `${"x".repeat(1023)}\n`;
    let truncated = false;
    for (let seq = 1; seq <= 100 && !truncated; seq++) {
      truncated = (await api.appendLogs({ chunks: [chunk(runId, 1, seq, line)] })).truncated;
    }
    expect(truncated).toBe(true);
    const logs = await data().getRunLogs({ runId, limit: 1000 });
    const stored = logs.chunks.filter((c) => c.stream === LogStream.STDOUT).reduce((n, c) => n + c.data.length, 0);
    expect(stored).toBe(64 * 1024);
    expect(Buffer.from(logs.chunks.at(-1)?.data ?? []).toString()).toContain("log truncated at 65536 bytes");
    expect(logs.truncated).toBe(true);
  });

  it("expands a matrix into runs that share a matrix id", async () => {
    const { runs, matrixId } = await control().scheduleRun({
      testName: "hello",
      testMatrix: { labels: { os: { values: ["linux", "windows"] }, arch: { values: ["amd64", "arm64"] } } },
    });
    expect(runs).toHaveLength(4);
    expect(new Set(runs.map((r) => r.testMatrixId))).toEqual(new Set([matrixId]));
    expect(runs.map((r) => `${r.labels.os}/${r.labels.arch}`).sort()).toEqual([
      "linux/amd64",
      "linux/arm64",
      "windows/amd64",
      "windows/arm64",
    ]);
    expect(runs.every((r) => r.labels.tier === "smoke")).toBe(true);
  });

  it("summarizes runs by result and lists runners with their liveness", async () => {
    const summary = await data().summarizeRuns({ interval: 2 });
    const counts = new Map<number, number>();
    for (const bucket of summary.intervalStats) {
      for (const r of bucket.resultCount) counts.set(r.result, (counts.get(r.result) ?? 0) + r.count);
    }
    expect(counts.get(Run_Result.PASS)).toBeGreaterThanOrEqual(1);
    expect(counts.get(Run_Result.FAIL)).toBeGreaterThanOrEqual(1);
    expect(counts.get(Run_Result.CANCELLED)).toBeGreaterThanOrEqual(1);
    const { runners } = await data().queryRunners({});
    expect(runners.map((r) => r.name)).toContain("proto-1");
    // A caller limited to another namespace sees the runners but not the runs they hold.
    const busy = runners.find((r) => r.activeRunIds.length > 0);
    expect(busy).toBeDefined();
    const outsider = (await issueToken(plane.url, admin, ["data:read"], ["elsewhere"])).token;
    const seen = await clientOf(DataService, transportFor(plane.url, { token: outsider })).getRunner({ id: busy?.id });
    expect(seen.runner?.name).toBe(busy?.name);
    expect(seen.runner?.activeRunIds).toEqual([]);
    const live = await data().queryRunners({ lastHeartbeatWithin: { seconds: 60n, nanos: 0 } });
    expect(live.runners.length).toBeGreaterThan(0);
    expect(live.runners.every((r) => r.lastHeartbeatAt !== undefined)).toBe(true);
  });

  it("filters runs by status, result and label selector", async () => {
    const failed = await data().queryRuns({ results: [Run_Result.FAIL] });
    expect(failed.runs.length).toBeGreaterThan(0);
    expect(failed.runs.every((r) => r.result === Run_Result.FAIL)).toBe(true);
    const windows = await data().queryRuns({ selector: "os=windows" });
    expect(windows.runs.length).toBeGreaterThan(0);
    expect(windows.runs.every((r) => r.labels.os === "windows")).toBe(true);
  });

  it("never assigns a runner more runs than its capacity, however many polls race", async () => {
    await control().registerTest({ name: "cap", labels: { cap: "1" }, runConfig: { containerImage: "busybox" } });
    const res = await runnerApi().registerRunner({ name: "proto-capacity", capacity: 1, acceptSelectors: ["cap=1"] });
    const api = runnerApi(res.runnerToken);
    for (let i = 0; i < 5; i++) await control().scheduleRun({ testName: "cap" });
    const polls = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.acquireWork({ runnerId: res.runner?.id, freeSlots: 1, wait: { seconds: 1n, nanos: 0 } }),
      ),
    );
    const assigned = new Set(polls.flatMap((p) => p.assignments.map((a) => a.run?.id)));
    expect(assigned.size).toBe(1);
  });

  it("accepts the leased protocol only with a runner-bound token, and keeps runner names with their token", async () => {
    const runner = await register("proto-owned");
    const shared = await runnerApi()
      .acquireWork({ runnerId: runner.id, freeSlots: 1 })
      .catch((e) => ConnectError.from(e));
    expect((shared as ConnectError).code).toBe(Code.PermissionDenied);
    const other = (await issueToken(plane.url, admin, ["runner"], [".*"])).token;
    const hijack = await runnerApi(other)
      .registerRunner({ name: "proto-owned" })
      .catch((e) => ConnectError.from(e));
    expect((hijack as ConnectError).code).toBe(Code.PermissionDenied);
  });

  it("pages through runs queued together (same timestamp) without gaps or repeats", async () => {
    const { runs, matrixId } = await control().scheduleRun({
      testName: "hello",
      testMatrix: { labels: { n: { values: Array.from({ length: 12 }, (_, i) => `v${i}`) } } },
    });
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await data().queryRuns({ matrixId, pageSize: 5, pageToken });
      seen.push(...page.runs.map((r) => r.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen.sort()).toEqual(runs.map((r) => r.id).sort());
  });

  it("keeps tstr's NextRun and SubmitRun working", async () => {
    const runner = await register("tstr-style", {
      acceptSelectors: [],
      acceptTestLabelSelectors: { tstr: "y.s", tier: "smo.*" },
    });
    const api = runnerApi(runnerToken);
    const { runs } = await control().scheduleRun({ testName: "hello", labels: { tstr: "yes" } });
    const next = await api.nextRun({ id: runner.id });
    const runId = next.run?.id ?? "";
    expect(runs.map((r) => r.id)).toContain(runId);
    async function* messages() {
      yield {
        id: runner.id,
        runId,
        logs: [{ time: new Date().toISOString(), outputType: Run_Log_Output.STDOUT, data: Buffer.from("from tstr\n") }],
      };
      yield { id: runner.id, runId, result: Run_Result.PASS, resultData: { k: "v" } };
    }
    await api.submitRun(messages());
    const run = (await data().getRun({ id: runId })).run;
    expect(run).toMatchObject({ status: RunStatus.FINISHED, result: Run_Result.PASS, resultData: { k: "v" } });
    const logs = await data().getRunLogs({ runId });
    expect(Buffer.from(logs.chunks[0]?.data ?? []).toString()).toBe("from tstr\n");
  });
});
