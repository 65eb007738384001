import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import { ControlService, DataService, Run_Result, RunnerService, RunStatus } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";

// Resource factors: runners sharing a `location` label never run factored tests whose factors
// add up above 1 at the same time. Two control-plane replicas on one database and four runners
// (two per replica, all at one location) race for a backlog of factored runs while a sampler
// reads the sum of active factors at the location throughout; afterwards the peak sum is
// computed exactly from the attempts' recorded spans. Runs that do not fit wait; none is lost.

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
        { host: "127.0.0.1", port: 0, cron: false, runTimings: { leaseMs: 10_000, heartbeatIntervalMs: 1_000 } },
      ),
    );
  }
  admin = planes[0]?.bootstrapToken ?? "";
  registration = (await issueToken(planes[0]?.url ?? "", admin, ["runner"], [".*"])).token;
});
afterAll(async () => {
  for (const plane of planes) await plane.stop();
});

/** A runner that long-polls for work on one replica and holds each run for a while. */
async function runRunner(url: string, name: string, labels: Record<string, string>, until: () => boolean) {
  const reg = await clientOf(RunnerService, transportFor(url, { token: registration })).registerRunner({
    name,
    capacity: 3,
    labels,
    acceptSelectors: ["case=capacity"],
    executors: ["process"],
  });
  const api = clientOf(RunnerService, transportFor(url, { token: reg.runnerToken }));
  const runnerId = reg.runner?.id ?? "";
  const active = new Set<Promise<void>>();
  // AcquireWork repeats assignments the runner has not started yet (in case an answer was lost).
  const seen = new Set<string>();
  while (!until()) {
    const free = 3 - active.size;
    if (free <= 0) {
      await Promise.race(active);
      continue;
    }
    const work = await api.acquireWork({ runnerId, freeSlots: free, wait: { seconds: 0n, nanos: 300_000_000 } });
    for (const assignment of work.assignments) {
      const runId = assignment.run?.id ?? "";
      if (seen.has(`${runId}/${assignment.attempt}`)) continue;
      seen.add(`${runId}/${assignment.attempt}`);
      const job = (async () => {
        await api.startRun({ runId, attempt: assignment.attempt });
        await sleep(80 + Math.random() * 120);
        await api.finishRun({ runId, attempt: assignment.attempt, result: Run_Result.PASS });
      })();
      active.add(job);
      void job.finally(() => active.delete(job));
    }
  }
  await Promise.all(active);
}

async function activeFactorSum(location: string): Promise<number> {
  const { rows } = await database.db.pool.query(
    `SELECT coalesce(sum(resources_factor), 0)::float8 AS used FROM runs
     WHERE location = $1 AND status IN ('ASSIGNED', 'RUNNING', 'CANCELLING') AND resources_factor IS NOT NULL`,
    [location],
  );
  return Number(rows[0]?.used ?? 0);
}

/** A span of time (epoch µs, half-open [from, to)) during which a run held `factor` of its location. */
interface Held {
  from: number;
  to: number;
  factor: number;
}

/**
 * The largest sum of factors held at one instant: a sweep over the spans' ends, where an end at
 * the same instant as a start comes first (the spans are half-open).
 */
