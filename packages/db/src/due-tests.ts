import type { Test } from "./generated/prisma/client.js";
import type { Queryable } from "./runs/pg-transaction.js";
import { testRowToRecord } from "./test-row.js";
import type { TestRecord } from "./types.js";

const TEST_COLUMNS = `id, namespace, name, description, labels, run_config AS "runConfig", cron_schedule AS "cronSchedule",
  timezone, schedule_paused AS "schedulePaused", next_run_at AS "nextRunAt", matrix, executor, retry,
  concurrency_policy AS "concurrencyPolicy", resources, source, run_config_version AS "runConfigVersion",
  registered_at AS "registeredAt", updated_at AS "updatedAt", archived_at AS "archivedAt"`;

const DUE = "next_run_at IS NOT NULL AND NOT schedule_paused AND archived_at IS NULL";

/**
 * Locks up to `limit` tests whose cron tick is due at `now` (earliest first) until the caller's
 * transaction ends. Tests locked by another replica are skipped, not waited for, so every
 * replica can run the scheduler and each due test is taken by exactly one of them.
 */
export async function lockDueTests(client: Queryable, now: Date, limit: number): Promise<TestRecord[]> {
  const { rows } = await client.query<Test>(
    `SELECT ${TEST_COLUMNS} FROM tests WHERE ${DUE} AND next_run_at <= $1
     ORDER BY next_run_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows.map(testRowToRecord);
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

/** The earliest pending cron tick of any live, unpaused test, if there is one. */
export async function earliestDueTime(client: Queryable): Promise<Date | undefined> {
  const { rows } = await client.query<{ next: Date | null }>(`SELECT min(next_run_at) AS next FROM tests WHERE ${DUE}`);
  return rows[0]?.next ?? undefined;
}
