import { createSuiteRunsRepository, createSuitesRepository, type Database, type TestsRepository } from "@tstr/db";
import type { Logger } from "../logging/logger.js";
import type { RunScheduler } from "../runs/run-scheduler.js";
import { createSuiteCatalog } from "./suite-catalog.js";
import { createSuiteControlHandlers, createSuiteDataHandlers } from "./suite-handlers.js";
import { createSuiteRunReader } from "./suite-run-reader.js";
import { createSuiteRunner } from "./suite-runner.js";

/**
 * Suites: the catalog (also used by folder sync and QueryTests' test_suite_ids), suite runs, and
 * their ControlService and DataService handlers (plus GetMatrixSummary).
 */
export function createSuiteSubsystem(deps: {
  db: Database;
  tests: TestsRepository;
  scheduler: RunScheduler;
  logger: Logger;
  now: () => Date;
}) {
  const { db } = deps;
  const catalog = createSuiteCatalog({ suites: createSuitesRepository(db), tests: deps.tests, now: deps.now });
  const suiteRuns = createSuiteRunsRepository(db.pool);
  const reader = createSuiteRunReader({ pool: db.pool, suiteRuns });
  const runner = createSuiteRunner({
    pool: db.pool,
    catalog,
    suiteRuns,
    scheduler: deps.scheduler,
    reader,
    logger: deps.logger,
  });
  const handlerDeps = { pool: db.pool, catalog, runner, reader };
  return {
    catalog,
    control: createSuiteControlHandlers(handlerDeps),
    data: createSuiteDataHandlers(handlerDeps),
  };
}
