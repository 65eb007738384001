import type pg from "pg";
import type { K6GroupReport, K6ReportContent, K6ReportStats, K6RunReport } from "./k6-report-record.js";
import {
  contentOf,
  contentParams,
  findingOf,
  groupReportOf,
  insertFindings,
  insertSeries,
  REPORT_COLUMNS,
  seriesOf,
  statsOf,
} from "./k6-report-rows.js";
import { type LockedShardGroup, lockedGroup } from "./k6-shard-group.js";
import { K6_UNITS_CTE } from "./k6-units.js";
import { withPgTransaction } from "./runs/pg-transaction.js";

/** Which earlier k6 runs a run is compared with: same test, same labels, passed. */
export interface K6BaselineQuery {
  namespace: string;
  testId?: string;
  /** Used when the run has no test id (external runs). */
  testName: string;
  labels: Record<string, string>;
  /** The run (or the shard group) being judged, left out of its own baseline. */
  excludeRunId?: string;
  excludeShardGroupId?: string;
  limit: number;
}

/** k6 reports: one per run attempt (replaced when reported again) and one per merged shard group. */
export interface K6ReportsRepository {
  /**
   * Replaces the report of one run attempt (summary, per-second series, findings) in one
   * transaction; returns its version, which changes whenever the attempt reports again.
   */
  saveRunReport(runId: string, attempt: number, report: K6ReportContent): Promise<{ version: string }>;
  /** The report of the run's latest attempt that sent one (without its aggregate). */
  latestRunReport(runId: string): Promise<K6RunReport | undefined>;
  /** The merged report of a shard group (without its aggregate). */
  groupReport(shardGroupId: string): Promise<K6GroupReport | undefined>;
  /** Stores an LLM summary on that version of a report; false when it is gone or was replaced since. */
  setRunLlmSummary(runId: string, attempt: number, version: string, text: string): Promise<boolean>;
  setGroupLlmSummary(shardGroupId: string, text: string): Promise<boolean>;
  /** Statistics of the newest passing k6 units of the same test and label set, newest first. */
  baselineStats(query: K6BaselineQuery): Promise<K6ReportStats[]>;
  /**
   * Runs `fn` in a transaction holding the group's advisory lock, so one merge at a time per
   * group on any replica; `fn` sees every commit made before it got the lock.
   */
  withShardGroup<T>(shardGroupId: string, fn: (group: LockedShardGroup) => Promise<T>): Promise<T>;
  /** Groups whose shards have all finished and sent reports but that were never merged (a crash between). */
  unmergedGroups(finishedAfter: Date, limit: number): Promise<string[]>;
}

