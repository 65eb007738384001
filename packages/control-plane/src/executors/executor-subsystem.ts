import { createExecutorsRepository, type Database, findVisibleExecutorSpec, type Queryable } from "@tstr/db";
import type { ExecutorSpec } from "@tstr/domain";
import type { Logger } from "../logging/logger.js";
import { createExecutorCatalog } from "./executor-catalog.js";
import { createExecutorHandlers } from "./executor-handlers.js";

/**
 * Executors: the catalog (also used by definition sync), its ControlService handlers, and the
 * seeding of the built-in executors that every replica runs before it serves.
 */
export function createExecutorSubsystem(deps: { db: Database; logger: Logger; now: () => Date }) {
  const catalog = createExecutorCatalog({ executors: createExecutorsRepository(deps.db), now: deps.now });
  return {
    catalog,
    control: createExecutorHandlers({ catalog }),
    /**
     * The executor a test in `namespace` means by `name` (its namespace's, else global), if any;
     * read through `client` when the caller is inside a transaction.
     */
    lookup: (namespace: string, name: string, client: Queryable = deps.db.pool): Promise<ExecutorSpec | undefined> =>
      findVisibleExecutorSpec(client, namespace, name),
    /**
     * Makes the stored built-ins this build's (idempotent; replicas may run it at once). A global
     * executor someone created under a name a newer build makes built in is kept, and logged.
     */
    async seedBuiltins(): Promise<void> {
      const { created, updated, removed, blocked } = await catalog.seedBuiltins();
      if (created.length + updated.length + removed.length > 0) {
        deps.logger.info("built-in executors updated", { created, updated, removed });
      }
      for (const name of blocked) {
        deps.logger.warn(
          `built-in executor ${name} is not available: a global executor of that name exists; ` +
            `rename it (apply it under another name and delete ${name}) to get the built-in`,
        );
      }
    },
  };
}
