import { randomUUID } from "node:crypto";
import { useTestDatabase } from "@tstr/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { createK6ReportsRepository, type K6ReportsRepository } from "./k6-reports-repo.js";
import { finding, insertK6Run, k6Report } from "./k6-test-support.js";

const t = useTestDatabase();
let repo: K6ReportsRepository;
beforeAll(() => {
  repo = createK6ReportsRepository(t.db.pool);
});

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);
const count = async (table: string, runId: string) =>
  (await t.db.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE run_id = $1`, [runId])).rows[0].n;

describe("k6 run reports", () => {
  it("stores a report and reads it back whole", async () => {
    const runId = await insertK6Run(t.db.pool);
    const report = k6Report({ p95Ms: 20, errorRate: 0.01, rps: 5 }, { findings: [finding("warning")] });
    await repo.saveRunReport(runId, 1, { ...report, aggregate: { format: "x", metrics: {} }, reason: "THRESHOLDS" });
    const stored = await repo.latestRunReport(runId);
    expect(stored).toMatchObject({
      runId,
      attempt: 1,
      verdict: "PASS",
      reason: "THRESHOLDS",
      metrics: report.metrics,
      thresholds: report.thresholds,
      checks: report.checks,
      series: report.series,
      findings: report.findings,
      durationMs: 2000,
      stats: { p95Ms: 20, errorRate: 0.01, rps: 5 },
      shards: 1,
    });
    expect(stored?.llmSummary).toBeUndefined();
    // The aggregate (large) is kept for merging, not read with the report.
    expect(stored?.aggregate).toBeUndefined();
    const { rows } = await t.db.pool.query("SELECT aggregate FROM k6_summaries WHERE run_id = $1", [runId]);
    expect(rows[0].aggregate).toEqual({ format: "x", metrics: {} });
  });

  it("replaces a resent report of the same attempt instead of adding to it", async () => {
    const runId = await insertK6Run(t.db.pool);
    await repo.saveRunReport(runId, 1, k6Report({}, { findings: [finding("warning"), finding("critical")] }));
    await repo.saveRunReport(runId, 1, k6Report({ p95Ms: 99 }, { findings: [finding("info")], verdict: "FAIL" }));
    expect(await count("k6_summaries", runId)).toBe(1);
    expect(await count("k6_series", runId)).toBe(2);
    expect(await count("k6_findings", runId)).toBe(1);
    expect(await repo.latestRunReport(runId)).toMatchObject({ verdict: "FAIL", stats: { p95Ms: 99 } });
  });

  it("takes the same report sent several times at the same instant", async () => {
    for (let round = 0; round < 5; round++) {
      const runId = await insertK6Run(t.db.pool);
      const report = k6Report({}, { findings: [finding("info")] });
      await Promise.all(Array.from({ length: 6 }, () => repo.saveRunReport(runId, 1, report)));
      expect(await count("k6_series", runId)).toBe(2);
      expect(await count("k6_findings", runId)).toBe(1);
    }
  });

  it("reads the latest attempt that reported", async () => {
    const runId = await insertK6Run(t.db.pool, { attempt: 2 });
    await repo.saveRunReport(runId, 2, k6Report({ p95Ms: 2 }));
    await repo.saveRunReport(runId, 1, k6Report({ p95Ms: 1 }));
    expect(await repo.latestRunReport(runId)).toMatchObject({ attempt: 2, stats: { p95Ms: 2 } });
    expect(await repo.latestRunReport(randomUUID())).toBeUndefined();
  });

  it("stores an LLM summary only on the version it was made for", async () => {
    const runId = await insertK6Run(t.db.pool);
    const first = await repo.saveRunReport(runId, 1, k6Report());
    const second = await repo.saveRunReport(runId, 1, k6Report());
    expect(second.version).not.toBe(first.version);
    expect(await repo.setRunLlmSummary(runId, 1, first.version, "stale")).toBe(false);
    expect(await repo.setRunLlmSummary(runId, 1, second.version, "fresh")).toBe(true);
    expect((await repo.latestRunReport(runId))?.llmSummary).toBe("fresh");
  });
});

describe("k6 baselines", () => {
  it("are the newest passing runs of the same test and label set, without the run itself", async () => {
    const testName = `baseline-${randomUUID()}`;
    const labels = { env: "staging" };
    const run = async (minutes: number, p95: number, extra: Parameters<typeof insertK6Run>[1] = {}) => {
      const runId = await insertK6Run(t.db.pool, { testName, labels, finishedAt: minutesAgo(minutes), ...extra });
      await repo.saveRunReport(runId, extra.attempt ?? 1, k6Report({ p95Ms: p95, errorRate: 0, rps: 10 }));
      return runId;
    };
    await run(10, 10);
    await run(9, 11);
    await run(8, 900, { result: "FAIL" });
    await run(7, 800, { labels: { env: "prod" } });
    await run(6, 700, { testName: "other" });
    await run(5, 600, { namespace: "elsewhere" });
    await run(4, 500, { status: "RUNNING" });
    const current = await run(1, 12);
    const query = { namespace: "k6", testName, labels, excludeRunId: current, limit: 20 };
    expect((await repo.baselineStats(query)).map((s) => s.p95Ms)).toEqual([11, 10]);
    expect((await repo.baselineStats({ ...query, limit: 1 })).map((s) => s.p95Ms)).toEqual([11]);
    expect((await repo.baselineStats({ ...query, excludeRunId: undefined })).map((s) => s.p95Ms)).toEqual([12, 11, 10]);
  });

  it("count a distributed run once, by its merged report", async () => {
    const testName = `baseline-group-${randomUUID()}`;
    const group = randomUUID();
    const shards = [0, 1].map((shardIndex) =>
      insertK6Run(t.db.pool, { testName, shardGroupId: group, shardIndex, shardCount: 2 }),
    );
    const [first, second] = await Promise.all(shards);
    for (const runId of [first, second]) await repo.saveRunReport(runId as string, 1, k6Report({ p95Ms: 1 }));
    const query = { namespace: "k6", testName, labels: {}, limit: 20 };
    expect(await repo.baselineStats(query)).toEqual([]);
    await repo.withShardGroup(group, (g) =>
      g.saveReport({ ...k6Report({ p95Ms: 42 }), runId: first as string, missingShards: [], shards: 2 }),
    );
    expect(await repo.baselineStats(query)).toEqual([{ p95Ms: 42 }]);
    expect(await repo.baselineStats({ ...query, excludeShardGroupId: group })).toEqual([]);
  });
});

describe("shard groups", () => {
  async function group(results: (string | undefined)[]) {
    const id = randomUUID();
    const runIds: string[] = [];
    for (const [shardIndex, result] of results.entries()) {
      runIds.push(
        await insertK6Run(t.db.pool, {
          shardGroupId: id,
          shardIndex,
          shardCount: results.length,
          status: result ? "FINISHED" : "RUNNING",
          result,
        }),
      );
    }
    return { id, runIds };
  }

  it("lists each shard with its current attempt's report and aggregate", async () => {
    const { id, runIds } = await group(["PASS", "PASS", undefined]);
    await repo.saveRunReport(runIds[0] as string, 1, { ...k6Report(), aggregate: { shard: 0 } });
    await repo.saveRunReport(runIds[1] as string, 1, k6Report());
    const shards = await repo.withShardGroup(id, (g) => g.shards());
    expect(shards.map((s) => [s.shardIndex, s.status, s.reported, s.aggregate])).toEqual([
      [0, "FINISHED", true, { shard: 0 }],
      [1, "FINISHED", true, undefined],
      [2, "RUNNING", false, undefined],
    ]);
  });

  it("fails the shards that passed, with their attempts and a log line, and nothing else", async () => {
    const { id, runIds } = await group(["PASS", "ERROR", "PASS"]);
    await t.db.pool.query(
      "INSERT INTO run_log_chunks (run_id, attempt, seq, stream, ts, data) VALUES ($1, 1, 7, 'stdout', now(), 'x')",
      [runIds[0]],
    );
    const changed = await repo.withShardGroup(id, (g) =>
      g.failPassedShards({ result: "FAIL", reason: "THRESHOLDS", log: "merged thresholds failed" }),
    );
    expect(changed.sort()).toEqual([runIds[0], runIds[2]].sort());
    const { rows } = await t.db.pool.query(
      `SELECT r.id, r.result, r.result_reason, a.result AS attempt_result, a.reason AS attempt_reason
       FROM runs r JOIN run_attempts a ON a.run_id = r.id WHERE r.shard_group_id = $1 ORDER BY r.shard_index`,
      [id],
    );
    expect(rows.map((r) => [r.result, r.result_reason, r.attempt_result, r.attempt_reason])).toEqual([
      ["FAIL", "THRESHOLDS", "FAIL", "THRESHOLDS"],
      ["ERROR", null, null, null],
      ["FAIL", "THRESHOLDS", "FAIL", "THRESHOLDS"],
    ]);
    const logs = await t.db.pool.query(
      "SELECT run_id, seq, stream, convert_from(data, 'UTF8') AS text FROM run_log_chunks WHERE run_id = ANY($1) ORDER BY run_id, seq",
      [[runIds[0], runIds[2]]],
    );
    const byRun = (runId: string) => logs.rows.filter((r) => r.run_id === runId).map((r) => [r.seq, r.stream, r.text]);
    expect(byRun(runIds[0] as string)).toEqual([
      [7, "stdout", "x"],
      [8, "system", "\ntstr: merged thresholds failed\n"],
    ]);
    expect(byRun(runIds[2] as string)).toEqual([[1, "system", "\ntstr: merged thresholds failed\n"]]);
  });

  it("merges once when two replicas try at the same instant", async () => {
    const { id, runIds } = await group(["PASS", "PASS"]);
    const attempts = await Promise.all(
      [0, 1].map(() =>
        repo.withShardGroup(id, async (g) => {
          if (await g.merged()) return false;
          await new Promise((r) => setTimeout(r, 50));
          await g.saveReport({ ...k6Report(), runId: runIds[0] as string, missingShards: [1], shards: 2 });
          return true;
        }),
      ),
    );
    expect(attempts.sort()).toEqual([false, true]);
    expect(await repo.groupReport(id)).toMatchObject({ shardGroupId: id, runId: runIds[0], missingShards: [1] });
  });

  it("reads a group report back whole and takes its LLM summary", async () => {
    const { id, runIds } = await group(["PASS", "PASS"]);
    const report = k6Report({ p95Ms: 5 }, { findings: [finding("critical")], verdict: "FAIL", reason: "THRESHOLDS" });
    await repo.withShardGroup(id, (g) =>
      g.saveReport({ ...report, runId: runIds[0] as string, missingShards: [], shards: 2 }),
    );
    expect(await repo.setGroupLlmSummary(id, "looks slow")).toBe(true);
    expect(await repo.groupReport(id)).toMatchObject({
      ...report,
      shards: 2,
      missingShards: [],
      llmSummary: "looks slow",
    });
    expect(await repo.setGroupLlmSummary(randomUUID(), "nothing")).toBe(false);
  });

  it("finds finished groups that reported but were never merged", async () => {
    const done = await group(["PASS", "FAIL"]);
    const running = await group(["PASS", undefined]);
    const silent = await group(["ERROR", "ERROR"]);
    const merged = await group(["PASS", "PASS"]);
    for (const g of [done, running, merged]) await repo.saveRunReport(g.runIds[0] as string, 1, k6Report());
    await repo.withShardGroup(merged.id, (g) =>
      g.saveReport({ ...k6Report(), runId: merged.runIds[0] as string, missingShards: [], shards: 2 }),
    );
    const found = await repo.unmergedGroups(minutesAgo(5), 100);
    expect(found).toContain(done.id);
    for (const g of [running, silent, merged]) expect(found).not.toContain(g.id);
  });
});
