import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import type { NdjsonResult } from "@tstr/k6";
import { ControlService, DataService, Run_Result, Severity } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";
import { aggregateLines, fixtureLines, handRunner, k6Results, splitPoints } from "./support/k6-reports.js";
import { runLogText } from "./support/runs.js";

// Distributed k6: a 2-shard test driven through the runner API on two replicas (no Docker). Each
// shard reports the aggregate of its share of a real k6 NDJSON output and finishes PASS, as the
// runner does for shards; when the last shard finishes, the server merges the aggregates and
// judges the thresholds once, on the merged data.
//
// Why counters: splitting one run's samples between shards cannot make a percentile flip — the
// merged p(95) lies between the shards' own — so a p(95) threshold gives the same verdict alone and
// merged. What does flip is whatever adds up across shards: counts, per-second rates, VUs. So the
// first case fails merged on `http_reqs count<200` (150 per shard), the second passes merged on
// `http_reqs rate>8` (about 5/s per shard, 9.9/s together) while one shard also fails its own
// p(95) because it got the slowest requests.

const FIXTURE = "r00tsh_golang-api-test_k6_results.ndjson"; // 300 requests in 30 s, p(95) 12.9 ms
const database = useTestDatabase();
const planes: ControlPlane[] = [];
let admin: string;
let registration: string;

const control = () => clientOf(ControlService, transportFor(planes[0]?.url ?? "", { token: admin }));
const data = () => clientOf(DataService, transportFor(planes[0]?.url ?? "", { token: admin }));
const url = (plane: number) => planes[plane]?.url ?? "";

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    planes.push(
      await startControlPlane(
        { db: database.db, logger: silentLogger },
        { host: "127.0.0.1", port: 0, cron: false, k6: { mergeSweepMs: 300 } },
      ),
    );
  }
  admin = planes[0]?.bootstrapToken ?? "";
  registration = (await issueToken(url(0), admin, ["runner"], [".*"])).token;
});
afterAll(async () => {
  for (const plane of planes) await plane.stop();
});

/** A scheduled 2-shard k6 run, each shard taken and started by its own runner on its own replica. */
async function startDistributedRun(name: string) {
  await control().registerTest({
    name,
    labels: { case: name },
    executor: "k6",
    runConfig: { containerImage: "grafana/k6", command: "k6" },
    shards: 2,
  });
  const scheduled = await control().scheduleRun({ testName: name });
  const shardIndex = new Map(scheduled.runs.map((r) => [r.id, r.shardIndex]));
  const shards = [];
  for (const plane of [0, 1]) {
    const runner = await handRunner(url(plane), registration, `${name}-${plane}`, `case=${name}`);
    for (const [runId, attempt] of await runner.take(1)) {
      shards.push({ runner, runId, attempt, index: shardIndex.get(runId) ?? -1 });
    }
  }
  shards.sort((a, b) => a.index - b.index);
  expect(shards.map((s) => s.index)).toEqual([0, 1]);
  for (const s of shards) await s.runner.start(s.runId, s.attempt);
  return shards;
}

type Shards = Awaited<ReturnType<typeof startDistributedRun>>;

async function reportAll(shards: Shards, parts: NdjsonResult[]) {
  for (const [i, s] of shards.entries()) {
    await s.runner.report(k6Results(s.runId, s.attempt, parts[i] as NdjsonResult, { shards: 2 }));
  }
}

const thresholdsOf = (r: NdjsonResult) => r.summary.thresholds.map((t) => [t.metric, t.expression, t.ok]);
const reportOf = async (runId: string) => (await data().getK6Report({ runId })).report as K6ReportShape;
type K6ReportShape = NonNullable<Awaited<ReturnType<ReturnType<typeof data>["getK6Report"]>>["report"]>;
const metric = (report: K6ReportShape, name: string) => report.metrics.find((m) => m.name === name)?.values ?? {};

