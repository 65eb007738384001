import { type ControlPlaneOptions, type Logger, silentLogger, startControlPlane } from "@tstr/control-plane";
import { createDatabase } from "@tstr/db";
import { DEFAULT_TIMEOUT_MS } from "@tstr/domain";
import { ControlService } from "@tstr/proto";
import pg from "pg";
import { clientOf, transportFor } from "../e2e/support/clients.js";
import { withBenchPostgres } from "./bench-env.js";
import { fmt, printTable, sleep } from "./bench-table.js";

type CronOptions = Exclude<ControlPlaneOptions["cron"], false | undefined>;

const TESTS = 10_000;
const ROUNDS = 3;
const NAMESPACE = "bench-cron";
/** A daily schedule: after its forced tick no test is due again while the bench runs. */
const CRON = "0 0 * * *";

interface Timing {
  ms: number;
  batches: number;
}

/**
 * Cron scheduling: 10,000 tests become due at the same instant in a control plane whose cron loop
 * polls every 20 ms; timed from that instant until all 10,000 runs are committed (the real path:
 * lockDueTests, planDueTick, scheduleManyLocked, setNextRunTimes, batch after batch). Baseline: one
 * plain INSERT of the same 10,000 run rows (same columns and values) into the same table. Each
 * timing is the median of {@link ROUNDS} rounds, every round on an emptied runs table.
 */
export async function cronDueBench(): Promise<void> {
  await withBenchPostgres(async (postgres) => {
    const url = await postgres.migratedDatabase();
    const sql = new pg.Pool({ connectionString: url, max: 2 });
    sql.on("error", () => undefined);
    try {
      await createDueTests(url, sql);
      const baseline = await rounds(sql, () => timePlainInsert(sql));
      const byDefault = await rounds(sql, () => timeScheduler(url, sql, {}));
      const oneBatch = await rounds(sql, () => timeScheduler(url, sql, { batchSize: TESTS }));
      await giveDistinctSchedules(sql);
      const distinct = await rounds(sql, () => timeScheduler(url, sql, {}));
      const row = (name: string, t: Timing) => [
        name,
        String(t.batches),
        fmt(t.ms, 1),
        fmt((t.ms * 1000) / TESTS, 1),
        fmt(t.ms / baseline.ms, 1),
      ];
      printTable(
        `Cron scheduling: ${fmt(TESTS)} tests due at the same instant until all their runs are queued ` +
          `(median of ${ROUNDS} rounds)`,
        [
          { title: "name", width: 62, left: true },
          { title: "transactions", width: 12 },
          { title: "ms", width: 9 },
          { title: "µs per test", width: 11 },
          { title: "x baseline", width: 10 },
        ],
        [
          row(`baseline: one INSERT of the same ${fmt(TESTS)} run rows (unnest)`, baseline),
          row("tstr cron loop, one shared schedule, default batch of 500", byDefault),
          row(`tstr cron loop, one shared schedule, one batch of ${fmt(TESTS)}`, oneBatch),
          row(`tstr cron loop, ${fmt(TESTS)} distinct schedules, default batch of 500`, distinct),
        ],
      );
      console.log(
        "  the cron loop polls every 20 ms and is timed from the tests' due instant (including its wake-up) " +
          "until a counting query sees every run committed; the baseline from sending the INSERT until it returns",
      );
    } finally {
      await sql.end();
    }
  });
}

/** Registers one test through the API (so its JSON columns are what the repository writes) and copies it. */
async function createDueTests(url: string, sql: pg.Pool): Promise<void> {
  const db = createDatabase(url);
  const plane = await startControlPlane({ db, logger: silentLogger }, { host: "127.0.0.1", port: 0, cron: false });
  try {
    const control = clientOf(ControlService, transportFor(plane.url, { token: plane.bootstrapToken ?? "" }));
    await control.registerTest({
      name: "due-1",
      namespace: NAMESPACE,
      labels: { team: "bench", tier: "smoke" },
      runConfig: { containerImage: "busybox", command: "sh", args: ["-c", "true"], env: { MODE: "bench" } },
      cronSchedule: CRON,
      schedulePaused: true,
    });
  } finally {
    await plane.stop();
    await db.close();
  }
  await sql.query(
    `INSERT INTO tests (namespace, name, description, labels, run_config, cron_schedule, timezone, schedule_paused,
                        matrix, executor, retry, concurrency_policy, resources, source)
     SELECT namespace, 'due-' || g, description, labels, run_config, cron_schedule, timezone, schedule_paused,
            matrix, executor, retry, concurrency_policy, resources, source
     FROM tests, generate_series(2, $1::int) AS g WHERE namespace = $2`,
    [TESTS, NAMESPACE],
  );
}

