import type { Database } from "@tstr/db";
import type { ExecutorCatalog } from "../executors/executor-catalog.js";
import type { Logger } from "../logging/logger.js";
import type { SuiteCatalog } from "../suites/suite-catalog.js";
import type { TestCatalog } from "../tests/test-catalog.js";
import { createDefinitionSync } from "./definition-sync.js";
import { type FolderSync, startFolderSync } from "./folder-sync.js";
import { createSourceLock } from "./source-lock.js";
import { createSyncHandlers } from "./sync-handlers.js";

/** Where `tstr serve --sync-dir` reads definitions from, and how often it rescans. */
export interface SyncDirOptions {
  syncDir?: string;
  syncIntervalMs?: number;
}

/**
 * Declarative definitions: the SyncDefinitions handler and, with `syncDir`, the folder sync. Both
 * reconcile through one DefinitionSync that serialises each source across replicas.
 */
export function createSyncSubsystem(
  deps: { db: Database; catalog: TestCatalog; suites: SuiteCatalog; executors: ExecutorCatalog; logger: Logger },
  options: SyncDirOptions,
) {
  const sync = createDefinitionSync({ ...deps, lock: createSourceLock(deps.db.url) });
  let folder: FolderSync | undefined;
  return {
    control: createSyncHandlers({ sync }),
    /** Starts the folder sync, if configured; call once the server is up. */
    start() {
      if (options.syncDir && !folder) {
        folder = startFolderSync(
          { sync, logger: deps.logger },
          { dir: options.syncDir, intervalMs: options.syncIntervalMs },
        );
      }
    },
    async stop() {
      await folder?.stop();
    },
  };
}
