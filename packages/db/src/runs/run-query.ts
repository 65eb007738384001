import type { RunResult, RunStatus } from "@tstr/domain";
import { isUuid } from "@tstr/domain";
import type pg from "pg";
import { decodePageToken, encodePageToken, InvalidPageTokenError } from "../page-token.js";
import { RUN_COLUMNS, type RunRecord, runFromRow } from "./run-record.js";

/** Filters for listing runs; newest first, keyset-paged. */
export interface RunQuery {
  namespaces: string[] | "all";
  ids?: string[];
  testIds?: string[];
  runnerIds?: string[];
  results?: RunResult[];
  statuses?: RunStatus[];
  matrixId?: string;
  suiteRunId?: string;
  labelEquals?: Record<string, string>;
  /** Only external executions (true) or only tstr's own runs (false). */
  external?: boolean;
  /** External executions whose stream matches this LIKE pattern (see streamLikePattern), ignoring case. */
  streamLike?: string;
  scheduledAfter?: Date;
  scheduledBefore?: Date;
  startedAfter?: Date;
  startedBefore?: Date;
  finishedAfter?: Date;
  finishedBefore?: Date;
  pageSize: number;
  pageToken?: string;
}

/** One attempt of a run, as recorded at assignment and updated as it progressed. */
export interface RunAttemptRecord {
  attempt: number;
  runnerId?: string;
  assignedAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  result?: RunResult;
  reason?: string;
}

/** Lists runs matching a query, and the page token of the next page (if any). */
export async function queryRuns(pool: pg.Pool, q: RunQuery): Promise<{ runs: RunRecord[]; nextPageToken?: string }> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replaceAll("$?", `$${values.length}`));
  };
  if (q.namespaces !== "all") add("namespace = ANY($?::text[])", q.namespaces);
  if (q.ids?.length) add("id = ANY($?::uuid[])", q.ids);
  if (q.testIds?.length) add("test_id = ANY($?::uuid[])", q.testIds);
  if (q.runnerIds?.length) add("runner_id = ANY($?::uuid[])", q.runnerIds);
  if (q.results?.length) add("result = ANY($?::text[])", q.results);
  if (q.statuses?.length) add("status = ANY($?::text[])", q.statuses);
  if (q.matrixId) add("matrix_id = $?::uuid", q.matrixId);
  if (q.suiteRunId) add("suite_run_id = $?::uuid", q.suiteRunId);
  if (q.labelEquals && Object.keys(q.labelEquals).length) add("labels @> $?::jsonb", JSON.stringify(q.labelEquals));
  if (q.external !== undefined) add("external = $?", q.external);
  if (q.streamLike !== undefined)
    add("external AND lower(execution->>'stream') LIKE lower($?) ESCAPE '\\'", q.streamLike);
  if (q.scheduledAfter) add("scheduled_at >= $?", q.scheduledAfter);
  if (q.scheduledBefore) add("scheduled_at < $?", q.scheduledBefore);
  if (q.startedAfter) add("started_at >= $?", q.startedAfter);
  if (q.startedBefore) add("started_at < $?", q.startedBefore);
  if (q.finishedAfter) add("finished_at >= $?", q.finishedAfter);
  if (q.finishedBefore) add("finished_at < $?", q.finishedBefore);
  const cursor = q.pageToken ? decodeCursor(q.pageToken) : undefined;
  if (cursor) {
    values.push(cursor.at, cursor.id);
    where.push(`(scheduled_at, id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
  }
  const size = Math.min(Math.max(q.pageSize || 100, 1), 1000);
  const { rows } = await pool.query(
    `SELECT ${RUN_COLUMNS}, scheduled_at::text AS cursor_at FROM runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY scheduled_at DESC, id DESC LIMIT ${size + 1}`,
    values,
  );
  const runs = rows.slice(0, size).map(runFromRow);
  const last = rows[size - 1];
  return rows.length > size && last ? { runs, nextPageToken: encodeCursor(last.cursor_at, last.id) } : { runs };
}

/** Every attempt of a run, oldest first. */
export async function runAttempts(pool: pg.Pool, runId: string): Promise<RunAttemptRecord[]> {
  const { rows } = await pool.query(
    `SELECT attempt, runner_id, assigned_at, started_at, finished_at, result, reason
     FROM run_attempts WHERE run_id = $1 ORDER BY attempt`,
    [runId],
  );
  return rows.map((r) => ({
    attempt: r.attempt,
    runnerId: r.runner_id ?? undefined,
    assignedAt: r.assigned_at,
    startedAt: r.started_at ?? undefined,
    finishedAt: r.finished_at ?? undefined,
    result: r.result ?? undefined,
    reason: r.reason ?? undefined,
  }));
}

/** Records how an attempt went (called with each state change of the current attempt). */
export async function updateAttempt(
  client: Pick<pg.Pool, "query">,
  runId: string,
  attempt: number,
  change: { startedAt?: Date; finishedAt?: Date; result?: RunResult; reason?: string },
): Promise<void> {
  await client.query(
    `UPDATE run_attempts SET started_at = COALESCE($3, started_at), finished_at = COALESCE($4, finished_at),
       result = COALESCE($5, result), reason = COALESCE($6, reason)
     WHERE run_id = $1 AND attempt = $2`,
    [runId, attempt, change.startedAt ?? null, change.finishedAt ?? null, change.result ?? null, change.reason ?? null],
  );
}

/** Run counts by result per time bucket (and per test), for SummarizeRuns. */
export async function summarizeRuns(
  pool: pg.Pool,
  q: { namespaces: string[] | "all"; from: Date; to: Date; bucket: "hour" | "day" | "week"; testIds?: string[] },
): Promise<{ bucket: Date; testId?: string; testName: string; result?: RunResult; count: number }[]> {
  const { rows } = await pool.query(
    `SELECT date_trunc($1, scheduled_at) AS bucket, test_id, test_name, result, count(*)::int AS count
     FROM runs
     WHERE scheduled_at >= $2 AND scheduled_at < $3
       AND ($4::text[] IS NULL OR namespace = ANY($4::text[]))
       AND ($5::uuid[] IS NULL OR test_id = ANY($5::uuid[]))
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 3`,
    [q.bucket, q.from, q.to, q.namespaces === "all" ? null : q.namespaces, q.testIds?.length ? q.testIds : null],
  );
  return rows.map((r) => ({
    bucket: r.bucket,
    testId: r.test_id ?? undefined,
    testName: r.test_name,
    result: r.result ?? undefined,
    count: r.count,
  }));
}

/** Microsecond-exact keyset cursor (scheduled_at as PostgreSQL text, id). */
function encodeCursor(at: string, id: string): string {
  return encodePageToken([at, id]);
}

function decodeCursor(token: string): { at: string; id: string } {
  const [at = "", id = ""] = decodePageToken(token, 2);
  if (Number.isNaN(Date.parse(at)) || !isUuid(id)) throw new InvalidPageTokenError();
  return { at, id };
}
