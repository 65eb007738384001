import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import { ControlService, DataService, Run_Result, RunnerService, RunStatus } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";

// Distributed k6 runs are shard groups: N runs of one schedule that are placed one by one but
// start together. A shard assigned before the rest of its group is held (it must not start);
// the claim that places the last shard releases the group, and runners learn it from their
// work stream, their long poll or their heartbeat. A group that cannot be placed in time ends
// ERROR instead of holding runners forever. Driven through the runner API on two replicas.

const database = useTestDatabase();
const planes: ControlPlane[] = [];
let admin: string;
let registration: string;

const control = () => clientOf(ControlService, transportFor(planes[0]?.url ?? "", { token: admin }));
const data = () => clientOf(DataService, transportFor(planes[0]?.url ?? "", { token: admin }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    planes.push(
      await startControlPlane(
        { db: database.db, logger: silentLogger },
        {
          host: "127.0.0.1",
          port: 0,
          cron: i === 0 ? { pollMs: 200 } : false,
          runTimings: { shardPlacementTimeoutMs: 1_500, reaperIntervalMs: 200 },
        },
      ),
    );
  }
  admin = planes[0]?.bootstrapToken ?? "";
  registration = (await issueToken(planes[0]?.url ?? "", admin, ["runner"], [".*"])).token;
});
afterAll(async () => {
  for (const plane of planes) await plane.stop();
});

async function runner(name: string, accept: string, plane = 0, capacity = 2) {
  const url = planes[plane]?.url ?? "";
  const reg = await clientOf(RunnerService, transportFor(url, { token: registration })).registerRunner({
    name,
    capacity,
    acceptSelectors: [accept],
  });
  const api = clientOf(RunnerService, transportFor(url, { token: reg.runnerToken }));
  const id = reg.runner?.id ?? "";
  return {
    id,
    api,
    acquire: (slots: number, waitMs = 300) =>
      api.acquireWork({ runnerId: id, freeSlots: slots, wait: { seconds: 0n, nanos: waitMs * 1_000_000 } }),
  };
}

async function shardedTest(name: string, shards: number, extra: { cronSchedule?: string } = {}) {
  await control().registerTest({
    name,
    labels: { case: name },
    executor: "k6",
    runConfig: { containerImage: "grafana/k6", command: "k6" },
    shards,
    ...extra,
  });
}

