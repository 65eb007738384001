import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import {
  ConcurrencyPolicy,
  ControlService,
  DataService,
  type ExecutionMetadataSchema,
  Run_Result,
  RunnerService,
  RunStatus,
  RunTrigger,
  SummarizeRunsRequest_Interval,
} from "@tstr/proto";
import { BadRequestSchema } from "@tstr/proto/grpc";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";
import { waitForRun } from "./support/runs.js";
import { runTstr } from "./support/tstr-process.js";

// External executions against real control planes (two replicas on one PostgreSQL): registration
// with per-namespace run numbers, history (QueryRuns, SummarizeRuns, stream filters), the factor
// rule shared with tstr's own factored runs, completion and cancellation freeing capacity,
// concurrent registrations that never over-admit, the reaper ending stale executions, and a
// round trip through the real `tstrctl` process.

const database = useTestDatabase();
const planes: ControlPlane[] = [];
let admin: string;
let registration: string;

const url = (replica = 0) => planes[replica]?.url ?? "";
const control = (token = admin, replica = 0) => clientOf(ControlService, transportFor(url(replica), { token }));
const data = (token = admin) => clientOf(DataService, transportFor(url(), { token }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    planes.push(
      await startControlPlane(
        { db: database.db, logger: silentLogger },
        {
          host: "127.0.0.1",
          port: 0,
          cron: false,
          drainDelayMs: 0,
          runTimings: { leaseMs: 10_000, heartbeatIntervalMs: 1_000, reaperIntervalMs: 200 },
        },
      ),
    );
  }
  admin = planes[0]?.bootstrapToken ?? "";
  registration = (await issueToken(url(), admin, ["runner"], [".*"])).token;
});
afterAll(async () => {
  for (const plane of planes) await plane.stop();
});

/** The ConnectError a call failed with (the test fails if it succeeded). */
async function failure(call: Promise<unknown>): Promise<ConnectError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  if (!error) throw new Error("expected the call to fail");
  return error;
}

/** Registers an execution in `namespace` through replica `replica`. */
function register(
  namespace: string,
  metadata: MessageInitShape<typeof ExecutionMetadataSchema>,
  opts: { token?: string; replica?: number } = {},
) {
  return control(opts.token, opts.replica).registerExecution({
    namespace,
    metadata: { test: "perf-nightly", ...metadata },
  });
}

/** Active factored runs (any kind) holding part of `location`, straight from the database. */
async function activeAt(location: string) {
  const { rows } = await database.db.pool.query(
    `SELECT count(*)::int AS runs, coalesce(sum(resources_factor), 0)::float8 AS used FROM runs
     WHERE location = $1 AND resources_factor IS NOT NULL AND status IN ('ASSIGNED', 'RUNNING', 'CANCELLING')`,
    [location],
  );
  return { runs: rows[0].runs as number, used: rows[0].used as number };
}

/** A hand-driven runner at `location` accepting runs labelled case=`acceptCase`. */
async function startRunner(name: string, location: string, acceptCase: string, replica = 0) {
  const reg = await clientOf(RunnerService, transportFor(url(replica), { token: registration })).registerRunner({
    name,
    capacity: 3,
    labels: { location },
    acceptSelectors: [`case=${acceptCase}`],
  });
  return {
    id: reg.runner?.id ?? "",
    api: clientOf(RunnerService, transportFor(url(replica), { token: reg.runnerToken })),
  };
}

