import type pg from "pg";
import type { K6FindingSeverity, K6VerdictResult } from "./k6-report-record.js";
import { K6_UNITS_CTE, SEVERITY_RANK } from "./k6-units.js";

/** Filters of {@link searchK6Runs}; unset fields do not filter. */
export interface K6RunSearch {
  namespace: string;
  testId?: string;
  /** Only units with at least one finding. */
  anomaliesOnly?: boolean;
  /** Only units whose http_req_failed rate is at least this. */
  minErrorRate?: number;
  /** Only units whose http_req_duration p(95) (ms) is at most this. */
  maxP95Ms?: number;
  after?: Date;
  before?: Date;
  limit: number;
}

/** One k6 run (or distributed run) in a search result. */
export interface K6RunDigestRecord {
  /** The run; for a distributed run, its first shard. */
  runId: string;
  shardGroupId?: string;
  testId?: string;
  testName: string;
  labels: Record<string, string>;
  /** When it ended (see K6_UNITS_CTE). */
  at: Date;
  verdict: K6VerdictResult;
  errorRate?: number;
  p95Ms?: number;
  rps?: number;
  findings: number;
  worstSeverity?: K6FindingSeverity;
}

/**
 * k6 runs of a namespace, newest first: runs that are not sharded with their current attempt's
 * report, distributed runs once with their merged report.
 */
export async function searchK6Runs(pool: pg.Pool, q: K6RunSearch): Promise<K6RunDigestRecord[]> {
  const { rows } = await pool.query(
    `WITH ${K6_UNITS_CTE}
     SELECT * FROM k6_units
     WHERE ($2::uuid IS NULL OR test_id = $2::uuid)
       AND (NOT $3::boolean OR cardinality(severities) > 0)
       AND ($4::float8 IS NULL OR error_rate >= $4::float8)
       AND ($5::float8 IS NULL OR p95_ms <= $5::float8)
       AND ($6::timestamptz IS NULL OR at >= $6::timestamptz)
       AND ($7::timestamptz IS NULL OR at < $7::timestamptz)
     ORDER BY at DESC, run_id LIMIT $8`,
    [
      q.namespace,
      q.testId ?? null,
      q.anomaliesOnly ?? false,
      q.minErrorRate ?? null,
      q.maxP95Ms ?? null,
      q.after ?? null,
      q.before ?? null,
      q.limit,
    ],
  );
  return rows.map((r) => {
    const severities: string[] = r.severities ?? [];
    const worst = severities.reduce((a, b) => ((SEVERITY_RANK[b] ?? 0) > (SEVERITY_RANK[a] ?? 0) ? b : a), "");
    const digest: K6RunDigestRecord = {
      runId: r.run_id,
      testName: r.test_name,
      labels: r.labels ?? {},
      at: r.at,
      verdict: r.verdict,
      findings: severities.length,
    };
    if (r.shard_group_id) digest.shardGroupId = r.shard_group_id;
    if (r.test_id) digest.testId = r.test_id;
    if (r.error_rate !== null) digest.errorRate = Number(r.error_rate);
    if (r.p95_ms !== null) digest.p95Ms = Number(r.p95_ms);
    if (r.rps !== null) digest.rps = Number(r.rps);
    if (worst) digest.worstSeverity = worst as K6FindingSeverity;
    return digest;
  });
}

/** One test's k6 units in a period. */
export interface K6TestTrendRecord {
  testId?: string;
  testName: string;
  runs: number;
  /** Units with at least one finding. */
  anomalous: number;
  /** p(95) of the oldest and the newest unit that had one. */
  p95First?: number;
  p95Last?: number;
}

/** k6 statistics of a namespace since a moment. */
export interface K6StatisticsRecord {
  runs: number;
  /** Units with at least one finding. */
  anomalous: number;
  findingsBySeverity: Record<string, number>;
  tests: K6TestTrendRecord[];
}

/** How many k6 units ended since `since`, how many had findings, findings by severity, and per test. */
export async function k6Statistics(pool: pg.Pool, q: { namespace: string; since: Date }): Promise<K6StatisticsRecord> {
  const [tests, severities] = await Promise.all([
    pool.query(
      `WITH ${K6_UNITS_CTE}
       SELECT (array_agg(test_id ORDER BY at DESC))[1] AS test_id, (array_agg(test_name ORDER BY at DESC))[1] AS test_name,
              count(*)::int AS runs, (count(*) FILTER (WHERE cardinality(severities) > 0))::int AS anomalous,
              (array_agg(p95_ms ORDER BY at) FILTER (WHERE p95_ms IS NOT NULL))[1] AS p95_first,
              (array_agg(p95_ms ORDER BY at DESC) FILTER (WHERE p95_ms IS NOT NULL))[1] AS p95_last
       FROM k6_units WHERE at >= $2
       GROUP BY COALESCE(test_id::text, 'name:' || test_name)
       ORDER BY 2, 1`,
      [q.namespace, q.since],
    ),
    pool.query(
      `WITH ${K6_UNITS_CTE}
       SELECT severity, count(*)::int AS count FROM k6_units, unnest(severities) AS severity
       WHERE at >= $2 GROUP BY severity`,
      [q.namespace, q.since],
    ),
  ]);
  const trends: K6TestTrendRecord[] = tests.rows.map((r) => {
    const trend: K6TestTrendRecord = { testName: r.test_name, runs: r.runs, anomalous: r.anomalous };
    if (r.test_id) trend.testId = r.test_id;
    if (r.p95_first !== null) trend.p95First = Number(r.p95_first);
    if (r.p95_last !== null) trend.p95Last = Number(r.p95_last);
    return trend;
  });
  return {
    runs: trends.reduce((n, t) => n + t.runs, 0),
    anomalous: trends.reduce((n, t) => n + t.anomalous, 0),
    findingsBySeverity: Object.fromEntries(severities.rows.map((r) => [r.severity, r.count])),
    tests: trends,
  };
}
