import { Code, ConnectError } from "@connectrpc/connect";
import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import {
  ConcurrencyPolicy,
  ControlService,
  DataService,
  ApplyTestResponse_Outcome as Outcome,
  type Run,
  Run_Result,
  RunnerService,
  RunStatus,
  RunTrigger,
  SuiteRunStatus,
} from "@tstr/proto";
import { BadRequestSchema } from "@tstr/proto/grpc";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";

// Suites through the API against a real control plane and database: declare (apply, dry run,
// validation), read (get with members, query, QueryTests by suite), delete; run a suite and
// finish its runs through the runner API to see the suite run and matrix summaries follow.

const database = useTestDatabase();
let plane: ControlPlane;
let admin: string;
let runnerToken: string;
const NS = "suites";
const control = (namespace = NS) => clientOf(ControlService, transportFor(plane.url, { token: admin, namespace }));
const data = (namespace = NS) => clientOf(DataService, transportFor(plane.url, { token: admin, namespace }));
const image = { containerImage: "busybox" };

beforeAll(async () => {
  plane = await startControlPlane({ db: database.db, logger: silentLogger }, { host: "127.0.0.1", port: 0 });
  admin = plane.bootstrapToken ?? "";
  runnerToken = (await issueToken(plane.url, admin, ["runner"], [".*"])).token;
  const register = (name: string, labels: Record<string, string>, matrix?: { os: string[] }) =>
    control().registerTest({
      name,
      labels,
      runConfig: image,
      ...(matrix ? { matrix: { labels: { os: { values: matrix.os } } } } : {}),
    });
  await register("login", { tier: "smoke", team: "web" });
  await register("checkout", { tier: "smoke", team: "shop" });
  await register("search", { tier: "e2e" });
  await register("matrixed", { tier: "e2e" }, { os: ["linux", "windows"] });
});
afterAll(() => plane?.stop());

/** The ConnectError a call failed with (fails the test if it succeeded). */
async function failure(call: Promise<unknown>): Promise<ConnectError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  if (!error) throw new Error("expected the call to fail");
  return error;
}

/** Field paths of an InvalidArgument error's BadRequest detail. */
const badFields = (error: ConnectError) =>
  error.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations.map((v) => v.field));

let runnerCount = 0;

/**
 * A new runner that accepts only runs matching `selector`, and finishes exactly `runIds` with the
 * result `resultOf` gives, through AcquireWork, StartRun and FinishRun.
 */
async function finishRuns(selector: string, runIds: string[], resultOf: (runId: string) => Run_Result) {
  const api = clientOf(RunnerService, transportFor(plane.url, { token: runnerToken }));
  const reg = await api.registerRunner({
    name: `suite-runner-${++runnerCount}`,
    capacity: 20,
    executors: ["process"],
    acceptSelectors: [selector],
  });
  const runner = clientOf(RunnerService, transportFor(plane.url, { token: reg.runnerToken }));
  const left = new Set(runIds);
  const deadline = Date.now() + 10_000;
  while (left.size && Date.now() < deadline) {
    const work = await runner.acquireWork({
      runnerId: reg.runner?.id,
      freeSlots: left.size,
      wait: { seconds: 2n, nanos: 0 },
    });
    for (const { run, attempt } of work.assignments) {
      const runId = run?.id ?? "";
      expect(left.has(runId), `unexpected run ${runId}`).toBe(true);
      await runner.startRun({ runId, attempt });
      await runner.finishRun({ runId, attempt, result: resultOf(runId) });
      left.delete(runId);
    }
  }
  expect([...left], "runs never assigned").toEqual([]);
}

