import { isUuid, type RunGroupCounts } from "@tstr/domain";
import type { Queryable } from "./runs/pg-transaction.js";

/** Result counts of one group of runs (a suite run or a matrix), aggregated in SQL. */
export interface RunGroupTally extends RunGroupCounts {
  /** The suite run id or matrix id. */
  groupId: string;
  /** The test every run of the group belongs to (a matrix's test, unless it was deleted); absent when mixed. */
  testId?: string;
  /** Every run of the group, oldest first. */
  runIds: string[];
  /** When the last of its finished runs finished. */
  lastFinishedAt?: Date;
}

/** Tallies the runs of each suite run; a suite run without runs is absent from the map. */
export function tallyRunsBySuiteRun(client: Queryable, suiteRunIds: string[]): Promise<Map<string, RunGroupTally>> {
  return tally(client, "suite_run_id", suiteRunIds, "all");
}

/**
 * Tallies all runs of each matrix expansion, within the given namespaces; a matrix without
 * visible runs is absent from the map.
 */
export function tallyRunsByMatrix(
  client: Queryable,
  matrixIds: string[],
  namespaces: string[] | "all",
): Promise<Map<string, RunGroupTally>> {
  return tally(client, "matrix_id", matrixIds, namespaces);
}

async function tally(
  client: Queryable,
  column: "suite_run_id" | "matrix_id",
  ids: string[],
  namespaces: string[] | "all",
): Promise<Map<string, RunGroupTally>> {
  const wanted = [...new Set(ids.filter(isUuid))];
  if (wanted.length === 0 || (namespaces !== "all" && namespaces.length === 0)) return new Map();
  // Every FINISHED run that did not PASS counts as failed, as in the domain's summarizeRunGroup.
  const { rows } = await client.query(
    `SELECT ${column}::text AS group_id,
            CASE WHEN count(DISTINCT test_id) = 1 AND count(test_id) = count(*) THEN min(test_id::text) END AS test_id,
            count(*)::int AS total,
            (count(*) FILTER (WHERE status = 'FINISHED' AND result = 'PASS'))::int AS passed,
            (count(*) FILTER (WHERE status = 'FINISHED' AND result IS DISTINCT FROM 'PASS'))::int AS failed,
            array_agg(id::text ORDER BY scheduled_at, id) AS run_ids,
            max(finished_at) FILTER (WHERE status = 'FINISHED') AS last_finished_at
     FROM runs
     WHERE ${column} = ANY($1::uuid[]) AND ($2::text[] IS NULL OR namespace = ANY($2::text[]))
     GROUP BY ${column}`,
    [wanted, namespaces === "all" ? null : namespaces],
  );
  return new Map(
    rows.map((r) => [
      r.group_id,
      {
        groupId: r.group_id,
        ...(r.test_id ? { testId: r.test_id } : {}),
        total: r.total,
        passed: r.passed,
        failed: r.failed,
        runIds: r.run_ids,
        ...(r.last_finished_at ? { lastFinishedAt: r.last_finished_at } : {}),
      },
    ]),
  );
}