/** Gives every test its own daily-or-rarer cron expression (none shares a plan with another). */
async function giveDistinctSchedules(sql: pg.Pool): Promise<void> {
  await sql.query(
    `UPDATE tests SET cron_schedule = concat_ws(' ', n % 60, (n / 60) % 24, 1 + (n / 1440) % 28, '*', '*')
     FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM tests WHERE namespace = $1) AS numbered
     WHERE tests.id = numbered.id`,
    [NAMESPACE],
  );
}

/** Runs `round` {@link ROUNDS} times on an emptied runs table and returns the median timing. */
async function rounds(sql: pg.Pool, round: () => Promise<Timing>): Promise<Timing> {
  const timings: Timing[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await sql.query("TRUNCATE runs CASCADE");
    await sql.query("VACUUM ANALYZE tests, runs");
    timings.push(await round());
  }
  timings.sort((a, b) => a.ms - b.ms);
  return timings[Math.floor(ROUNDS / 2)] as Timing;
}

/** Inserts one run row per test, with the values the scheduler writes, in one statement. */
async function timePlainInsert(sql: pg.Pool): Promise<Timing> {
  const { rows } = await sql.query(
    "SELECT id, namespace, name, labels, run_config, executor, retry FROM tests WHERE namespace = $1",
    [NAMESPACE],
  );
  const column = (pick: (row: (typeof rows)[number]) => unknown) => rows.map(pick);
  const fireAt = new Date();
  const started = performance.now();
  await sql.query(
    `INSERT INTO runs (namespace, test_id, test_name, labels, run_config, executor, matrix_id, suite_run_id,
                       trigger, max_attempts, retry, not_before, cron_fire_at, resources_factor)
     SELECT u.namespace, u.test_id, u.test_name, u.labels, u.run_config, u.executor, NULL, NULL,
            'cron', u.max_attempts, u.retry, NULL, $8, NULL
     FROM unnest($1::text[], $2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[], $6::text[], $7::jsonb[],
                 $9::int[]) AS u(namespace, test_id, test_name, labels, run_config, executor, retry, max_attempts)`,
    [
      column((r) => r.namespace),
      column((r) => r.id),
      column((r) => r.name),
      column((r) => JSON.stringify(r.labels)),
      column((r) => JSON.stringify({ ...r.run_config, timeoutMs: r.run_config.timeoutMs ?? DEFAULT_TIMEOUT_MS })),
      column((r) => r.executor),
      column((r) => JSON.stringify(r.retry)),
      fireAt,
      column((r) => r.retry.maxAttempts),
    ],
  );
  return { ms: performance.now() - started, batches: 1 };
}

/**
 * Starts a control plane with a fast-polling cron loop, makes every test due at one instant a
 * moment ahead, and times from that instant until all runs for it are visible.
 */
async function timeScheduler(url: string, sql: pg.Pool, cron: CronOptions): Promise<Timing> {
  const db = createDatabase(url);
  let batches = 0;
  const logger: Logger = {
    ...silentLogger,
    debug: (msg) => {
      if (msg === "cron batch fired") batches++;
    },
    child: () => logger,
  };
  const plane = await startControlPlane(
    { db, logger },
    { host: "127.0.0.1", port: 0, cron: { pollMs: 20, ...cron }, drainDelayMs: 0, shutdownGraceMs: 1_000 },
  );
  const counter = await sql.connect();
  try {
    const dueAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);
    await sql.query("UPDATE tests SET schedule_paused = false, next_run_at = $1 WHERE namespace = $2", [
      dueAt,
      NAMESPACE,
    ]);
    const dueOnClock = performance.now() + (dueAt.getTime() - Date.now());
    await sleep(Math.max(0, dueAt.getTime() - Date.now() - 50));
    let queued = 0;
    while (queued < TESTS) {
      const { rows } = await counter.query("SELECT count(*)::int AS n FROM runs WHERE cron_fire_at = $1", [dueAt]);
      queued = rows[0].n;
      if (queued < TESTS) await sleep(2);
    }
    const ms = performance.now() - dueOnClock;
    const { rows } = await counter.query(
      "SELECT count(*)::int AS n FROM tests WHERE namespace = $1 AND next_run_at > $2",
      [NAMESPACE, dueAt],
    );
    if (rows[0].n !== TESTS) throw new Error(`only ${rows[0].n} of ${TESTS} tests got their next tick`);
    return { ms, batches };
  } finally {
    counter.release();
    await plane.stop();
    await db.close();
    await sql.query("UPDATE tests SET schedule_paused = true, next_run_at = NULL WHERE namespace = $1", [NAMESPACE]);
  }
}