describe("registering and completing external executions", () => {
  it("numbers executions per namespace and shows them in QueryRuns and SummarizeRuns like any run", async () => {
    const linked = await control().registerTest({
      name: "perf-nightly",
      namespace: "hist",
      runConfig: { containerImage: "busybox", command: "true" },
    });
    const first = await register("hist", {
      stream: "release/2.4",
      repo: "acme/shop",
      type: "perf",
      environment: "staging",
      triggeredBy: "jenkins",
      dashboardUrl: "https://grafana.example.com/d/1",
    });
    const second = await register("hist", { test: "smoke" });
    const other = await register("hist-b", {});
    expect([first.run?.runNumber, second.run?.runNumber, other.run?.runNumber]).toEqual([1n, 2n, 1n]);
    expect(first.run).toMatchObject({
      namespace: "hist",
      testName: "perf-nightly",
      testId: linked.test?.id,
      external: true,
      trigger: RunTrigger.EXTERNAL,
      status: RunStatus.RUNNING,
      execution: {
        test: "perf-nightly",
        stream: "release/2.4",
        repo: "acme/shop",
        triggeredBy: "jenkins",
        timeout: { seconds: 3600n },
      },
    });
    expect(second.run?.testId).toBe("");

    const listed = await data().queryRuns({ namespace: "hist", external: true });
    expect(listed.runs.map((r) => r.runNumber)).toEqual([2n, 1n]);
    expect((await data().queryRuns({ namespace: "hist", external: false })).runs).toEqual([]);
    const fetched = await data().getRun({ namespace: "hist", id: first.run?.id ?? "" });
    expect(fetched.run?.execution?.dashboardUrl).toBe("https://grafana.example.com/d/1");

    await control().completeExecution({
      namespace: "hist",
      runId: first.run?.id ?? "",
      result: Run_Result.PASS,
      resultData: { p95: "120ms" },
    });
    await control().completeExecution({ namespace: "hist", runId: second.run?.id ?? "", result: Run_Result.FAIL });
    const done = await data().getRun({ namespace: "hist", id: first.run?.id ?? "" });
    expect(done.run).toMatchObject({
      status: RunStatus.FINISHED,
      result: Run_Result.PASS,
      resultData: { p95: "120ms" },
    });

    const stats = await data().summarizeRuns({
      namespace: "hist",
      window: { seconds: 3600n },
      interval: SummarizeRunsRequest_Interval.HOUR,
    });
    const counts = new Map<string, number>();
    for (const interval of stats.intervalStats) {
      for (const test of interval.testCount) {
        for (const c of test.resultCount) {
          const key = `${test.testName}:${Run_Result[c.result]}`;
          counts.set(key, (counts.get(key) ?? 0) + c.count);
        }
      }
    }
    expect(Object.fromEntries(counts)).toEqual({ "perf-nightly:PASS": 1, "smoke:FAIL": 1 });
  });

  it("refuses bad input naming the field, and completions of what is not a running execution", async () => {
    const bad = await failure(
      register("bad", {
        test: "",
        factor: 0.5,
        dashboardUrl: "javascript:alert(1)",
        timeout: { seconds: 0n, nanos: 5 },
      }),
    );
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(bad.findDetails(BadRequestSchema)[0]?.fieldViolations.map((v) => v.field)).toEqual([
      "metadata.test",
      "metadata.dashboard_url",
      "metadata.location",
      "metadata.timeout",
    ]);
    expect((await failure(register("bad", { factor: 1.5, location: "l" }))).rawMessage).toContain("metadata.factor");
    expect(
      (
        await failure(
          control().registerExecution({ namespace: "bad", metadata: { test: "t" }, labels: { "bad key": "v" } }),
        )
      ).rawMessage,
    ).toContain('labels["bad key"]');

    const run = (await register("bad", {})).run;
    const wrongResult = await failure(
      control().completeExecution({ namespace: "bad", runId: run?.id ?? "", result: Run_Result.ERROR }),
    );
    expect(wrongResult.code).toBe(Code.InvalidArgument);
    expect(wrongResult.rawMessage).toContain("result: must be PASS (success), FAIL (failure) or CANCELLED, not ERROR");
    await control().completeExecution({ namespace: "bad", runId: run?.id ?? "", result: Run_Result.PASS });
    const twice = await failure(
      control().completeExecution({ namespace: "bad", runId: run?.id ?? "", result: Run_Result.FAIL }),
    );
    expect(twice.code).toBe(Code.FailedPrecondition);
    expect(twice.rawMessage).toMatch(
      /^execution #1 \(run .+, perf-nightly\) already finished PASS at .+; it cannot be completed again$/,
    );
    const missing = await failure(control().cancelExecution({ namespace: "other", runId: run?.id ?? "" }));
    expect(missing.code).toBe(Code.NotFound);

    // tstr's own runs are not completed through this API; external ones can be cancelled through CancelRun too.
    await control().registerTest({
      name: "own",
      namespace: "bad",
      runConfig: { containerImage: "busybox", command: "true" },
    });
    const own = (await control().scheduleRun({ namespace: "bad", testName: "own" })).runs[0];
    const refused = await failure(
      control().completeExecution({ namespace: "bad", runId: own?.id ?? "", result: Run_Result.PASS }),
    );
    expect(refused.code).toBe(Code.FailedPrecondition);
    expect(refused.rawMessage).toContain("was scheduled by tstr, not registered with RegisterExecution");
    const viaCancelRun = (await register("bad", { location: "lab-cr", factor: 1 })).run;
    const cancelled = await control().cancelRun({ namespace: "bad", runId: viaCancelRun?.id ?? "" });
    expect(cancelled.run).toMatchObject({ status: RunStatus.FINISHED, result: Run_Result.CANCELLED });
    await register("bad", { location: "lab-cr", factor: 1 });

    const reader = (await issueToken(url(), admin, ["data:read"])).token;
    expect((await failure(register("bad", {}, { token: reader }))).code).toBe(Code.PermissionDenied);
  });

  it("filters history by stream, ignoring case, with % as the only wildcard", async () => {
    for (const stream of ["release/2.4", "Release/3.0", "release-2", "feature_x", "featureAx", "main"]) {
      await register("streams", { test: stream, stream });
    }
    const streams = async (pattern: string) =>
      (await data().queryRuns({ namespace: "streams", stream: pattern })).runs.map((r) => r.testName).sort();
    expect(await streams("release/%")).toEqual(["Release/3.0", "release/2.4"]);
    expect(await streams("RELEASE/%")).toEqual(["Release/3.0", "release/2.4"]);
    expect(await streams("feature_x")).toEqual(["feature_x"]);
    expect(await streams("%a%")).toEqual(["Release/3.0", "featureAx", "feature_x", "main", "release-2", "release/2.4"]);
    const tooLong = await failure(data().queryRuns({ namespace: "streams", stream: "x".repeat(300) }));
    expect(tooLong.code).toBe(Code.InvalidArgument);
    expect(tooLong.rawMessage).toContain("stream: must be at most 256 characters");
  });

  it("joins its test's history without counting for the test's concurrency policy", async () => {
    await control().registerTest({
      name: "guarded",
      namespace: "policies",
      runConfig: { containerImage: "busybox" },
      concurrencyPolicy: ConcurrencyPolicy.FORBID,
    });
    const { run } = await register("policies", { test: "guarded" });
    expect(run?.testId).not.toBe("");
    // tstr neither starts nor stops an external execution: `forbid` still queues tstr's own run.
    const scheduled = await control().scheduleRun({ testName: "guarded", namespace: "policies" });
    expect(scheduled.runs).toHaveLength(1);
    const history = await data().queryRuns({ namespace: "policies", testIds: [run?.testId ?? ""] });
    expect(history.runs.map((r) => r.external).sort()).toEqual([false, true]);
  });
});