function peakFactorSum(spans: readonly Held[]): number {
  const events = spans.flatMap((s) => [
    { at: s.from, delta: s.factor },
    { at: s.to, delta: -s.factor },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let sum = 0;
  let peak = 0;
  for (const event of events) {
    sum += event.delta;
    peak = Math.max(peak, sum);
  }
  return peak;
}

/**
 * Every attempt of the given factored runs at a location, as the span from the runner starting it
 * to the runner reporting it finished. Both instants are taken by the server while the run holds
 * its share (after the claim committed, before the release commits), so these spans lie inside
 * the spans the budget accounts for: if the budget held, their peak is within it too. (An
 * attempt's assigned_at is the start of its claim transaction, earlier than the claim's commit,
 * and a correct claim may overlap a release that commits in between.)
 */
async function heldSpans(location: string, runIds: readonly string[]) {
  const { rows } = await database.db.pool.query<{
    factor: number;
    started: string | null;
    finished: string | null;
  }>(
    `SELECT r.resources_factor::float8 AS factor,
            (extract(epoch FROM a.started_at) * 1000000)::bigint::text AS started,
            (extract(epoch FROM a.finished_at) * 1000000)::bigint::text AS finished
     FROM run_attempts a JOIN runs r ON r.id = a.run_id
     WHERE r.location = $1 AND r.resources_factor IS NOT NULL AND r.id = ANY($2::uuid[])`,
    [location, runIds],
  );
  return rows.map((row) => ({
    factor: row.factor,
    started: row.started === null ? Number.NaN : Number(row.started),
    finished: row.finished === null ? Number.NaN : Number(row.finished),
  }));
}

describe("resource factors per location", () => {
  it("never lets the active factors at one location add up above 1", async () => {
    const tests = [
      { name: "heavy", factor: 0.6 },
      { name: "medium", factor: 0.4 },
      { name: "light", factor: 0.3 },
      { name: "unfactored", factor: 0 },
    ];
    const runIds: string[] = [];
    for (const { name, factor } of tests) {
      await control().registerTest({
        name,
        namespace: "capacity",
        labels: { case: "capacity" },
        runConfig: { containerImage: "busybox", command: "true" },
        ...(factor ? { resources: { factor } } : {}),
      });
    }
    for (let round = 0; round < 6; round++) {
      for (const { name } of tests) {
        const res = await control().scheduleRun({ testName: name, namespace: "capacity" });
        runIds.push(...res.runs.map((r) => r.id));
      }
    }

    let done = false;
    let maxSeen = 0;
    let samples = 0;
    const sampler = (async () => {
      while (!done) {
        maxSeen = Math.max(maxSeen, await activeFactorSum("lab"));
        samples++;
        await sleep(5);
      }
    })();
    const allFinished = async () => {
      const res = await data().queryRuns({ namespace: "capacity", ids: runIds, pageSize: 500 });
      return res.runs.length === runIds.length && res.runs.every((r) => r.status === RunStatus.FINISHED);
    };
    const deadline = Date.now() + 40_000;
    let finished = false;
    const stop = () => finished || Date.now() > deadline;
    const watcher = (async () => {
      while (!stop()) {
        finished = await allFinished();
        await sleep(100);
      }
    })();
    await Promise.all([
      runRunner(planes[0]?.url ?? "", "lab-a", { location: "lab" }, stop),
      runRunner(planes[0]?.url ?? "", "lab-b", { location: "lab" }, stop),
      runRunner(planes[1]?.url ?? "", "lab-c", { location: "lab" }, stop),
      runRunner(planes[1]?.url ?? "", "lab-d", { location: "lab" }, stop),
      watcher,
    ]);
    done = true;
    await sampler;

    expect(finished).toBe(true);
    const runs = (await data().queryRuns({ namespace: "capacity", ids: runIds, pageSize: 500 })).runs;
    expect(runs.every((r) => r.result === Run_Result.PASS)).toBe(true);
    expect(runs.filter((r) => r.testName !== "unfactored").every((r) => r.location === "lab")).toBe(true);
    expect(samples).toBeGreaterThan(20);
    expect(maxSeen).toBeLessThanOrEqual(1 + 1e-9);

    // Exact, after the fact: sampling can miss a short over-commit; the attempts' recorded spans
    // show every moment at which runs of the location were running together.
    const attempts = await heldSpans("lab", runIds);
    const factored = runs.filter((r) => r.testName !== "unfactored").length;
    expect(attempts.length).toBeGreaterThanOrEqual(factored);
    for (const a of attempts) expect(a.finished).toBeGreaterThan(a.started);
    const peak = peakFactorSum(attempts.map((a) => ({ from: a.started, to: a.finished, factor: a.factor })));
    expect(peak, "most factors running at once at the location").toBeLessThanOrEqual(1 + 1e-9);
    // The budget was actually shared, not serialised down to one run at a time.
    expect(peak).toBeGreaterThan(0.6);
  }, 60_000);

  it("keeps a run that cannot fit queued until the location has room", async () => {
    await control().registerTest({
      name: "big",
      namespace: "capacity",
      labels: { case: "capacity" },
      runConfig: { containerImage: "busybox", command: "true" },
      resources: { factor: 0.7 },
    });
    const reg = await clientOf(
      RunnerService,
      transportFor(planes[0]?.url ?? "", { token: registration }),
    ).registerRunner({
      name: "solo",
      capacity: 3,
      labels: { location: "solo-site" },
      acceptSelectors: ["case=capacity"],
    });
    const api = clientOf(RunnerService, transportFor(planes[0]?.url ?? "", { token: reg.runnerToken }));
    const runnerId = reg.runner?.id ?? "";
    const first = await control().scheduleRun({ testName: "big", namespace: "capacity" });
    const second = await control().scheduleRun({ testName: "big", namespace: "capacity" });
    const work = await api.acquireWork({ runnerId, freeSlots: 3, wait: { seconds: 1n, nanos: 0 } });
    expect(work.assignments.map((a) => a.run?.id)).toEqual([first.runs[0]?.id]);
    await api.startRun({ runId: first.runs[0]?.id ?? "", attempt: 1 });
    const again = await api.acquireWork({ runnerId, freeSlots: 2, wait: { seconds: 0n, nanos: 500_000_000 } });
    expect(again.assignments).toHaveLength(0);
    const waiting = await data().getRun({ id: second.runs[0]?.id ?? "", namespace: "capacity" });
    expect(waiting.run?.status).toBe(RunStatus.QUEUED);

    await api.finishRun({ runId: first.runs[0]?.id ?? "", attempt: 1, result: Run_Result.PASS });
    const next = await api.acquireWork({ runnerId, freeSlots: 3, wait: { seconds: 2n, nanos: 0 } });
    expect(next.assignments.map((a) => a.run?.id)).toEqual([second.runs[0]?.id]);
  });
});
