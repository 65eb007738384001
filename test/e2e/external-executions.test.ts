import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Code } from "@connectrpc/connect";
import {
  ConcurrencyPolicy,
  DataService,
  Run_Result,
  RunStatus,
  RunTrigger,
  SummarizeRunsRequest_Interval,
} from "@tstr/proto";
import { BadRequestSchema } from "@tstr/proto/grpc";
import { describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";
import { admin, control, data, failure, register, url, useExecutionPlanes } from "./support/execution-planes.js";
import { waitForRun } from "./support/runs.js";
import { runTstr } from "./support/tstr-process.js";

// External executions against real control planes (two replicas on one PostgreSQL): registration
// with per-namespace run numbers, history (QueryRuns, SummarizeRuns, stream filters), the reaper
// ending stale executions, and a round trip through the real `tstrctl` process. Capacity and
// concurrent admission are in external-executions-capacity.test.ts.

useExecutionPlanes();

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
