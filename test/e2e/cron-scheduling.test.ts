import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import { ConcurrencyPolicy, ControlService, DataService, Run_Result, RunStatus, RunTrigger } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, transportFor } from "./support/clients.js";

// The cron scheduler inside a real control plane on a real database: ticks become runs with
// their tick recorded, pauses hold, missed ticks collapse, concurrency policies apply to cron
// runs, and a schedule the loop cannot evaluate never stops it. No runner is connected, so the
// runs stay queued (which is what forbid and replace look at).

const database = useTestDatabase();
let plane: ControlPlane;
let admin: string;

const control = () => clientOf(ControlService, transportFor(plane.url, { token: admin }));
const data = () => clientOf(DataService, transportFor(plane.url, { token: admin }));

beforeAll(async () => {
  plane = await startControlPlane(
    { db: database.db, logger: silentLogger },
    { host: "127.0.0.1", port: 0, cron: { pollMs: 200 } },
  );
  admin = plane.bootstrapToken ?? "";
});
afterAll(() => plane?.stop());

async function register(
  name: string,
  extra: {
    cronSchedule?: string;
    timezone?: string;
    schedulePaused?: boolean;
    concurrencyPolicy?: ConcurrencyPolicy;
    matrix?: { labels: Record<string, { values: string[] }> };
  } = {},
) {
  const res = await control().registerTest({
    name,
    namespace: "cron",
    runConfig: { containerImage: "busybox", command: "true" },
    cronSchedule: "* * * * * *",
    ...extra,
  });
  return res.test?.id ?? "";
}