describe("shard groups", () => {
  it("refuses shards on a test that is not a k6 test", async () => {
    const error = await control()
      .registerTest({ name: "not-k6", runConfig: { containerImage: "busybox" }, shards: 3 })
      .catch((e) => String(e));
    expect(error).toMatch(/shards: only k6 tests can be sharded/);
  });

  it("holds placed shards until the last one is placed, then releases them all", async () => {
    await shardedTest("gang", 3);
    const scheduled = await control().scheduleRun({ testName: "gang" });
    expect(scheduled.runs).toHaveLength(3);
    const group = new Set(scheduled.runs.map((r) => r.shardGroupId));
    expect(group.size).toBe(1);
    expect(scheduled.runs.map((r) => [r.shardIndex, r.shardCount])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);

    const a = await runner("gang-a", "case=gang");
    const c = await runner("gang-c", "case=gang");
    const b = await runner("gang-b", "case=gang", 1);
    // Shards spread over runners: one per runner, however many slots it offers.
    const first = await a.acquire(2);
    expect(first.assignments).toHaveLength(1);
    expect(first.assignments.every((x) => x.hold)).toBe(true);
    const second = await c.acquire(2);
    expect(second.assignments).toHaveLength(1);
    expect(second.assignments[0]?.hold).toBe(true);
    const held = first.assignments[0];
    const refused = await a.api
      .startRun({ runId: held?.run?.id ?? "", attempt: held?.attempt ?? 0 })
      .catch((e) => String(e));
    expect(refused).toMatch(/failed_precondition.*starts when every shard is placed/);

    // The last shard, placed through the other replica, completes the group: it starts at once.
    const last = await b.acquire(1);
    expect(last.assignments).toHaveLength(1);
    expect(last.assignments[0]?.hold).toBe(false);

    // Runner A learns of the release from its heartbeat and from its next poll.
    const beat = await a.api.heartbeat({
      runnerId: a.id,
      runs: first.assignments.map((x) => ({ runId: x.run?.id ?? "", attempt: x.attempt })),
    });
    expect(beat.released.map((r) => r.runId).sort()).toEqual(first.assignments.map((x) => x.run?.id).sort());
    const again = await a.acquire(0);
    expect(again.assignments.map((x) => [x.run?.id, x.hold]).sort()).toEqual(
      first.assignments.map((x) => [x.run?.id, false]).sort(),
    );
    const cBeat = await c.api.heartbeat({
      runnerId: c.id,
      runs: second.assignments.map((x) => ({ runId: x.run?.id ?? "", attempt: x.attempt })),
    });
    expect(cBeat.released.map((r) => r.runId)).toEqual(second.assignments.map((x) => x.run?.id));
    for (const x of [...first.assignments, ...second.assignments, ...last.assignments]) {
      const api = last.assignments.includes(x) ? b.api : second.assignments.includes(x) ? c.api : a.api;
      await api.startRun({ runId: x.run?.id ?? "", attempt: x.attempt });
    }
    const runs = await data().queryRuns({ ids: scheduled.runs.map((r) => r.id) });
    expect(runs.runs.every((r) => r.status === RunStatus.RUNNING)).toBe(true);
  });

  it("releases a group exactly once when its last shards are taken at the same instant on two replicas", async () => {
    for (let round = 0; round < 8; round++) {
      const name = `race-${round}`;
      await shardedTest(name, 2);
      await control().scheduleRun({ testName: name });
      const a = await runner(`${name}-a`, `case=${name}`, 0, 1);
      const b = await runner(`${name}-b`, `case=${name}`, 1, 1);
      const [x, y] = await Promise.all([a.acquire(1, 1000), b.acquire(1, 1000)]);
      const taken = [...x.assignments, ...y.assignments];
      expect(taken).toHaveLength(2);
      // Whichever claim came second saw the first: at least one shard is released in its own
      // assignment, and a heartbeat releases the other if it was handed out held.
      for (const [r, work] of [
        [a, x],
        [b, y],
      ] as const) {
        const assignment = work.assignments[0];
        if (!assignment?.hold) continue;
        const beat = await r.api.heartbeat({
          runnerId: r.id,
          runs: [{ runId: assignment.run?.id ?? "", attempt: assignment.attempt }],
        });
        expect(beat.released.map((l) => l.runId)).toEqual([assignment.run?.id]);
      }
      const { rows } = await database.db.pool.query(
        "SELECT count(DISTINCT released_at)::int AS releases, count(*)::int AS n FROM runs WHERE test_name = $1",
        [name],
      );
      expect(rows[0]).toEqual({ releases: 1, n: 2 });
    }
  });

  it("ends a group ERROR (SHARDS_UNPLACED) when it cannot be placed in time, freeing the runner", async () => {
    await shardedTest("unplaceable", 3);
    const scheduled = await control().scheduleRun({ testName: "unplaceable" });
    const lonely = await runner("lonely", "case=unplaceable", 0, 2);
    const work = await lonely.acquire(2);
    expect(work.assignments).toHaveLength(1);
    expect(work.assignments.every((x) => x.hold)).toBe(true);
    let ended = false;
    for (let i = 0; i < 40 && !ended; i++) {
      await sleep(100);
      const runs = await data().queryRuns({ ids: scheduled.runs.map((r) => r.id) });
      ended = runs.runs.every((r) => r.status === RunStatus.FINISHED && r.resultReason === "SHARDS_UNPLACED");
    }
    expect(ended).toBe(true);
    const beat = await lonely.api.heartbeat({
      runnerId: lonely.id,
      runs: work.assignments.map((x) => ({ runId: x.run?.id ?? "", attempt: x.attempt })),
    });
    expect(beat.revoked).toHaveLength(1);
  });

  it("cancels the whole group when one shard is cancelled", async () => {
    await shardedTest("cancel-group", 3);
    const scheduled = await control().scheduleRun({ testName: "cancel-group" });
    const holder = await runner("cancel-holder", "case=cancel-group", 0, 1);
    const work = await holder.acquire(1);
    expect(work.assignments).toHaveLength(1);
    await control().cancelRun({ runId: scheduled.runs[2]?.id ?? "" });
    const runs = (await data().queryRuns({ ids: scheduled.runs.map((r) => r.id) })).runs;
    const byId = new Map(runs.map((r) => [r.id, r]));
    const held = work.assignments[0]?.run?.id ?? "";
    for (const run of scheduled.runs) {
      const now = byId.get(run.id);
      if (run.id === held) expect(now?.status).toBe(RunStatus.CANCELLING);
      else expect([now?.status, now?.result]).toEqual([RunStatus.FINISHED, Run_Result.CANCELLED]);
    }
  });

  it("gives every shard of a cron tick its own run", async () => {
    await shardedTest("cron-shards", 2, { cronSchedule: "* * * * * *" });
    await sleep(2_200);
    const test = (await data().getTest({ name: "cron-shards" })).test;
    await control().updateTest({ id: test?.id ?? "", schedulePaused: true, fieldMask: { paths: ["schedule_paused"] } });
    const runs = (await data().queryRuns({ testIds: [test?.id ?? ""], pageSize: 100 })).runs;
    const byTick = new Map<string, number[]>();
    for (const run of runs) {
      const tick = String(run.cronFireAt?.seconds);
      byTick.set(tick, [...(byTick.get(tick) ?? []), run.shardIndex]);
    }
    expect(byTick.size).toBeGreaterThanOrEqual(1);
    for (const indexes of byTick.values()) expect(indexes.sort()).toEqual([0, 1]);
  });
});