describe("capacity factors of external executions", () => {
  it("refuses an execution that does not fit, naming what runs there, and frees capacity on complete and cancel", async () => {
    const limited = (await issueToken(url(), admin, ["control:write", "data:read"], ["cap"])).token;
    const first = (await register("cap", { test: "perf-a", location: "lab-x", factor: 0.5 })).run;
    await register("cap-other", { test: "secret-test", location: "lab-x", factor: 0.3 });
    const full = await failure(register("cap", { test: "perf-b", location: "lab-x", factor: 0.4 }, { token: limited }));
    expect(full.code).toBe(Code.ResourceExhausted);
    expect(full.rawMessage).toMatch(
      /^location "lab-x" is full: 0\.8 of 1 in use by #1 perf-a \(0\.5, external, since \d\d:\d\dZ\), a run of another namespace \(0\.3, since \d\d:\d\dZ\); this execution needs 0\.4$/,
    );
    // A token that sees both namespaces is told the other one's test too.
    const named = await failure(register("cap", { test: "perf-b", location: "lab-x", factor: 0.4 }));
    expect(named.rawMessage).toContain("#1 cap-other/secret-test (0.3, external");
    expect((await data().queryRuns({ namespace: "cap" })).runs).toHaveLength(1);

    await control().completeExecution({ namespace: "cap", runId: first?.id ?? "", result: Run_Result.PASS });
    const admitted = (await register("cap", { test: "perf-b", location: "lab-x", factor: 0.4 }, { token: limited }))
      .run;
    expect(admitted?.runNumber).toBe(2n);
    expect(await activeAt("lab-x")).toEqual({ runs: 2, used: 0.7 });
    await failure(register("cap", { location: "lab-x", factor: 0.5 }));
    await control().cancelExecution({ namespace: "cap", runId: admitted?.id ?? "", reason: "job aborted" });
    const cancelled = await data().getRun({ namespace: "cap", id: admitted?.id ?? "" });
    expect(cancelled.run).toMatchObject({ result: Run_Result.CANCELLED, resultReason: "job aborted" });
    await register("cap", { location: "lab-x", factor: 0.5 });
  });

  it("counts tstr's own factored runs at the location, and wakes a waiting runner when an execution ends", async () => {
    await control().registerTest({
      name: "soak",
      namespace: "mix",
      labels: { case: "mix" },
      runConfig: { containerImage: "busybox", command: "true" },
      resources: { factor: 0.6 },
    });
    await control().registerTest({
      name: "heavy",
      namespace: "mix",
      labels: { case: "mix" },
      runConfig: { containerImage: "busybox", command: "true" },
      resources: { factor: 0.7 },
    });
    const runner = await startRunner("mix-runner", "lab-mix", "mix");
    const soak = (await control().scheduleRun({ namespace: "mix", testName: "soak" })).runs[0];
    const work = await runner.api.acquireWork({ runnerId: runner.id, freeSlots: 3, wait: { seconds: 2n } });
    expect(work.assignments.map((a) => a.run?.id)).toEqual([soak?.id]);
    await runner.api.startRun({ runId: soak?.id ?? "", attempt: 1 });

    const full = await failure(register("mix", { test: "ext", location: "lab-mix", factor: 0.5 }));
    expect(full.rawMessage).toMatch(
      new RegExp(
        `is full: 0\\.6 of 1 in use by soak \\(0\\.6, run ${soak?.id.slice(0, 8)}, since .+\\); this execution needs 0\\.5$`,
      ),
    );
    const ext = (await register("mix", { test: "ext", location: "lab-mix", factor: 0.4 })).run;
    await runner.api.finishRun({ runId: soak?.id ?? "", attempt: 1, result: Run_Result.PASS });

    // 0.4 (external) + 0.7 does not fit: the heavy run waits for the execution to end.
    const heavy = (await control().scheduleRun({ namespace: "mix", testName: "heavy" })).runs[0];
    const none = await runner.api.acquireWork({
      runnerId: runner.id,
      freeSlots: 3,
      wait: { seconds: 0n, nanos: 300_000_000 },
    });
    expect(none.assignments).toEqual([]);
    const waiting = runner.api.acquireWork({ runnerId: runner.id, freeSlots: 3, wait: { seconds: 8n } });
    await sleep(300);
    const completedAt = Date.now();
    await control().completeExecution({ namespace: "mix", runId: ext?.id ?? "", result: Run_Result.PASS });
    const woken = await waiting;
    expect(woken.assignments.map((a) => a.run?.id)).toEqual([heavy?.id]);
    expect(Date.now() - completedAt, "the waiting runner was woken, not left to its 8 s poll").toBeLessThan(5_000);
  });
});

