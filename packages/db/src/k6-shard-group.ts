import type pg from "pg";
import type { K6ReportContent } from "./k6-report-record.js";
import { contentParams, seriesJson } from "./k6-report-rows.js";
import { CHANNELS } from "./notify.js";
import { TRUNCATION_MARKER_SEQ } from "./runs/run-logs-repo.js";

/** A shard of a group as the merge sees it: where it stands and what its current attempt reported. */
export interface ShardState {
  runId: string;
  shardIndex: number;
  shardCount: number;
  status: string;
  result?: string;
  attempt: number;
  namespace: string;
  testId?: string;
  testName: string;
  labels: Record<string, string>;
  /** Whether the current attempt sent a k6 report at all. */
  reported: boolean;
  /** The current attempt's aggregate (plain JSON), when it sent one. */
  aggregate?: unknown;
}

/** A shard group locked for merging (see {@link K6ReportsRepository.withShardGroup}). */
export interface LockedShardGroup {
  /** Whether the group's merged report exists already. */
  merged(): Promise<boolean>;
  shards(): Promise<ShardState[]>;
  saveReport(report: K6ReportContent & { runId: string; missingShards: number[] }): Promise<void>;
  /**
   * Applies the merged verdict to the shards that finished PASS (their attempt records too), adds
   * `log` to their logs as a system line and wakes their watchers; returns the changed run ids.
   */
  failPassedShards(change: { result: "FAIL" | "ERROR"; reason: string; log: string }): Promise<string[]>;
}

/** The merge operations on one group, inside the transaction that holds its lock. */
export function lockedGroup(client: pg.PoolClient, shardGroupId: string): LockedShardGroup {
  return {
    async merged() {
      const { rows } = await client.query("SELECT 1 FROM k6_group_reports WHERE shard_group_id = $1", [shardGroupId]);
      return rows.length > 0;
    },

    async shards() {
      const { rows } = await client.query(
        `SELECT r.id, r.shard_index, r.shard_count, r.status, r.result, r.attempt, r.namespace, r.test_id, r.test_name,
                r.labels, s.run_id IS NOT NULL AS reported, s.aggregate
         FROM runs r LEFT JOIN k6_summaries s ON s.run_id = r.id AND s.attempt = r.attempt
         WHERE r.shard_group_id = $1 ORDER BY r.shard_index, r.id`,
        [shardGroupId],
      );
      return rows.map((r) => ({
        runId: r.id,
        shardIndex: r.shard_index ?? 0,
        shardCount: r.shard_count,
        status: r.status,
        result: r.result ?? undefined,
        attempt: r.attempt,
        namespace: r.namespace,
        testId: r.test_id ?? undefined,
        testName: r.test_name,
        labels: r.labels ?? {},
        reported: r.reported,
        aggregate: r.aggregate ?? undefined,
      }));
    },

    async saveReport(report) {
      await client.query(
        `INSERT INTO k6_group_reports (shard_group_id, run_id, missing_shards, series, findings, verdict, reason, metrics,
                                       thresholds, checks, duration_ms, p95_ms, error_rate, rps, shards, aggregate)
         VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11, $12, $13, $14,
                 $15, $16::jsonb)`,
        [
          shardGroupId,
          report.runId,
          JSON.stringify(report.missingShards),
          JSON.stringify(report.series.map(seriesJson)),
          JSON.stringify(report.findings),
          ...contentParams(report),
        ],
      );
    },

    async failPassedShards(change) {
      const { rows } = await client.query(
        `WITH changed AS (
           UPDATE runs SET result = $2, result_reason = $3
           WHERE shard_group_id = $1 AND status = 'FINISHED' AND result = 'PASS'
           RETURNING id, attempt
         ), attempts AS (
           UPDATE run_attempts a SET result = $2, reason = $3 FROM changed c
           WHERE a.run_id = c.id AND a.attempt = c.attempt RETURNING a.run_id
         )
         SELECT id, attempt FROM changed WHERE (SELECT count(*) FROM attempts) >= 0 ORDER BY id`,
        [shardGroupId, change.result, change.reason],
      );
      for (const row of rows) {
        await client.query(
          `INSERT INTO run_log_chunks (run_id, attempt, seq, stream, ts, data)
           SELECT $1, $2, COALESCE(max(seq), 0) + 1, 'system', now(), $3 FROM run_log_chunks
           WHERE run_id = $1 AND attempt = $2 AND seq < $4`,
          [row.id, row.attempt, Buffer.from(`\ntstr: ${change.log}\n`), TRUNCATION_MARKER_SEQ],
        );
        await client.query("SELECT pg_notify($1, $2)", [CHANNELS.runProgress, row.id]);
      }
      return rows.map((r) => r.id as string);
    },
  };
}
