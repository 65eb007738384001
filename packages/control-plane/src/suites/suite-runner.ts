import {
  lockLiveTestIds,
  type RunRecord,
  type SuiteRecord,
  type SuiteRunsRepository,
  withPgTransaction,
} from "@tstr/db";
import { type Labels, ValidationError, validateLabels } from "@tstr/domain";
import type pg from "pg";
import type { Logger } from "../logging/logger.js";
import type { SuiteRunView } from "../mapping/suite-mapping.js";
import type { RunScheduler } from "../runs/run-scheduler.js";
import type { SuiteCatalog } from "./suite-catalog.js";
import type { SuiteRunReader } from "./suite-run-reader.js";

/** The suite resolves to no live test: there is nothing to run (FailedPrecondition at the edge). */
export class EmptySuiteError extends Error {
  override readonly name = "EmptySuiteError";
}

/** A member the concurrency policy (or a concurrent delete) left out of a suite run. */
export interface SkippedMember {
  testId: string;
  testName: string;
  reason: string;
}

/** What one RunSuite did. */
export interface SuiteRunOutcome {
  suiteRun: SuiteRunView;
  runs: RunRecord[];
  skipped: SkippedMember[];
}

export interface SuiteRunnerDeps {
  pool: pg.Pool;
  catalog: SuiteCatalog;
  suiteRuns: SuiteRunsRepository;
  scheduler: RunScheduler;
  reader: SuiteRunReader;
  logger: Logger;
}

/**
 * Runs a suite: every live member test is scheduled (trigger "suite", label overrides laid over
 * each test's labels, each test's matrix expanded) under one suite run.
 *
 * The suite run and all its runs are written in one transaction, holding the member tests' row
 * locks (taken in id order, so concurrent suite runs cannot deadlock): readers never see a
 * suite run without its runs, and a failure (a bad label override) leaves nothing behind.
 * Each member goes through its concurrency policy as a manual run would: `forbid` with an
 * active run skips that member (logged, and reported in `skipped`), `replace` cancels the
 * active runs. The suite run counts only the runs it created; if every member was skipped it
 * has no runs and is finished at once as FAILED, because nothing was verified.
 */
export function createSuiteRunner(deps: SuiteRunnerDeps) {
  const { suiteRuns, scheduler, logger } = deps;
  return {
    async run(suite: SuiteRecord, opts: { labels?: Labels } = {}): Promise<SuiteRunOutcome> {
      const labels = opts.labels ?? {};
      const problems = validateLabels(labels, "labels");
      if (problems.length) throw new ValidationError(problems);
      const members = await deps.catalog.members(suite);
      const { namespace, name } = suite.spec;
      if (members.length === 0) {
        throw new EmptySuiteError(`suite "${name}" in namespace "${namespace}" has no member tests to run`);
      }
      const { record, runs, skipped } = await withPgTransaction(deps.pool, async (client) => {
        const live = await lockLiveTestIds(
          client,
          members.map((t) => t.id),
        );
        const record = await suiteRuns.create({ suiteId: suite.id, namespace }, client);
        const runs: RunRecord[] = [];
        const skipped: SkippedMember[] = [];
        for (const test of members) {
          const member = { testId: test.id, testName: test.spec.name };
          if (!live.has(test.id)) {
            skipped.push({ ...member, reason: "the test was deleted" });
            continue;
          }
          const outcome = await scheduler.scheduleLocked(
            test,
            { labels, trigger: "suite", suiteRunId: record.id },
            client,
          );
          runs.push(...outcome.runs);
          if (outcome.skippedReason) skipped.push({ ...member, reason: outcome.skippedReason });
        }
        return { record, runs, skipped };
      });
      for (const s of skipped) {
        logger.info("suite member skipped", { suite: `${namespace}/${name}`, suiteRunId: record.id, ...s });
      }
      const [suiteRun] = await deps.reader.view([record]);
      if (!suiteRun) throw new Error("view() returned nothing for one record");
      return { suiteRun, runs, skipped };
    },
  };
}

export type SuiteRunner = ReturnType<typeof createSuiteRunner>;