describe("concurrent registrations", () => {
  // How these were shown to fail without the location lock: with the pg_advisory_xact_lock line
  // of admit() (packages/db/src/executions-repo.ts) removed, three runs admitted 7, 11 and 11 of the
  // 20 registrations in the first round (each transaction summed the location before the others'
  // inserts committed), and the mixed test ended with 9 or 10 runs holding a location that fits 3
  // (some claimed by runners, the rest registered). With the lock: exactly 3, every round.
  it("admits exactly as many as fit when 20 arrive at once on two replicas, round after round", async () => {
    for (let round = 0; round < 4; round++) {
      const location = `lab-race-${round}`;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          register(`race-${i % 3}`, { test: `t${i}`, location, factor: 0.3 }, { replica: i % 2 }),
        ),
      );
      const admitted = outcomes.filter((o) => o.status === "fulfilled");
      const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [ConnectError.from(o.reason)] : []));
      expect(admitted, `round ${round}`).toHaveLength(3);
      expect(
        refused.every((e) => e.code === Code.ResourceExhausted && e.rawMessage.includes(`"${location}" is full`)),
      ).toBe(true);
      expect(await activeAt(location)).toEqual({ runs: 3, used: 0.3 * 3 });
    }
  }, 20_000);

  it("never over-admits when external registrations race tstr runners claiming factored runs", async () => {
    for (let round = 0; round < 3; round++) {
      const location = `lab-mixed-${round}`;
      const namespace = `mixed-${round}`;
      await control().registerTest({
        name: "load",
        namespace,
        labels: { case: `mixed-${round}` },
        runConfig: { containerImage: "busybox", command: "true" },
        resources: { factor: 0.3 },
      });
      for (let i = 0; i < 6; i++) await control().scheduleRun({ namespace, testName: "load" });
      const runners = await Promise.all(
        [0, 1, 2].map((i) => startRunner(`mixed-${round}-${i}`, location, `mixed-${round}`, i % 2)),
      );
      const claims = runners.map((r) => r.api.acquireWork({ runnerId: r.id, freeSlots: 3, wait: { seconds: 0n } }));
      const registrations = Array.from({ length: 10 }, (_, i) =>
        register(namespace, { test: `ext-${i}`, location, factor: 0.3 }, { replica: i % 2 }),
      );
      const [claimed, registered] = await Promise.all([Promise.all(claims), Promise.allSettled(registrations)]);
      const assigned = claimed.flatMap((c) => c.assignments).length;
      const admitted = registered.filter((o) => o.status === "fulfilled").length;
      expect(assigned + admitted, `round ${round}: ${assigned} claimed, ${admitted} registered`).toBe(3);
      const active = await activeAt(location);
      expect(active.runs).toBe(3);
      expect(active.used).toBeLessThanOrEqual(1 + 1e-9);
    }
  }, 20_000);
});