/** Builds the k6 reports repository over a pg pool. */
export function createK6ReportsRepository(pool: pg.Pool): K6ReportsRepository {
  return {
    saveRunReport: (runId, attempt, report) =>
      withPgTransaction(pool, async (client) => {
        // Two sends of one report at once (a retry racing the original) replace each other in turn.
        await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
          `tstr.k6-report:${runId}:${attempt}`,
        ]);
        for (const table of ["k6_series", "k6_findings"]) {
          await client.query(`DELETE FROM ${table} WHERE run_id = $1 AND attempt = $2`, [runId, attempt]);
        }
        const { rows } = await client.query(
          `INSERT INTO k6_summaries (run_id, attempt, verdict, reason, metrics, thresholds, checks, duration_ms, p95_ms,
                                     error_rate, rps, shards, aggregate, llm_summary, created_at)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, $13::jsonb, NULL, now())
           ON CONFLICT (run_id, attempt) DO UPDATE SET verdict = $3, reason = $4, metrics = $5::jsonb,
             thresholds = $6::jsonb, checks = $7::jsonb, duration_ms = $8, p95_ms = $9, error_rate = $10, rps = $11,
             shards = $12, aggregate = $13::jsonb, llm_summary = NULL, created_at = now()
           RETURNING created_at::text AS version`,
          [runId, attempt, ...contentParams(report)],
        );
        await insertSeries(client, runId, attempt, report.series);
        await insertFindings(client, runId, attempt, report.findings);
        return { version: rows[0].version as string };
      }),

    async latestRunReport(runId) {
      const { rows } = await pool.query(
        `SELECT ${REPORT_COLUMNS}, attempt FROM k6_summaries WHERE run_id = $1 ORDER BY attempt DESC LIMIT 1`,
        [runId],
      );
      const row = rows[0];
      if (!row) return undefined;
      const [series, findings] = await Promise.all([
        pool.query("SELECT * FROM k6_series WHERE run_id = $1 AND attempt = $2 ORDER BY ts", [runId, row.attempt]),
        pool.query("SELECT * FROM k6_findings WHERE run_id = $1 AND attempt = $2 ORDER BY id", [runId, row.attempt]),
      ]);
      return {
        runId,
        attempt: row.attempt,
        ...contentOf(row),
        series: series.rows.map(seriesOf),
        findings: findings.rows.map(findingOf),
      };
    },

    async groupReport(shardGroupId) {
      const { rows } = await pool.query(
        `SELECT ${REPORT_COLUMNS}, shard_group_id, run_id, missing_shards, series, findings FROM k6_group_reports
         WHERE shard_group_id = $1`,
        [shardGroupId],
      );
      return rows[0] ? groupReportOf(rows[0]) : undefined;
    },

    async setRunLlmSummary(runId, attempt, version, text) {
      const { rowCount } = await pool.query(
        "UPDATE k6_summaries SET llm_summary = $4 WHERE run_id = $1 AND attempt = $2 AND created_at = $3::timestamptz",
        [runId, attempt, version, text],
      );
      return rowCount === 1;
    },

    async setGroupLlmSummary(shardGroupId, text) {
      const { rowCount } = await pool.query("UPDATE k6_group_reports SET llm_summary = $2 WHERE shard_group_id = $1", [
        shardGroupId,
        text,
      ]);
      return rowCount === 1;
    },

    async baselineStats(q) {
      const { rows } = await pool.query(
        `WITH ${K6_UNITS_CTE}
         SELECT p95_ms, error_rate, rps FROM k6_units
         WHERE passed AND verdict = 'PASS'
           AND (CASE WHEN $2::uuid IS NULL THEN test_id IS NULL AND test_name = $3 ELSE test_id = $2::uuid END)
           AND labels = $4::jsonb
           AND ($5::uuid IS NULL OR run_id <> $5::uuid)
           AND ($6::uuid IS NULL OR shard_group_id IS DISTINCT FROM $6::uuid)
         ORDER BY at DESC, run_id LIMIT $7`,
        [
          q.namespace,
          q.testId ?? null,
          q.testName,
          JSON.stringify(q.labels),
          q.excludeRunId ?? null,
          q.excludeShardGroupId ?? null,
          q.limit,
        ],
      );
      return rows.map(statsOf);
    },

    withShardGroup: (shardGroupId, fn) =>
      withPgTransaction(pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`tstr.k6-merge:${shardGroupId}`]);
        return fn(lockedGroup(client, shardGroupId));
      }),

    async unmergedGroups(finishedAfter, limit) {
      const { rows } = await pool.query(
        `SELECT g.id FROM (SELECT DISTINCT shard_group_id AS id FROM runs
                           WHERE shard_group_id IS NOT NULL AND finished_at >= $1) AS g
         WHERE NOT EXISTS (SELECT 1 FROM k6_group_reports m WHERE m.shard_group_id = g.id)
           AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.shard_group_id = g.id AND r.status <> 'FINISHED')
           AND EXISTS (SELECT 1 FROM runs r JOIN k6_summaries s ON s.run_id = r.id AND s.attempt = r.attempt
                       WHERE r.shard_group_id = g.id)
         LIMIT $2`,
        [finishedAfter, limit],
      );
      return rows.map((r) => r.id as string);
    },
  };
}
