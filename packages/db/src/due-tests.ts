import type { Test } from "./generated/prisma/client.js";
import type { Queryable } from "./runs/pg-transaction.js";
import { testRowToRecord } from "./test-row.js";
import type { TestRecord } from "./types.js";

const TEST_COLUMNS = `id, namespace, name, description, labels, run_config AS "runConfig", cron_schedule AS "cronSchedule",
  timezone, schedule_paused AS "schedulePaused", next_run_at AS "nextRunAt", matrix, executor, retry,
  concurrency_policy AS "concurrencyPolicy", resources, source, run_config_version AS "runConfigVersion",
  registered_at AS "registeredAt", updated_at AS "updatedAt", archived_at AS "archivedAt", shards`;

const DUE = "next_run_at IS NOT NULL AND NOT schedule_paused AND archived_at IS NULL";

/**
 * Locks up to `limit` tests whose cron tick is due (earliest first) until the caller's transaction
 * ends, and returns them with the database's clock, which every replica shares (a replica whose
 * own clock runs ahead must not fire ticks early). Tests locked by another replica are skipped,
 * not waited for, so every replica can run the scheduler and each due test is taken by one.
 */
export async function lockDueTests(client: Queryable, limit: number): Promise<{ now: Date; tests: TestRecord[] }> {
  const { rows: clock } = await client.query<{ now: Date }>("SELECT clock_timestamp() AS now");
  const now = clock[0]?.now ?? new Date();
  const { rows } = await client.query<Test>(
    `SELECT ${TEST_COLUMNS} FROM tests WHERE ${DUE} AND next_run_at <= $1
     ORDER BY next_run_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return { now, tests: rows.map(testRowToRecord) };
}

/**
 * Locks a live test's row until the caller's transaction ends and returns it as it is now, so
 * whatever is decided under the lock uses the current definition. Undefined when the test is
 * gone or archived.
 */
export async function lockLiveTest(client: Queryable, id: string): Promise<TestRecord | undefined> {
  const { rows } = await client.query<Test>(
    `SELECT ${TEST_COLUMNS} FROM tests WHERE id = $1 AND archived_at IS NULL FOR UPDATE`,
    [id],
  );
  return rows[0] ? testRowToRecord(rows[0]) : undefined;
}

/** Sets the next cron tick of many tests in one statement (null: no further tick). */
export async function setNextRunTimes(
  client: Queryable,
  updates: readonly { id: string; nextRunAt: Date | undefined }[],
): Promise<void> {
  if (updates.length === 0) return;
  await client.query(
    `UPDATE tests SET next_run_at = u.next FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, next)
     WHERE tests.id = u.id`,
    [updates.map((u) => u.id), updates.map((u) => u.nextRunAt ?? null)],
  );
}

/** The earliest pending cron tick of any live, unpaused test (if any), with the database's clock. */
export async function earliestDueTime(client: Queryable): Promise<{ next?: Date; now: Date }> {
  const { rows } = await client.query<{ next: Date | null; now: Date }>(
    `SELECT min(next_run_at) AS next, clock_timestamp() AS now FROM tests WHERE ${DUE}`,
  );
  return { next: rows[0]?.next ?? undefined, now: rows[0]?.now ?? new Date() };
}
