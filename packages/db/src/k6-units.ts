/**
 * The k6 "units" of a namespace (`$1`): what searches, statistics and baselines count as one k6
 * run. A run that is not sharded counts with the report of its current attempt; a distributed run
 * counts once, with its merged group report (its shards' own reports are not units). `at` is when
 * the unit ended (the run's finish, else when it reported; its last shard's finish for a group) and `passed`
 * whether it passed (the run's result; the merged verdict for a group). `severities` lists its
 * findings' severities.
 */
export const K6_UNITS_CTE = `k6_units AS (
  SELECT r.id AS run_id, s.attempt, NULL::uuid AS shard_group_id, r.test_id, r.test_name, r.labels,
         COALESCE(r.finished_at, s.created_at) AS at, r.result IS NOT DISTINCT FROM 'PASS' AS passed,
         s.verdict, s.p95_ms, s.error_rate, s.rps,
         COALESCE((SELECT array_agg(f.severity) FROM k6_findings f WHERE f.run_id = s.run_id AND f.attempt = s.attempt),
                  '{}'::text[]) AS severities
  FROM runs r JOIN k6_summaries s ON s.run_id = r.id AND s.attempt = r.attempt
  WHERE r.namespace = $1 AND r.shard_group_id IS NULL
  UNION ALL
  SELECT g.run_id, NULL::int, g.shard_group_id, r.test_id, r.test_name, r.labels,
         COALESCE((SELECT max(finished_at) FROM runs x WHERE x.shard_group_id = g.shard_group_id), g.created_at),
         g.verdict = 'PASS', g.verdict, g.p95_ms, g.error_rate, g.rps,
         COALESCE((SELECT array_agg(e->>'severity') FROM jsonb_array_elements(g.findings) AS e), '{}'::text[])
  FROM k6_group_reports g JOIN runs r ON r.id = g.run_id
  WHERE r.namespace = $1
)`;

/** Severity ranks, for "worst severity" (0 = no finding). */
export const SEVERITY_RANK: Readonly<Record<string, number>> = { info: 1, warning: 2, critical: 3 };
