import type pg from "pg";
import { withPgTransaction } from "./pg-transaction.js";

/** One test case from a run's JUnit reports. */
export interface TestCaseRecord {
  attempt: number;
  suite: string;
  className: string;
  name: string;
  durationMs: number;
  status: "passed" | "failed" | "error" | "skipped";
  message?: string;
  details?: string;
  systemOut?: string;
}

/** Test cases of runs; reporting again for the same attempt replaces that attempt's cases. */
export interface TestCasesRepository {
  replace(runId: string, attempt: number, cases: TestCaseRecord[]): Promise<void>;
  list(runId: string): Promise<TestCaseRecord[]>;
}

export function createTestCasesRepository(pool: pg.Pool): TestCasesRepository {
  return {
    replace: (runId, attempt, cases) =>
      withPgTransaction(pool, async (client) => {
        await client.query("DELETE FROM run_test_cases WHERE run_id = $1 AND attempt = $2", [runId, attempt]);
        if (cases.length === 0) return;
        await client.query(
          `INSERT INTO run_test_cases (run_id, attempt, suite, class_name, name, duration_ms, status, message, details,
                                       system_out)
           SELECT $1, $2, suite, class_name, name, duration_ms, status, message, details, system_out
           FROM jsonb_to_recordset($3::jsonb) AS x(suite text, class_name text, name text, duration_ms float8,
             status text, message text, details text, system_out text)`,
          [
            runId,
            attempt,
            JSON.stringify(
              cases.map((c) => ({
                suite: c.suite,
                class_name: c.className,
                name: c.name,
                duration_ms: c.durationMs,
                status: c.status,
                message: c.message ?? null,
                details: c.details ?? null,
                system_out: c.systemOut ?? null,
              })),
            ),
          ],
        );
      }),
    async list(runId) {
      const { rows } = await pool.query(
        `SELECT attempt, suite, class_name, name, duration_ms, status, message, details, system_out
         FROM run_test_cases WHERE run_id = $1 ORDER BY attempt, id`,
        [runId],
      );
      return rows.map((r) => ({
        attempt: r.attempt,
        suite: r.suite,
        className: r.class_name,
        name: r.name,
        durationMs: r.duration_ms,
        status: r.status,
        message: r.message ?? undefined,
        details: r.details ?? undefined,
        systemOut: r.system_out ?? undefined,
      }));
    },
  };
}
