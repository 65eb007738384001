import { createExecutionsRepository, type Database } from "@tstr/db";
import { createExecutionHandlers } from "./execution-handlers.js";

/**
 * External executions: tests run outside tstr and registered with it. Their ControlService
 * handlers; the reaper (runs/reaper.ts) ends the ones nobody completes within their timeout.
 */
export function createExecutionSubsystem(deps: { db: Database; now: () => Date }) {
  const executions = createExecutionsRepository(deps.db.pool);
  return { control: createExecutionHandlers({ executions, now: deps.now }) };
}
