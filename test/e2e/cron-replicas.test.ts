import { ControlService } from "@tstr/proto";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, transportFor } from "./support/clients.js";
import { startServeProcess, type TstrProcess } from "./support/tstr-process.js";

// Three `tstr serve` replicas on one database, each running the cron scheduler, share 40 tests on
// a per-second schedule for over 30 s. Every tick of every test must become exactly one run: no
// tick taken by two replicas (a duplicate: checked against the replicas' logs, as the unique tick
// index would hide its run), none lost between them (a gap). No runner is connected, so the runs
// stay queued.

const TESTS = 40;
const WINDOW_MS = 32_000;
const NAMESPACE = "cron-replicas";

const database = useTestDatabase();
const replicas: { proc: TstrProcess; url: string; bootstrapToken?: string }[] = [];

beforeAll(async () => {
  replicas.push(...(await Promise.all([0, 1, 2].map(() => startServeProcess(database.url, ["--log-level", "debug"])))));
}, 60_000);
afterAll(() => Promise.all(replicas.map((r) => r.proc.stop())));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface TickRow {
  test_id: string;
  registered: number;
  tick: number | null;
  trigger: string | null;
}

/** Every test of the namespace with its cron ticks (epoch seconds), one row per run. */
async function ticksByTest() {
  const { rows } = await database.db.pool.query<TickRow>(
    `SELECT t.id AS test_id, extract(epoch FROM t.registered_at)::float8 AS registered,
            extract(epoch FROM r.cron_fire_at)::float8 AS tick, r.trigger
     FROM tests t LEFT JOIN runs r ON r.test_id = t.id
     WHERE t.namespace = $1 ORDER BY t.id, r.cron_fire_at`,
    [NAMESPACE],
  );
  const byTest = new Map<string, { registered: number; ticks: number[]; triggers: Set<string | null> }>();
  for (const row of rows) {
    const entry = byTest.get(row.test_id) ?? { registered: row.registered, ticks: [], triggers: new Set() };
    if (row.trigger !== null) {
      entry.ticks.push(row.tick ?? Number.NaN);
      entry.triggers.add(row.trigger);
    }
    byTest.set(row.test_id, entry);
  }
  return byTest;
}

/** What is wrong with one test's ticks: duplicates, gaps, or ticks that are not whole seconds. */
function tickProblems(ticks: number[]): string[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  for (const [i, tick] of ticks.entries()) {
    if (!Number.isInteger(tick)) problems.push(`tick ${tick} is not a whole second`);
    if (seen.has(tick)) problems.push(`tick ${tick} has more than one run`);
    seen.add(tick);
    const previous = ticks[i - 1];
    if (previous !== undefined && tick - previous > 1) {
      problems.push(`${tick - previous - 1} tick(s) from ${previous + 1} to ${tick - 1} have no run`);
    }
  }
  return problems;
}

describe("cron scheduling across three replicas", () => {
  it("turns every tick of 40 per-second tests into exactly one run for over 30 s", async () => {
    const admin = replicas.find((r) => r.bootstrapToken)?.bootstrapToken ?? "";
    const controls = replicas.map((r) => clientOf(ControlService, transportFor(r.url, { token: admin })));
    await Promise.all(
      Array.from({ length: TESTS }, (_, i) =>
        controls[i % controls.length]?.registerTest({
          name: `every-second-${i}`,
          namespace: NAMESPACE,
          runConfig: { containerImage: "busybox", command: "true" },
          cronSchedule: "* * * * * *",
        }),
      ),
    );
    await sleep(WINDOW_MS);

    // One statement pauses every test at the same instant; it waits for scheduler transactions
    // holding test rows, and later ones no longer see the tests as due.
    const paused = await database.db.pool.query<{ at: number }>(
      `UPDATE tests SET schedule_paused = true, next_run_at = NULL WHERE namespace = $1
         RETURNING extract(epoch FROM clock_timestamp())::float8 AS at`,
      [NAMESPACE],
    );
    expect(paused.rowCount).toBe(TESTS);
    const pausedAt = Math.max(...paused.rows.map((r) => r.at));
    await sleep(1_000);

    const byTest = await ticksByTest();
    expect(byTest.size).toBe(TESTS);
    for (const [testId, { registered, ticks, triggers }] of byTest) {
      expect(tickProblems(ticks), `test ${testId}`).toEqual([]);
      expect([...triggers], `test ${testId}`).toEqual(["cron"]);
      const first = ticks[0] ?? Number.NaN;
      const last = ticks.at(-1) ?? Number.NaN;
      expect(ticks.length, `test ${testId}`).toBe(last - first + 1);
      // The first tick is the first second after registration; the last is the one just
      // before the pause (the one at the pause itself may or may not have been fired).
      expect(first - Math.ceil(registered), `first tick of ${testId}`).toBeGreaterThanOrEqual(-1);
      expect(first - Math.ceil(registered), `first tick of ${testId}`).toBeLessThanOrEqual(1);
      expect(Math.floor(pausedAt) - last, `last tick of ${testId}`).toBeGreaterThanOrEqual(0);
      expect(Math.floor(pausedAt) - last, `last tick of ${testId}`).toBeLessThanOrEqual(1);
      // One run per whole second of the window, give or take its first and last second.
      const windowSeconds = Math.floor(pausedAt) - Math.ceil(registered) + 1;
      expect(ticks.length, `runs of ${testId}`).toBeGreaterThanOrEqual(windowSeconds - 2);
      expect(ticks.length, `runs of ${testId}`).toBeLessThanOrEqual(windowSeconds + 1);
      expect(ticks.length, `runs of ${testId}`).toBeGreaterThanOrEqual(30);
    }

    // Paused means paused on every replica: nothing more arrives.
    const { rows } = await database.db.pool.query("SELECT count(*)::int AS n FROM runs WHERE namespace = $1", [
      NAMESPACE,
    ]);
    const total = [...byTest.values()].reduce((sum, t) => sum + t.ticks.length, 0);
    await sleep(1_000);
    const again = await database.db.pool.query("SELECT count(*)::int AS n FROM runs WHERE namespace = $1", [NAMESPACE]);
    expect(rows[0].n).toBe(total);
    expect(again.rows[0].n).toBe(total);

    // Each replica took part: its scheduler fired some of the runs (debug log "cron batch fired").
    const firedBy = replicas.map((r) => batchesFiredIn(r.proc.stderr()));
    expect(firedBy.reduce((sum, b) => sum + b.runs, 0)).toBe(total);
    for (const fired of firedBy) expect(fired.runs).toBeGreaterThan(0);
    // No tick was claimed by two replicas. The runs cannot show that: a second claim of a tick
    // inserts nothing (the unique tick index, ON CONFLICT DO NOTHING) and reports no run. But each
    // claim counts the test as due, so the due tests over all replicas add up to the ticks fired.
    expect(
      firedBy.reduce((sum, b) => sum + b.due, 0),
      "test-ticks claimed by all replicas, against the runs they created",
    ).toBe(total);
  }, 60_000);
});

/** Sums of due tests and of runs a replica's cron scheduler reported in its JSON log. */
function batchesFiredIn(log: string): { due: number; runs: number } {
  const fired = { due: 0, runs: 0 };
  for (const line of log.split("\n")) {
    if (!line.includes('"cron batch fired"')) continue;
    const entry = JSON.parse(line) as { due?: unknown; runs?: unknown };
    if (typeof entry.due !== "number" || typeof entry.runs !== "number") {
      throw new Error(`"cron batch fired" log line without numeric due and runs: ${line}`);
    }
    fired.due += entry.due;
    fired.runs += entry.runs;
  }
  return fired;
}
