import type pg from "pg";
import type { K6FindingRecord, K6ReportContent } from "./k6-report-record.js";

// Test helpers of the k6 repository tests (not exported from the package).

/** Inserts a run row with just what k6 reports and their queries read; returns its id. */
export async function insertK6Run(
  pool: pg.Pool,
  fields: {
    namespace?: string;
    testId?: string;
    testName?: string;
    labels?: Record<string, string>;
    status?: string;
    result?: string;
    attempt?: number;
    finishedAt?: Date;
    shardGroupId?: string;
    shardIndex?: number;
    shardCount?: number;
  } = {},
): Promise<string> {
  const { rows } = await pool.query(
    `INSERT INTO runs (namespace, test_id, test_name, labels, run_config, executor, trigger, status, result, attempt,
                       finished_at, shard_group_id, shard_index, shard_count)
     VALUES ($1, $2, $3, $4::jsonb, '{}', 'k6', 'manual', $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [
      fields.namespace ?? "k6",
      fields.testId ?? null,
      fields.testName ?? "load",
      JSON.stringify(fields.labels ?? {}),
      fields.status ?? "FINISHED",
      fields.result ?? (fields.status && fields.status !== "FINISHED" ? null : "PASS"),
      fields.attempt ?? 1,
      fields.finishedAt ?? (fields.status && fields.status !== "FINISHED" ? null : new Date()),
      fields.shardGroupId ?? null,
      fields.shardIndex ?? null,
      fields.shardCount ?? 1,
    ],
  );
  await pool.query("INSERT INTO run_attempts (run_id, attempt) VALUES ($1, $2)", [rows[0].id, fields.attempt ?? 1]);
  return rows[0].id;
}

/** A finding of the given severity. */
export function finding(severity: K6FindingRecord["severity"], code = "HIGH_ERROR_RATE"): K6FindingRecord {
  return {
    kind: "rule",
    code,
    severity,
    message: `${code} (${severity})`,
    evidence: { errorRate: 0.2 },
    recommendation: "look at it",
  };
}

/** A small report with the given statistics (as metrics too) and findings. */
export function k6Report(
  stats: { p95Ms?: number; errorRate?: number; rps?: number } = {},
  extra: Partial<K6ReportContent> = {},
): K6ReportContent {
  return {
    verdict: "PASS",
    metrics: [
      { name: "http_req_duration", type: "trend", contains: "time", values: { avg: 10, "p(95)": stats.p95Ms ?? 20 } },
      { name: "http_req_failed", type: "rate", values: { rate: stats.errorRate ?? 0, passes: 0, fails: 10 } },
    ],
    thresholds: [{ metric: "http_req_duration", expression: "p(95)<500", ok: true }],
    checks: [{ group: "", name: "status is 200", passes: 10, fails: 0 }],
    series: [
      {
        time: new Date("2025-01-01T00:00:00Z"),
        requests: 5,
        failedRequests: 0,
        vus: 2,
        latencyP50: 8,
        latencyP95: 19,
        dataSent: 500,
        dataReceived: 5000,
        checksPassed: 5,
        checksFailed: 0,
      },
      {
        time: new Date("2025-01-01T00:00:01Z"),
        requests: 5,
        failedRequests: 1,
        vus: 2,
        dataSent: 500,
        dataReceived: 5000,
        checksPassed: 5,
        checksFailed: 0,
      },
    ],
    findings: [],
    durationMs: 2000,
    stats,
    shards: 1,
    ...extra,
  };
}
