import {
  type Queryable,
  type SuiteRecord,
  type SuiteRunRecord,
  type SuiteRunsRepository,
  tallyRunsBySuiteRun,
} from "@tstr/db";
import { summarizeRunCounts } from "@tstr/domain";
import { NotFoundError } from "../errors.js";
import type { SuiteRunView } from "../mapping/suite-mapping.js";

/** Reads suite runs with their status computed from their runs. */
export interface SuiteRunReader {
  /**
   * Summarizes these suite runs from their runs' counts (one query for all). A suite run seen
   * finished for the first time gets its status and finished_at persisted (the moment its last
   * run finished, or its creation for one without runs); later reads change nothing.
   */
  view(records: SuiteRunRecord[]): Promise<SuiteRunView[]>;
  /** One suite run of `namespace`; NotFoundError naming it otherwise. */
  find(namespace: string, id: string): Promise<SuiteRunView>;
  /** The newest `limit` suite runs of a suite, newest first. */
  recent(suite: SuiteRecord, limit: number): Promise<SuiteRunView[]>;
}

/** Creates the reader over the suite runs repository and the runs table. */
export function createSuiteRunReader(deps: { pool: Queryable; suiteRuns: SuiteRunsRepository }): SuiteRunReader {
  const { suiteRuns } = deps;
  const reader: SuiteRunReader = {
    async view(records) {
      const tallies = await tallyRunsBySuiteRun(
        deps.pool,
        records.map((r) => r.id),
      );
      return Promise.all(
        records.map(async (record) => {
          const tally = tallies.get(record.id);
          const summary = summarizeRunCounts(tally ?? { total: 0, passed: 0, failed: 0 });
          if (summary.status === "RUNNING" || record.finishedAt) {
            return { record, summary, runIds: tally?.runIds ?? [] };
          }
          const finishedAt = tally?.lastFinishedAt ?? record.createdAt;
          const stored = await suiteRuns.markFinished(record.id, { status: summary.status, finishedAt });
          return { record: stored ?? record, summary, runIds: tally?.runIds ?? [] };
        }),
      );
    },

    async find(namespace, id) {
      const record = await suiteRuns.getById(id);
      if (!record || record.namespace !== namespace) {
        throw new NotFoundError(`suite run "${id}" not found in namespace "${namespace}"`);
      }
      const [view] = await reader.view([record]);
      if (!view) throw new Error("view() returned nothing for one record");
      return view;
    },

    async recent(suite, limit) {
      return reader.view(await suiteRuns.listRecent(suite.id, limit));
    },
  };
  return reader;
}