async function runsOf(testId: string) {
  const res = await data().queryRuns({ namespace: "cron", testIds: [testId], pageSize: 500 });
  return res.runs;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe("cron scheduler", () => {
  it("turns every tick of a per-second schedule into one run for that tick", async () => {
    const id = await register("every-second");
    await sleep(3_300);
    await control().updateTest({
      id,
      namespace: "cron",
      schedulePaused: true,
      fieldMask: { paths: ["schedule_paused"] },
    });
    const runs = await runsOf(id);
    const ticks = runs.map((r) => Number(r.cronFireAt?.seconds)).sort((a, b) => a - b);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ticks).size).toBe(ticks.length);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]).toBe((ticks[i - 1] ?? 0) + 1);
    expect(runs.every((r) => r.trigger === RunTrigger.CRON)).toBe(true);
  });

  it("creates nothing while paused, and resumes from now", async () => {
    const id = await register("paused", { schedulePaused: true });
    await sleep(1_500);
    expect(await runsOf(id)).toHaveLength(0);
    const got = await data().getTest({ id, namespace: "cron" });
    expect(got.test?.nextRunAt).toBeUndefined();
    await control().updateTest({
      id,
      namespace: "cron",
      schedulePaused: false,
      fieldMask: { paths: ["schedule_paused"] },
    });
    await until(async () => (await runsOf(id)).length > 0, 5_000, "a run after resuming");
    await control().updateTest({
      id,
      namespace: "cron",
      schedulePaused: true,
      fieldMask: { paths: ["schedule_paused"] },
    });
  });

  it("collapses an hour of missed ticks into one catch-up run", async () => {
    const id = await register("missed", { cronSchedule: "* * * * *", schedulePaused: true });
    // The servers were down for an hour: the stored next tick is an hour old.
    await database.db.pool.query(
      "UPDATE tests SET schedule_paused = false, next_run_at = now() - interval '1 hour' WHERE id = $1",
      [id],
    );
    await until(async () => (await runsOf(id)).length > 0, 5_000, "the catch-up run");
    const [catchUp] = await runsOf(id);
    const tick = Number(catchUp?.cronFireAt?.seconds);
    // The run is for the latest missed tick, not the first one.
    expect(Date.now() / 1000 - tick).toBeLessThan(61);
    await sleep(1_000);
    // Only runs for ticks up to the catch-up tick count: the next minute may start meanwhile.
    const upToCatchUp = (await runsOf(id)).filter((r) => Number(r.cronFireAt?.seconds) <= tick);
    expect(upToCatchUp).toHaveLength(1);
    const { rows } = await database.db.pool.query("SELECT next_run_at FROM tests WHERE id = $1", [id]);
    expect(rows[0].next_run_at.getTime() / 1000).toBeGreaterThan(tick);
  });

  it("queues every matrix combination for each tick", async () => {
    const id = await register("matrix-cron", {
      matrix: { labels: { os: { values: ["linux", "windows", "mac"] } } },
    });
    await sleep(2_300);
    await control().updateTest({
      id,
      namespace: "cron",
      schedulePaused: true,
      fieldMask: { paths: ["schedule_paused"] },
    });
    const runs = await runsOf(id);
    const byTick = new Map<string, string[]>();
    for (const run of runs) {
      const tick = String(run.cronFireAt?.seconds);
      byTick.set(tick, [...(byTick.get(tick) ?? []), run.labels.os ?? ""]);
    }
    expect(byTick.size).toBeGreaterThanOrEqual(2);
    for (const oses of byTick.values()) expect(oses.sort()).toEqual(["linux", "mac", "windows"]);
    // The combinations of one tick share a matrix id; different ticks do not.
    const ids = new Set(runs.map((r) => r.testMatrixId));
    expect(ids.size).toBe(byTick.size);
  });

  it("keeps scheduling other tests when one test's runs cannot be built", async () => {
    const broken = await register("unbuildable", { schedulePaused: true });
    const healthy = await register("beside-unbuildable", { schedulePaused: true });
    // A stored matrix with an empty axis cannot be expanded (validation would refuse it).
    await database.db.pool.query(
      `UPDATE tests SET matrix = '{"labels": {"os": []}, "include": [], "exclude": []}',
         schedule_paused = false, next_run_at = now() WHERE id = $1`,
      [broken],
    );
    await database.db.pool.query("UPDATE tests SET schedule_paused = false, next_run_at = now() WHERE id = $1", [
      healthy,
    ]);
    await until(async () => (await runsOf(healthy)).length >= 2, 5_000, "runs of the healthy test");
    expect(await runsOf(broken)).toHaveLength(0);
    // The broken test moves on to its next tick instead of blocking the loop.
    const { rows } = await database.db.pool.query("SELECT next_run_at FROM tests WHERE id = $1", [broken]);
    expect(rows[0].next_run_at.getTime()).toBeGreaterThan(Date.now() - 3_000);
    await database.db.pool.query("UPDATE tests SET schedule_paused = true WHERE id = ANY($1::uuid[])", [
      [broken, healthy],
    ]);
  });

  it("survives a batch whose namespaces would not fit one notification", async () => {
    // One INSERT for many namespaces used to send one NOTIFY listing them all (8000-byte limit).
    const names: string[] = [];
    for (let i = 0; i < 140; i++) names.push(`ns-${String(i).padStart(3, "0")}-${"x".repeat(52)}`);
    const ids: string[] = [];
    for (const namespace of names) {
      const res = await control().registerTest({
        name: "hourly",
        namespace,
        runConfig: { containerImage: "busybox", command: "true" },
        cronSchedule: "0 * * * *",
      });
      ids.push(res.test?.id ?? "");
    }
    await database.db.pool.query("UPDATE tests SET next_run_at = now() WHERE id = ANY($1::uuid[])", [ids]);
    await until(
      async () => {
        const { rows } = await database.db.pool.query(
          "SELECT count(*)::int AS n FROM runs WHERE test_id = ANY($1::uuid[])",
          [ids],
        );
        return rows[0].n === ids.length;
      },
      10_000,
      "one run per namespace",
    );
  });

  it("forbid: skips ticks while a run of the test is active", async () => {
    const id = await register("forbid", { concurrencyPolicy: ConcurrencyPolicy.FORBID });
    await sleep(2_500);
    const runs = await runsOf(id);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe(RunStatus.QUEUED);
    const manual = await control().scheduleRun({ testId: id, namespace: "cron" });
    expect(manual.runs).toHaveLength(0);
    expect(manual.skippedReason).toContain(runs[0]?.id);
    await control().updateTest({
      id,
      namespace: "cron",
      schedulePaused: true,
      fieldMask: { paths: ["schedule_paused"] },
    });
  });

  it("replace: each tick cancels the active run and queues its own", async () => {
    const id = await register("replace", { concurrencyPolicy: ConcurrencyPolicy.REPLACE });
    await sleep(2_500);
    await control().updateTest({
      id,
      namespace: "cron",
      schedulePaused: true,
      fieldMask: { paths: ["schedule_paused"] },
    });
    const runs = await runsOf(id);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const active = runs.filter((r) => r.status !== RunStatus.FINISHED);
    expect(active).toHaveLength(1);
    const replaced = runs.filter((r) => r.status === RunStatus.FINISHED);
    expect(replaced.every((r) => r.result === Run_Result.CANCELLED && r.resultReason === "REPLACED")).toBe(true);
  });

  it("keeps scheduling other tests when one schedule cannot be evaluated", async () => {
    const broken = await register("broken", { schedulePaused: true });
    const healthy = await register("healthy", { schedulePaused: true });
    // Bypass validation, as a corrupted row or a vanished time zone would.
    await database.db.pool.query(
      "UPDATE tests SET cron_schedule = 'not a cron', schedule_paused = false, next_run_at = now() WHERE id = $1",
      [broken],
    );
    await control().updateTest({
      id: healthy,
      namespace: "cron",
      schedulePaused: false,
      fieldMask: { paths: ["schedule_paused"] },
    });
    await until(async () => (await runsOf(healthy)).length >= 2, 5_000, "runs of the healthy test");
    expect(await runsOf(broken)).toHaveLength(0);
    const { rows } = await database.db.pool.query("SELECT next_run_at FROM tests WHERE id = $1", [broken]);
    expect(rows[0].next_run_at).toBeNull();
  });

  it("recomputes the next time when the schedule changes", async () => {
    const id = await register("rescheduled", { cronSchedule: "0 0 1 1 *", timezone: "UTC" });
    const before = (await data().getTest({ id, namespace: "cron" })).test?.nextRunAt;
    expect(new Date(Number(before?.seconds) * 1000).toISOString()).toMatch(/-01-01T00:00:00/);
    await control().updateTest({
      id,
      namespace: "cron",
      cronSchedule: "0 12 * * *",
      fieldMask: { paths: ["cron_schedule"] },
    });
    const after = (await data().getTest({ id, namespace: "cron" })).test?.nextRunAt;
    const next = new Date(Number(after?.seconds) * 1000);
    expect(next.toISOString()).toMatch(/T12:00:00/);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600 * 1000);
  });

  it("refuses an invalid schedule at registration, naming the field", async () => {
    const refused = await register("invalid", { cronSchedule: "61 * * * *" }).catch((e) => String(e));
    expect(refused).toMatch(/invalid_argument.*cron_schedule/);
    const zone = await register("bad-zone", { cronSchedule: "@daily", timezone: "Mars/Olympus" }).catch((e) =>
      String(e),
    );
    expect(zone).toMatch(/timezone.*unknown time zone/);
  });

  it("shows the next five fire times of a scheduled test", async () => {
    const id = await register("next-five", { cronSchedule: "0 9 * * 1-5", timezone: "Europe/Berlin" });
    const got = await data().getTest({ id, namespace: "cron" });
    const times = got.nextFireTimes.map((t) => new Date(Number(t.seconds) * 1000));
    expect(times).toHaveLength(5);
    for (const t of times) {
      const local = new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/Berlin",
        hour: "2-digit",
        minute: "2-digit",
        weekday: "short",
      }).format(t);
      expect(local).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
    }
  });
});
