import { randomUUID } from "node:crypto";
import { useTestDatabase } from "@tstr/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { k6Statistics, searchK6Runs } from "./k6-queries.js";
import type { K6ReportContent } from "./k6-report-record.js";
import { createK6ReportsRepository, type K6ReportsRepository } from "./k6-reports-repo.js";
import { finding, insertK6Run, k6Report } from "./k6-test-support.js";

const t = useTestDatabase();
let repo: K6ReportsRepository;
const ns = "queries";
const hoursAgo = (n: number) => new Date(Date.now() - n * 3_600_000);
const runs: Record<string, string> = {};
let group: string;
let testA: string;

/** A finished k6 run of `test` that ended `hours` ago with this report. */
async function unit(
  key: string,
  hours: number,
  report: K6ReportContent,
  extra: { testId?: string; testName?: string },
) {
  const runId = await insertK6Run(t.db.pool, { namespace: ns, finishedAt: hoursAgo(hours), ...extra });
  await repo.saveRunReport(runId, 1, report);
  runs[key] = runId;
}

beforeAll(async () => {
  repo = createK6ReportsRepository(t.db.pool);
  testA = (
    await t.db.prisma.test.create({ data: { namespace: ns, name: "a", runConfig: {}, retry: {}, executor: "k6" } })
  ).id;
  const a = { testId: testA, testName: "a" };
  await unit("old", 24 * 10, k6Report({ p95Ms: 100, errorRate: 0, rps: 50 }), a);
  await unit("calm", 30, k6Report({ p95Ms: 120, errorRate: 0.001, rps: 50 }), a);
  await unit("noisy", 20, k6Report({ p95Ms: 300, errorRate: 0.2, rps: 40 }, { findings: [finding("critical")] }), a);
  await unit(
    "slow",
    10,
    k6Report({ p95Ms: 6000, errorRate: 0.06, rps: 10 }, { findings: [finding("warning"), finding("info", "X")] }),
    { testName: "b" },
  );
  await unit("elsewhere", 5, k6Report({ p95Ms: 1 }, { findings: [finding("critical")] }), { testName: "a" });
  await t.db.pool.query("UPDATE runs SET namespace = 'other' WHERE id = $1", [runs.elsewhere]);
  // A distributed run: counted once, by its merged report (its shards' own reports are not units).
  group = randomUUID();
  const shards: string[] = [];
  for (const shardIndex of [0, 1]) {
    shards.push(
      await insertK6Run(t.db.pool, {
        namespace: ns,
        ...a,
        shardGroupId: group,
        shardIndex,
        shardCount: 2,
        finishedAt: hoursAgo(2),
      }),
    );
    await repo.saveRunReport(shards.at(-1) as string, 1, k6Report({ p95Ms: 1, errorRate: 0.9 }));
  }
  runs.group = shards[0] as string;
  await repo.withShardGroup(group, (g) =>
    g.saveReport({
      ...k6Report({ p95Ms: 150, errorRate: 0.02, rps: 100 }, { verdict: "FAIL", reason: "THRESHOLDS" }),
      runId: shards[0] as string,
      missingShards: [],
      shards: 2,
    }),
  );
});

const ids = (digests: { runId: string }[]) =>
  digests.map((d) => Object.entries(runs).find(([, id]) => id === d.runId)?.[0]);

describe("searchK6Runs", () => {
  it("lists a namespace's k6 runs newest first, a distributed run once", async () => {
    const found = await searchK6Runs(t.db.pool, { namespace: ns, limit: 50 });
    expect(ids(found)).toEqual(["group", "slow", "noisy", "calm", "old"]);
    expect(found[0]).toMatchObject({
      runId: runs.group,
      shardGroupId: group,
      testId: testA,
      testName: "a",
      verdict: "FAIL",
      p95Ms: 150,
      errorRate: 0.02,
      rps: 100,
      findings: 0,
    });
    expect(found[1]).toMatchObject({ testName: "b", findings: 2, worstSeverity: "warning" });
    expect(found[1]?.testId).toBeUndefined();
  });

  it("filters by test, anomalies, error rate, p95, period and limit", async () => {
    const search = (q: Partial<Parameters<typeof searchK6Runs>[1]>) =>
      searchK6Runs(t.db.pool, { namespace: ns, limit: 50, ...q }).then(ids);
    expect(await search({ testId: testA })).toEqual(["group", "noisy", "calm", "old"]);
    expect(await search({ anomaliesOnly: true })).toEqual(["slow", "noisy"]);
    expect(await search({ minErrorRate: 0.05 })).toEqual(["slow", "noisy"]);
    expect(await search({ maxP95Ms: 150 })).toEqual(["group", "calm", "old"]);
    expect(await search({ after: hoursAgo(25), before: hoursAgo(5) })).toEqual(["slow", "noisy"]);
    expect(await search({ limit: 2 })).toEqual(["group", "slow"]);
    expect(await search({ namespace: "nobody" })).toEqual([]);
  });
});

describe("k6Statistics", () => {
  it("counts units, anomalies and findings by severity in the period, and trends per test", async () => {
    const stats = await k6Statistics(t.db.pool, { namespace: ns, since: hoursAgo(24 * 7) });
    expect(stats).toEqual({
      runs: 4,
      anomalous: 2,
      findingsBySeverity: { critical: 1, warning: 1, info: 1 },
      tests: [
        { testId: testA, testName: "a", runs: 3, anomalous: 1, p95First: 120, p95Last: 150 },
        { testName: "b", runs: 1, anomalous: 1, p95First: 6000, p95Last: 6000 },
      ],
    });
    expect(await k6Statistics(t.db.pool, { namespace: ns, since: hoursAgo(1) })).toEqual({
      runs: 0,
      anomalous: 0,
      findingsBySeverity: {},
      tests: [],
    });
  });
});