describe("distributed k6 runs", () => {
  it("fails every shard (THRESHOLDS) when the merged data fails a threshold each shard passed alone", async () => {
    const thresholds = { http_req_duration: ["p(95)<14"], http_reqs: ["count<200"] };
    const lines = fixtureLines(FIXTURE);
    const parts = splitPoints(lines, 2, ({ nth }) => nth % 2).map((p) => aggregateLines(p, thresholds));
    const whole = aggregateLines(lines, thresholds);
    // The premise: each shard alone passes every threshold; all the data fails the count.
    for (const part of parts) expect(part.summary.thresholds.every((t) => t.ok)).toBe(true);
    expect(thresholdsOf(whole)).toEqual([
      ["http_req_duration", "p(95)<14", true],
      ["http_reqs", "count<200", false],
    ]);

    const shards = await startDistributedRun("merged-fails");
    await reportAll(shards, parts);
    const [first, second] = shards;
    if (!first || !second) throw new Error("two shards expected");
    await first.runner.finish(first.runId, first.attempt);
    // Until the group is complete a shard shows its own report.
    expect(await reportOf(first.runId)).toMatchObject({ shards: 1, verdict: Run_Result.PASS });
    await second.runner.finish(second.runId, second.attempt);

    for (const s of shards) {
      const run = (await data().getRun({ id: s.runId })).run;
      expect([run?.result, run?.resultReason]).toEqual([Run_Result.FAIL, "THRESHOLDS"]);
      expect(run?.attempts.map((a) => [a.result, a.reason])).toEqual([[Run_Result.FAIL, "THRESHOLDS"]]);
      const report = await reportOf(s.runId);
      expect(report).toMatchObject({ runId: s.runId, shards: 2, verdict: Run_Result.FAIL });
      expect(report.thresholds.map((t) => [t.metric, t.expression, t.ok])).toEqual(thresholdsOf(whole));
      expect(metric(report, "http_reqs").count).toBe(300);
      // Percentiles come from the merged histograms: the same as over all the samples.
      expect(metric(report, "http_req_duration")["p(95)"]).toBe(
        whole.summary.metrics.find((m) => m.name === "http_req_duration")?.values["p(95)"],
      );
      expect(report.series.reduce((n, p) => n + p.requests, 0)).toBe(300);
      expect((await runLogText(data(), s.runId)).system).toContain(
        "tstr: the merged k6 metrics of this run's 2 shards failed thresholds (http_reqs: count<200)",
      );
    }
  });

  it("passes when each shard fails alone but the merged data passes", async () => {
    const thresholds = { http_req_duration: ["p(95)<15"], http_reqs: ["rate>8"] };
    const lines = fixtureLines(FIXTURE);
    // Shard 1 gets the slowest 6 % of the requests' durations and a quarter of the others.
    const durations = lines
      .map((l) => JSON.parse(l) as { type: string; metric: string; data: { value: number } })
      .filter((l) => l.type === "Point" && l.metric === "http_req_duration")
      .map((l) => l.data.value)
      .sort((a, b) => b - a);
    const slow = durations[Math.floor(durations.length * 0.06)] as number;
    const parts = splitPoints(lines, 2, ({ metric, value, nth }) =>
      metric === "http_req_duration" ? (value > slow || nth % 4 === 0 ? 0 : 1) : nth % 2,
    ).map((p) => aggregateLines(p, thresholds));
    const whole = aggregateLines(lines, thresholds);
    expect(thresholdsOf(parts[0] as NdjsonResult)).toEqual([
      ["http_req_duration", "p(95)<15", false],
      ["http_reqs", "rate>8", false],
    ]);
    expect(thresholdsOf(parts[1] as NdjsonResult)).toEqual([
      ["http_req_duration", "p(95)<15", true],
      ["http_reqs", "rate>8", false],
    ]);
    expect(whole.summary.thresholds.every((t) => t.ok)).toBe(true);

    const shards = await startDistributedRun("merged-passes");
    await reportAll(shards, parts);
    // Shards finish PASS even when their local thresholds failed: the merged data decides.
    await Promise.all(shards.map((s) => s.runner.finish(s.runId, s.attempt)));

    for (const s of shards) {
      const run = (await data().getRun({ id: s.runId })).run;
      expect([run?.result, run?.resultReason]).toEqual([Run_Result.PASS, ""]);
      const report = await reportOf(s.runId);
      expect(report).toMatchObject({ shards: 2, verdict: Run_Result.PASS });
      expect(report.thresholds.map((t) => [t.metric, t.expression, t.ok])).toEqual(thresholdsOf(whole));
      expect(metric(report, "http_reqs").rate).toBeGreaterThan(8);
    }
  });

  it("ends the group ERROR (K6_SHARD_MISSING_METRICS) when a shard reported no aggregate", async () => {
    const lines = fixtureLines(FIXTURE);
    const parts = splitPoints(lines, 2, ({ nth }) => nth % 2).map((p) => aggregateLines(p));
    const shards = await startDistributedRun("missing-shard");
    const [first, second] = shards;
    if (!first || !second) throw new Error("two shards expected");
    await first.runner.report(k6Results(first.runId, first.attempt, parts[0] as NdjsonResult, { shards: 2 }));
    await first.runner.finish(first.runId, first.attempt);
    await second.runner.finish(second.runId, second.attempt, Run_Result.ERROR, "K6_SCRIPT_EXCEPTION");

    const report = await reportOf(second.runId);
    expect(report).toMatchObject({ shards: 2, verdict: Run_Result.ERROR });
    expect(metric(report, "http_reqs").count).toBe(150);
    const missing = report.findings.find((f) => f.code === "K6_SHARD_MISSING_METRICS");
    expect(missing?.severity).toBe(Severity.CRITICAL);
    expect(missing?.message).toMatch(/^shard 2 of 2 reported no k6 metrics/);
    const results = await Promise.all(shards.map(async (s) => (await data().getRun({ id: s.runId })).run));
    expect(results.map((r) => [r?.result, r?.resultReason])).toEqual([
      [Run_Result.ERROR, "K6_SHARD_MISSING_METRICS"],
      [Run_Result.ERROR, "K6_SCRIPT_EXCEPTION"],
    ]);
  });

  it("merges a group that finished unmerged (a server stopped in between) from the periodic sweep", async () => {
    const thresholds = { http_reqs: ["count<200"] };
    const parts = splitPoints(fixtureLines(FIXTURE), 2, ({ nth }) => nth % 2).map((p) => aggregateLines(p, thresholds));
    const shards = await startDistributedRun("swept");
    await reportAll(shards, parts);
    for (const s of shards) await s.runner.finish(s.runId, s.attempt);
    // Undo the merge the finish did, as if the server had stopped before it.
    const group = (await data().getRun({ id: shards[0]?.runId ?? "" })).run?.shardGroupId;
    await database.db.pool.query(
      `WITH unmerged AS (DELETE FROM k6_group_reports WHERE shard_group_id = $1)
       UPDATE runs SET result = 'PASS', result_reason = NULL WHERE shard_group_id = $1`,
      [group],
    );
    let merged: K6ReportShape | undefined;
    for (let i = 0; i < 50 && merged?.shards !== 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      merged = await reportOf(shards[0]?.runId ?? "");
    }
    expect(merged).toMatchObject({ shards: 2, verdict: Run_Result.FAIL });
    const runs = await Promise.all(shards.map(async (s) => (await data().getRun({ id: s.runId })).run));
    expect(runs.map((r) => [r?.result, r?.resultReason])).toEqual([
      [Run_Result.FAIL, "THRESHOLDS"],
      [Run_Result.FAIL, "THRESHOLDS"],
    ]);
  });

  it("merges exactly once when both shards finish at the same instant on two replicas", async () => {
    const thresholds = { http_reqs: ["count<200"] };
    const lines = fixtureLines(FIXTURE);
    const parts = splitPoints(lines, 2, ({ nth }) => nth % 2).map((p) => aggregateLines(p, thresholds));
    for (let round = 0; round < 4; round++) {
      const shards = await startDistributedRun(`race-${round}`);
      await reportAll(shards, parts);
      await Promise.all(shards.map((s) => s.runner.finish(s.runId, s.attempt)));
      const { rows } = await database.db.pool.query(
        `SELECT count(*)::int AS reports FROM k6_group_reports g JOIN runs r ON r.id = g.run_id
         WHERE r.test_name = $1`,
        [`race-${round}`],
      );
      expect(rows[0].reports).toBe(1);
      for (const s of shards) {
        const system = (await runLogText(data(), s.runId)).system;
        expect(system.match(/failed thresholds/g)).toHaveLength(1);
        expect((await data().getRun({ id: s.runId })).run?.resultReason).toBe("THRESHOLDS");
      }
    }
  });
});