describe("declaring suites", () => {
  it("applies idempotently: created, unchanged, updated; a dry run writes nothing", async () => {
    const suite = { name: "core", testNames: ["login", "checkout"], labels: { team: "web" } };
    const created = await control().applySuite({ suite });
    expect(created.outcome).toBe(Outcome.CREATED);
    expect(created.suite).toMatchObject({ namespace: NS, name: "core", testNames: ["login", "checkout"], source: "" });
    expect(created.suite?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await control().applySuite({ suite })).outcome).toBe(Outcome.UNCHANGED);

    const preview = await control().applySuite({ suite: { ...suite, description: "changed" }, dryRun: true });
    expect(preview.outcome).toBe(Outcome.UPDATED);
    expect(preview.suite?.description).toBe("changed");
    expect((await data().getSuite({ name: "core" })).suite?.description).toBe("");

    const updated = await control().applySuite({ suite: { ...suite, description: "changed" } });
    expect(updated.outcome).toBe(Outcome.UPDATED);
    expect(updated.suite?.id).toBe(created.suite?.id);

    const fresh = await control().applySuite({ suite: { name: "never-stored", testNames: ["x"] }, dryRun: true });
    expect(fresh.outcome).toBe(Outcome.CREATED);
    expect((await failure(data().getSuite({ name: "never-stored" }))).code).toBe(Code.NotFound);
  });

  it("resolves members by name, id and selector, deduplicated and ordered by name", async () => {
    const { test: search } = await data().getTest({ name: "search" });
    await control().applySuite({
      suite: {
        name: "mixed",
        testNames: ["login", "no-such-test"],
        testIds: [search?.id ?? ""],
        testSelector: "tier=smoke",
      },
    });
    const got = await data().getSuite({ name: "mixed" });
    expect(got.suite?.testSelector).toBe("tier=smoke");
    expect(got.members.map((t) => t.name)).toEqual(["checkout", "login", "search"]);
    expect(got.recentRuns).toEqual([]);
    const byId = await data().getSuite({ id: got.suite?.id });
    expect(byId.suite?.name).toBe("mixed");
  });

  it("queries suites of the namespace by a selector over suite labels", async () => {
    await control().applySuite({ suite: { name: "q-web", testNames: ["login"], labels: { owner: "web", kind: "q" } } });
    await control().applySuite({
      suite: { name: "q-shop", testNames: ["checkout"], labels: { owner: "shop", kind: "q" } },
    });
    await control("elsewhere").applySuite({ suite: { name: "q-other", testNames: ["x"], labels: { kind: "q" } } });
    const all = await data().querySuites({ selector: "kind=q" });
    expect(all.suites.map((s) => s.name)).toEqual(["q-shop", "q-web"]);
    const web = await data().querySuites({ selector: "kind=q,owner in (web)" });
    expect(web.suites.map((s) => s.name)).toEqual(["q-web"]);
    const bad = await failure(data().querySuites({ selector: "owner in (web" }));
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(badFields(bad)).toEqual(["selector"]);
  });

  it("refuses invalid suites, naming every bad field", async () => {
    const error = await failure(
      control().applySuite({
        suite: { name: "bad", testNames: ["ok", "not ok"], testIds: ["nope"], testSelector: "a in (" },
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(badFields(error)).toEqual(["test_ids[0]", "test_names[1]", "test_selector"]);
    expect(error.rawMessage).toContain("test_names[1]");
    const empty = await failure(control().applySuite({ suite: { name: "empty" } }));
    expect(badFields(empty)).toEqual(["test_names"]);
    expect(badFields(await failure(control().applySuite({})))).toEqual(["suite"]);
  });

  it("keeps namespaces apart", async () => {
    const { suite } = await control().applySuite({ suite: { name: "private", testNames: ["login"] } });
    const error = await failure(data("elsewhere").getSuite({ id: suite?.id }));
    expect(error.code).toBe(Code.NotFound);
    expect(error.rawMessage).toContain('not found in namespace "elsewhere"');
    expect((await failure(control("elsewhere").deleteSuite({ id: suite?.id }))).code).toBe(Code.NotFound);
  });

  it("deletes by id or name; the name can then be applied again", async () => {
    const first = await control().applySuite({ suite: { name: "gone", testNames: ["login"] } });
    await control().deleteSuite({ id: first.suite?.id });
    expect((await failure(data().getSuite({ name: "gone" }))).code).toBe(Code.NotFound);
    const second = await control().applySuite({ suite: { name: "gone", testNames: ["login"] } });
    expect(second.outcome).toBe(Outcome.CREATED);
    expect(second.suite?.id).not.toBe(first.suite?.id);
    await control().deleteSuite({ name: "gone" });
    expect((await failure(control().deleteSuite({ name: "gone" }))).code).toBe(Code.NotFound);
  });

  it("filters QueryTests by suite membership", async () => {
    const { suite } = await control().applySuite({
      suite: { name: "qt", testNames: ["search"], testSelector: "team=web" },
    });
    const { suite: other } = await control().applySuite({ suite: { name: "qt2", testNames: ["checkout"] } });
    const members = await data().queryTests({ testSuiteIds: [suite?.id ?? ""] });
    expect(members.tests.map((t) => t.name)).toEqual(["login", "search"]);
    const union = await data().queryTests({ testSuiteIds: [suite?.id ?? "", other?.id ?? ""], selector: "tier=smoke" });
    expect(union.tests.map((t) => t.name)).toEqual(["checkout", "login"]);
    const narrowed = await data().queryTests({ testSuiteIds: [suite?.id ?? ""], ids: [members.tests[1]?.id ?? ""] });
    expect(narrowed.tests.map((t) => t.name)).toEqual(["search"]);
    expect((await data("elsewhere").queryTests({ testSuiteIds: [suite?.id ?? ""] })).tests).toEqual([]);
    const bad = await failure(data().queryTests({ testSuiteIds: [suite?.id ?? "", "nope"] }));
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(badFields(bad)).toEqual(["test_suite_ids[1]"]);
  });
});

describe("running suites", () => {
  beforeAll(async () => {
    await control().applySuite({ suite: { name: "release", testNames: ["login", "checkout", "matrixed"] } });
  });

  async function runRelease(caseName: string) {
    const res = await control().runSuite({ suiteName: "release", labels: { case: caseName } });
    const byTest = (name: string) => res.runs.filter((r) => r.testName === name);
    return { ...res, byTest };
  }

  it("runs every member, and the suite run FAILS once all finished with one failure", async () => {
    const { suiteRun, runs, byTest } = await runRelease("fail-one");
    expect(runs).toHaveLength(4);
    expect(runs.every((r) => r.trigger === RunTrigger.SUITE && r.suiteRunId === suiteRun?.id)).toBe(true);
    expect(runs.every((r) => r.labels.case === "fail-one")).toBe(true);
    expect(suiteRun).toMatchObject({ status: SuiteRunStatus.RUNNING, total: 4, passed: 0, failed: 0, pending: 4 });
    expect([...(suiteRun?.runIds ?? [])].sort()).toEqual(runs.map((r) => r.id).sort());
    expect(suiteRun?.finishedAt).toBeUndefined();

    const matrixRuns = byTest("matrixed");
    const matrixId = matrixRuns[0]?.testMatrixId ?? "";
    expect(matrixRuns.map((r) => r.labels.os).sort()).toEqual(["linux", "windows"]);
    expect(matrixRuns.every((r) => r.testMatrixId === matrixId && matrixId !== "")).toBe(true);
    const failing = matrixRuns.find((r) => r.labels.os === "windows")?.id;
    const firstTwo = [byTest("login")[0]?.id ?? "", byTest("checkout")[0]?.id ?? ""];
    await finishRuns("case=fail-one,tier=smoke", firstTwo, () => Run_Result.PASS);
    const half = await data().getSuiteRun({ id: suiteRun?.id });
    expect(half.suiteRun).toMatchObject({ status: SuiteRunStatus.RUNNING, passed: 2, failed: 0, pending: 2 });

    await finishRuns(
      "case=fail-one,tier=e2e",
      matrixRuns.map((r) => r.id),
      (id) => (id === failing ? Run_Result.FAIL : Run_Result.PASS),
    );
    const done = await data().getSuiteRun({ id: suiteRun?.id });
    expect(done.suiteRun).toMatchObject({ status: SuiteRunStatus.FAILED, total: 4, passed: 3, failed: 1, pending: 0 });
    expect(done.suiteRun?.finishedAt).toBeDefined();
    expect(done.runs.map((r) => r.id)).toEqual(done.suiteRun?.runIds);
    expect(done.runs.every((r: Run) => r.status === RunStatus.FINISHED)).toBe(true);

    const matrix = await data().getMatrixSummary({ matrixId });
    expect(matrix.summary).toMatchObject({ matrixId, total: 2, passed: 1, failed: 1, pending: 0, allPassed: false });
    expect(matrix.summary?.testId).toBe(matrixRuns[0]?.testId);
    const suite = await data().getSuite({ name: "release" });
    expect(suite.recentRuns[0]).toMatchObject({ id: suiteRun?.id, status: SuiteRunStatus.FAILED });
  });

  it("PASSES when every run passed, and the matrix summary says all passed over all its runs", async () => {
    const { suiteRun, runs, byTest } = await runRelease("all-pass");
    await finishRuns(
      "case=all-pass",
      runs.map((r) => r.id),
      () => Run_Result.PASS,
    );
    const done = await data().getSuiteRun({ id: suiteRun?.id });
    expect(done.suiteRun).toMatchObject({ status: SuiteRunStatus.PASSED, total: 4, passed: 4, failed: 0, pending: 0 });
    const finishedAt = done.suiteRun?.finishedAt;
    expect(finishedAt).toBeDefined();
    expect((await data().getSuiteRun({ id: suiteRun?.id })).suiteRun?.finishedAt).toEqual(finishedAt);

    const matrixId = byTest("matrixed")[0]?.testMatrixId ?? "";
    expect((await data().getMatrixSummary({ matrixId })).summary?.allPassed).toBe(true);
    // One run per page, yet the summary covers both runs of the matrix.
    const page = await data().queryRuns({ matrixId, pageSize: 1 });
    expect(page.runs).toHaveLength(1);
    expect(page.matrixSummaries).toHaveLength(1);
    expect(page.matrixSummaries[0]).toMatchObject({ matrixId, total: 2, passed: 2, allPassed: true });
    const bySuiteRun = await data().queryRuns({ suiteRunId: suiteRun?.id });
    expect(bySuiteRun.runs).toHaveLength(4);
    expect(bySuiteRun.matrixSummaries.map((m) => m.matrixId)).toEqual([matrixId]);
    const recent = await data().getSuite({ name: "release" });
    expect(recent.recentRuns.map((r) => r.status)).toEqual([SuiteRunStatus.PASSED, SuiteRunStatus.FAILED]);
  });

  it("answers NotFound and InvalidArgument for unknown or malformed ids", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect((await failure(data().getMatrixSummary({ matrixId: unknown }))).code).toBe(Code.NotFound);
    expect(badFields(await failure(data().getMatrixSummary({ matrixId: "nope" })))).toEqual(["matrix_id"]);
    expect((await failure(data().getSuiteRun({ id: unknown }))).code).toBe(Code.NotFound);
    expect(badFields(await failure(data().getSuiteRun({ id: "nope" })))).toEqual(["id"]);
    expect((await failure(control().runSuite({ suiteName: "no-such-suite" }))).code).toBe(Code.NotFound);
    expect(badFields(await failure(control().runSuite({})))).toEqual(["suite_id"]);
    const badLabel = await failure(control().runSuite({ suiteName: "release", labels: { "bad key!": "x" } }));
    expect(badFields(badLabel)).toEqual(['labels["bad key!"]']);
  });

  it("refuses to run a suite without member tests, naming it", async () => {
    await control().applySuite({ suite: { name: "hollow", testSelector: "tier=nothing-has-this" } });
    const error = await failure(control().runSuite({ suiteName: "hollow" }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toContain('suite "hollow"');
    expect((await data().getSuite({ name: "hollow" })).recentRuns).toEqual([]);
  });

  it("skips a forbid member with an active run; a suite run with no runs is finished FAILED", async () => {
    await control().registerTest({
      name: "exclusive",
      runConfig: image,
      concurrencyPolicy: ConcurrencyPolicy.FORBID,
    });
    await control().applySuite({ suite: { name: "exclusive-only", testNames: ["exclusive"] } });
    const first = await control().runSuite({ suiteName: "exclusive-only", labels: { case: "forbid" } });
    expect(first.runs).toHaveLength(1);
    const second = await control().runSuite({ suiteName: "exclusive-only", labels: { case: "forbid" } });
    expect(second.runs).toEqual([]);
    expect(second.suiteRun).toMatchObject({ status: SuiteRunStatus.FAILED, total: 0, pending: 0 });
    expect(second.suiteRun?.finishedAt).toBeDefined();
    await finishRuns(
      "case=forbid",
      first.runs.map((r) => r.id),
      () => Run_Result.PASS,
    );
    expect((await data().getSuiteRun({ id: first.suiteRun?.id })).suiteRun?.status).toBe(SuiteRunStatus.PASSED);
  });
});

describe("a token limited to another namespace", () => {
  const OWN = "team-x";
  let suiteId: string;
  let suiteRunId: string;
  let matrixId: string;
  let limitedControl: (namespace: string) => ReturnType<typeof control>;
  let limitedData: (namespace: string) => ReturnType<typeof data>;

  beforeAll(async () => {
    const { suite } = await control().applySuite({ suite: { name: "guarded", testNames: ["matrixed"] } });
    suiteId = suite?.id ?? "";
    const run = await control().runSuite({ suiteId, labels: { case: "isolation" } });
    suiteRunId = run.suiteRun?.id ?? "";
    matrixId = run.runs[0]?.testMatrixId ?? "";
    expect(matrixId).not.toBe("");
    const { token } = await issueToken(plane.url, admin, ["control:write", "data:read"], [OWN]);
    limitedControl = (namespace) => clientOf(ControlService, transportFor(plane.url, { token, namespace }));
    limitedData = (namespace) => clientOf(DataService, transportFor(plane.url, { token, namespace }));
  });

  it("is refused every suite call naming the other namespace (PermissionDenied, as for tests)", async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ["GetSuite", () => limitedData(NS).getSuite({ name: "guarded" })],
      ["GetSuite by field", () => limitedData(OWN).getSuite({ namespace: NS, id: suiteId })],
      ["QuerySuites", () => limitedData(NS).querySuites({})],
      ["GetSuiteRun", () => limitedData(NS).getSuiteRun({ id: suiteRunId })],
      ["GetMatrixSummary", () => limitedData(NS).getMatrixSummary({ matrixId })],
      ["RunSuite", () => limitedControl(NS).runSuite({ suiteName: "guarded" })],
      ["DeleteSuite", () => limitedControl(NS).deleteSuite({ name: "guarded" })],
      ["ApplySuite", () => limitedControl(NS).applySuite({ suite: { name: "guarded", testNames: ["login"] } })],
      [
        "ApplySuite by field",
        () => limitedControl(OWN).applySuite({ suite: { namespace: NS, name: "x", testNames: ["a"] } }),
      ],
      ["QueryTests", () => limitedData(NS).queryTests({ testSuiteIds: [suiteId] })],
    ];
    for (const [name, call] of calls) {
      const error = await failure(call());
      expect(`${name}: ${Code[error.code]}`).toBe(`${name}: ${Code[Code.PermissionDenied]}`);
      expect(error.rawMessage).toContain(`may not access namespace "${NS}"`);
    }
  });

  it("finds nothing of the other namespace by id from its own namespace (NotFound, as for tests)", async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ["GetSuite", () => limitedData(OWN).getSuite({ id: suiteId })],
      ["GetSuiteRun", () => limitedData(OWN).getSuiteRun({ id: suiteRunId })],
      ["GetMatrixSummary", () => limitedData(OWN).getMatrixSummary({ matrixId })],
      ["RunSuite", () => limitedControl(OWN).runSuite({ suiteId })],
      ["DeleteSuite", () => limitedControl(OWN).deleteSuite({ id: suiteId })],
    ];
    for (const [name, call] of calls) {
      const error = await failure(call());
      expect(`${name}: ${Code[error.code]}`).toBe(`${name}: ${Code[Code.NotFound]}`);
      expect(error.rawMessage).toContain(`namespace "${OWN}"`);
    }
    expect((await limitedData(OWN).querySuites({})).suites).toEqual([]);
    expect((await limitedData(OWN).queryTests({ testSuiteIds: [suiteId] })).tests).toEqual([]);
    expect((await limitedData(OWN).queryRuns({ suiteRunId })).runs).toEqual([]);
  });

  it("left the suite and its runs as they were", async () => {
    const got = await data().getSuite({ name: "guarded" });
    expect(got.suite).toMatchObject({ id: suiteId, testNames: ["matrixed"] });
    expect(got.recentRuns.map((r) => r.id)).toEqual([suiteRunId]);
  });
});