describe("stale executions", () => {
  it("ends an execution nobody completes within its timeout ERROR (EXECUTION_STALE), freeing its capacity", async () => {
    const stale = (await register("stale", { location: "lab-stale", factor: 1, timeout: { seconds: 1n } })).run;
    const lasting = (await register("stale", { test: "lasting" })).run;
    expect((await failure(register("stale", { location: "lab-stale", factor: 0.1 }))).code).toBe(
      Code.ResourceExhausted,
    );
    const ended = await waitForRun(
      clientOf(DataService, transportFor(url(), { token: admin, namespace: "stale" })),
      stale?.id ?? "",
      undefined,
      10_000,
    );
    expect(ended).toMatchObject({
      status: RunStatus.FINISHED,
      result: Run_Result.ERROR,
      resultReason: "EXECUTION_STALE",
    });
    await register("stale", { location: "lab-stale", factor: 1 });
    const still = await data().getRun({ namespace: "stale", id: lasting?.id ?? "" });
    expect(still.run?.status).toBe(RunStatus.RUNNING);
    const late = await failure(
      control().completeExecution({ namespace: "stale", runId: stale?.id ?? "", result: Run_Result.PASS }),
    );
    expect(late.code).toBe(Code.FailedPrecondition);
    expect(late.rawMessage).toContain("already finished ERROR (EXECUTION_STALE)");
  });
});

// Every tstrctl call is a process of its own (several seconds each on a busy machine): three
// steps, the middle two calls in parallel, and a generous timeout, like tstrctl-*.test.ts.
describe("tstrctl exec", () => {
  it("registers, lists, refuses and completes through the real tstrctl", async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), "tstrctl-exec-"));
    const env = {
      TSTR_ADDR: url(),
      TSTR_TOKEN: admin,
      TSTR_NAMESPACE: "cli",
      HOME: home,
      TSTR_CONFIG: path.join(home, "config.yaml"),
    };
    const ctl = (...args: string[]) => runTstr(["ctl", "exec", ...args], env);
    const registered = await ctl(
      "register",
      "--test",
      "perf-nightly",
      "--stream",
      "release/2.4",
      "--location",
      "lab-cli",
      "--factor",
      "0.6",
      "--timeout",
      "30m",
    );
    expect(registered.code, registered.stderr).toBe(0);
    const match = /^registered #1 \(run ([0-9a-f-]{36})\)\n$/.exec(registered.stdout);
    expect(match, registered.stdout).not.toBeNull();
    const runId = match?.[1] ?? "";

    const [listed, refused] = await Promise.all([
      ctl("list", "--stream", "RELEASE/%", "--running"),
      ctl("register", "--test", "other", "--location", "lab-cli", "--factor", "0.5"),
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^NUMBER +TEST +STREAM +LOCATION +FACTOR +STATUS +STARTED +DURATION +ID\n/);
    expect(listed.stdout).toMatch(
      new RegExp(`\\n#1 +perf-nightly +release/2\\.4 +lab-cli +0\\.6 +RUNNING +\\S+Z +- +${runId}\\n$`),
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^tstrctl: location "lab-cli" is full: 0\.6 of 1 in use by #1 perf-nightly \(0\.6, external, since .+\); this execution needs 0\.5\nhint: /,
    );

    const completed = await ctl("complete", runId, "--result", "success", "--data", "p95=120ms");
    expect(completed.code, completed.stderr).toBe(0);
    expect(completed.stdout).toBe(`execution #1 (run ${runId}) completed: PASS\n`);
    const run = await data().getRun({ namespace: "cli", id: runId });
    expect(run.run).toMatchObject({
      result: Run_Result.PASS,
      resultData: { p95: "120ms" },
      execution: { timeout: { seconds: 1800n } },
    });
  }, 90_000);
});
