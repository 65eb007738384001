import { randomUUID } from "node:crypto";
import { useTestDatabase } from "@tstr/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { tallyRunsByMatrix, tallyRunsBySuiteRun } from "./run-group-tallies.js";
import { createSuiteRunsRepository, type SuiteRunsRepository } from "./suite-runs-repo.js";
import { createSuitesRepository } from "./suites-repo.js";

const t = useTestDatabase();
let repo: SuiteRunsRepository;
let suiteId: string;
beforeAll(async () => {
  repo = createSuiteRunsRepository(t.db.pool);
  const suite = await createSuitesRepository(t.db).create({
    namespace: "sr",
    name: "smoke",
    labels: {},
    testIds: [],
    testNames: ["a"],
  });
  suiteId = suite.id;
});

/** Inserts a run row directly: the tallies only read status, result and grouping columns. */
async function insertRun(fields: {
  namespace?: string;
  testId?: string;
  suiteRunId?: string;
  matrixId?: string;
  status: string;
  result?: string;
  finishedAt?: Date;
}) {
  const row = await t.db.prisma.run.create({
    data: {
      namespace: fields.namespace ?? "sr",
      testName: "t",
      runConfig: {},
      trigger: "suite",
      testId: fields.testId ?? null,
      suiteRunId: fields.suiteRunId ?? null,
      matrixId: fields.matrixId ?? null,
      status: fields.status,
      result: fields.result ?? null,
      finishedAt: fields.finishedAt ?? null,
    },
  });
  return row.id;
}

describe("suite runs repository", () => {
  it("creates RUNNING, lists newest first, and records the end only once", async () => {
    const first = await repo.create({ suiteId, namespace: "sr" });
    const second = await repo.create({ suiteId, namespace: "sr" });
    expect(first).toMatchObject({ suiteId, namespace: "sr", status: "RUNNING" });
    expect(first.finishedAt).toBeUndefined();
    expect((await repo.listRecent(suiteId, 10)).map((r) => r.id)).toEqual([second.id, first.id]);
    expect((await repo.listRecent(suiteId, 1)).map((r) => r.id)).toEqual([second.id]);
    const at = new Date("2030-01-01T00:00:00Z");
    expect(await repo.markFinished(first.id, { status: "FAILED", finishedAt: at })).toMatchObject({
      status: "FAILED",
      finishedAt: at,
    });
    const again = await repo.markFinished(first.id, { status: "PASSED", finishedAt: new Date() });
    expect(again).toMatchObject({ status: "FAILED", finishedAt: at });
    expect(await repo.getById(first.id)).toEqual(again);
  });

  it("answers nothing for unknown or malformed ids", async () => {
    expect(await repo.getById("nope")).toBeUndefined();
    expect(await repo.getById(randomUUID())).toBeUndefined();
    expect(await repo.listRecent("nope", 5)).toEqual([]);
    expect(await repo.markFinished("nope", { status: "PASSED", finishedAt: new Date() })).toBeUndefined();
  });

  it("joins a pg transaction and rolls back with it", async () => {
    const client = await t.db.pool.connect();
    try {
      await client.query("BEGIN");
      const run = await repo.create({ suiteId, namespace: "sr" }, client);
      expect(await repo.getById(run.id, client)).toEqual(run);
      await client.query("ROLLBACK");
      expect(await repo.getById(run.id)).toBeUndefined();
    } finally {
      client.release();
    }
  });
});

describe("run group tallies", () => {
  it("counts a suite run's runs in SQL: finished non-PASS is failed, unfinished is neither", async () => {
    const suiteRun = await repo.create({ suiteId, namespace: "sr" });
    const last = new Date("2030-01-02T03:04:05Z");
    const ids = [
      await insertRun({ suiteRunId: suiteRun.id, status: "FINISHED", result: "PASS", finishedAt: new Date(0) }),
      await insertRun({ suiteRunId: suiteRun.id, status: "FINISHED", result: "ERROR", finishedAt: last }),
      await insertRun({ suiteRunId: suiteRun.id, status: "RUNNING" }),
      await insertRun({ suiteRunId: suiteRun.id, status: "QUEUED" }),
    ];
    const empty = await repo.create({ suiteId, namespace: "sr" });
    const tallies = await tallyRunsBySuiteRun(t.db.pool, [suiteRun.id, empty.id, "bogus"]);
    expect([...tallies.keys()]).toEqual([suiteRun.id]);
    const tally = tallies.get(suiteRun.id);
    expect(tally).toMatchObject({ groupId: suiteRun.id, total: 4, passed: 1, failed: 1, lastFinishedAt: last });
    expect(tally?.runIds.sort()).toEqual([...ids].sort());
    expect(tally?.testId).toBeUndefined();
  });

  it("tallies many matrices at once, within the given namespaces only", async () => {
    const test = await t.db.prisma.test.create({
      data: { namespace: "sr", name: "m", runConfig: {}, retry: {} },
    });
    const green = randomUUID();
    const red = randomUUID();
    await insertRun({ matrixId: green, testId: test.id, status: "FINISHED", result: "PASS" });
    await insertRun({ matrixId: green, testId: test.id, status: "FINISHED", result: "PASS" });
    await insertRun({ matrixId: red, testId: test.id, status: "FINISHED", result: "FAIL" });
    await insertRun({ matrixId: red, testId: test.id, status: "ASSIGNED" });
    await insertRun({ matrixId: red, namespace: "elsewhere", status: "FINISHED", result: "PASS" });
    const tallies = await tallyRunsByMatrix(t.db.pool, [green, red, green], ["sr"]);
    expect(tallies.get(green)).toMatchObject({ testId: test.id, total: 2, passed: 2, failed: 0 });
    expect(tallies.get(red)).toMatchObject({ testId: test.id, total: 2, passed: 0, failed: 1 });
    expect((await tallyRunsByMatrix(t.db.pool, [red], "all")).get(red)).toMatchObject({ total: 3, passed: 1 });
    expect((await tallyRunsByMatrix(t.db.pool, [red], "all")).get(red)?.testId).toBeUndefined();
    expect((await tallyRunsByMatrix(t.db.pool, [red], [])).size).toBe(0);
    expect((await tallyRunsByMatrix(t.db.pool, [], "all")).size).toBe(0);
  });
});
