import { isUuid, type SuiteRunStatus } from "@tstr/domain";
import type pg from "pg";
import type { Queryable } from "./runs/pg-transaction.js";

/** One execution of a suite. Its runs point at it through `runs.suite_run_id`. */
export interface SuiteRunRecord {
  id: string;
  suiteId: string;
  namespace: string;
  /** As last persisted: RUNNING until someone observed every run finished. */
  status: SuiteRunStatus;
  createdAt: Date;
  finishedAt?: Date;
}

/**
 * Stored suite runs; counts of their runs come from `tallyRunsBySuiteRun`. Raw SQL on a pool or
 * a pg transaction, so a suite run and its runs can be written in one transaction with the
 * run scheduler.
 */
export interface SuiteRunsRepository {
  /** Opens a suite run in status RUNNING. */
  create(run: { suiteId: string; namespace: string }, client?: Queryable): Promise<SuiteRunRecord>;
  getById(id: string, client?: Queryable): Promise<SuiteRunRecord | undefined>;
  /** The newest `limit` (1..1000) runs of a suite, newest first. */
  listRecent(suiteId: string, limit: number, client?: Queryable): Promise<SuiteRunRecord[]>;
  /**
   * Records how a suite run ended, once: a suite run that already has `finished_at` keeps it and
   * its status, so replicas observing the end concurrently agree. Returns the stored record.
   */
  markFinished(
    id: string,
    end: { status: Exclude<SuiteRunStatus, "RUNNING">; finishedAt: Date },
    client?: Queryable,
  ): Promise<SuiteRunRecord | undefined>;
}

const COLUMNS = "id, suite_id, namespace, status, created_at, finished_at";

/** Builds the suite runs repository over a pg pool. */
export function createSuiteRunsRepository(pool: pg.Pool): SuiteRunsRepository {
  const repo: SuiteRunsRepository = {
    async create(run, client = pool) {
      const { rows } = await client.query(
        `INSERT INTO suite_runs (suite_id, namespace, status) VALUES ($1, $2, 'RUNNING') RETURNING ${COLUMNS}`,
        [run.suiteId, run.namespace],
      );
      return suiteRunFromRow(rows[0]);
    },

    async getById(id, client = pool) {
      if (!isUuid(id)) return undefined;
      const { rows } = await client.query(`SELECT ${COLUMNS} FROM suite_runs WHERE id = $1`, [id]);
      return rows[0] ? suiteRunFromRow(rows[0]) : undefined;
    },

    async listRecent(suiteId, limit, client = pool) {
      if (!isUuid(suiteId)) return [];
      const { rows } = await client.query(
        `SELECT ${COLUMNS} FROM suite_runs WHERE suite_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
        [suiteId, Math.min(Math.max(Math.trunc(limit), 1), 1000)],
      );
      return rows.map(suiteRunFromRow);
    },

    async markFinished(id, end, client = pool) {
      if (!isUuid(id)) return undefined;
      // Not while a distributed k6 run of it awaits its merged verdict: the shards' results are
      // provisional until then (the merge may turn a PASS into FAIL).
      await client.query(
        `UPDATE suite_runs SET status = $2, finished_at = $3 WHERE id = $1 AND finished_at IS NULL
           AND NOT EXISTS (
             SELECT 1 FROM runs r WHERE r.suite_run_id = $1 AND r.shard_group_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM k6_group_reports g WHERE g.shard_group_id = r.shard_group_id))`,
        [id, end.status, end.finishedAt],
      );
      return repo.getById(id, client);
    },
  };
  return repo;
}

const STATUSES: readonly string[] = ["RUNNING", "PASSED", "FAILED"] satisfies SuiteRunStatus[];

// biome-ignore lint/suspicious/noExplicitAny: rows come from pg untyped
function suiteRunFromRow(row: Record<string, any>): SuiteRunRecord {
  const record: SuiteRunRecord = {
    id: row.id,
    suiteId: row.suite_id,
    namespace: row.namespace,
    // Only this repository writes the column; anything else would be a hand edit, read as running.
    status: STATUSES.includes(row.status) ? (row.status as SuiteRunStatus) : "RUNNING",
    createdAt: row.created_at,
  };
  if (row.finished_at) record.finishedAt = row.finished_at;
  return record;
}
