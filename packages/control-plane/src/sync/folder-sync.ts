import { type FSWatcher, watch } from "node:fs";
import { resolve } from "node:path";
import { formatProblem, readDefinitionFolder } from "@tstr/definitions";
import type { Logger } from "../logging/logger.js";
import type { DefinitionSync, SyncChange, SyncResult } from "./definition-sync.js";
import { SourceBusyError } from "./source-lock.js";
import { FOLDER_SOURCE_PREFIX } from "./source-ownership.js";

export interface FolderSyncOptions {
  /** The folder of definition files (*.yaml, *.yml, *.json, recursively). */
  dir: string;
  /** Full rescan period, the fallback for missed file events (default 30 s). */
  intervalMs?: number;
  /** Quiet time after a file event before reconciling, so a burst of writes syncs once (default 300 ms). */
  debounceMs?: number;
}

/** A running folder sync. */
export interface FolderSync {
  /** The owner tag of what it creates: `sync:<absolute dir>`. */
  source: string;
  /** Reconciles now (after any reconcile in progress); undefined when the folder could not be read. */
  syncNow(): Promise<SyncResult | undefined>;
  /** Stops watching and waits for a reconcile in progress. */
  stop(): Promise<void>;
}

/**
 * Keeps the stored definitions equal to a folder: reconciles (with prune) on start, after file
 * events (fs.watch, debounced) and on every interval. Reconciles never overlap; an event during
 * one schedules another. Nothing the folder holds can stop the server: problems are logged at warn
 * with file and field and leave everything as it was; an unreadable folder or a failed database
 * call is logged as an error and retried on the next interval. A folder without any definition
 * file while definitions synced from it exist (a volume mounted late) prunes nothing: that is
 * logged at warn with how to delete them on purpose.
 */
export function startFolderSync(
  deps: { sync: DefinitionSync; logger: Logger },
  options: FolderSyncOptions,
): FolderSync {
  const dir = resolve(options.dir);
  const source = `${FOLDER_SOURCE_PREFIX}${dir}`;
  const intervalMs = options.intervalMs ?? 30_000;
  const logger = deps.logger.child({ component: "folder-sync", source });
  const outcomes = createOutcomeLog(logger, dir);
  let stopped = false;
  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let queued: Promise<SyncResult | undefined> | undefined;

  const reconcile = async (): Promise<SyncResult | undefined> => {
    try {
      const read = await readDefinitionFolder(dir);
      const unreadable = read.problems.find((p) => p.file === dir);
      if (unreadable) {
        outcomes.unreadable(unreadable.message);
        return undefined;
      }
      // A file that could not be read blocks the sync like a broken one: its tests must not be pruned.
      if (read.problems.length > 0) return outcomes.synced({ changes: [], problems: read.problems });
      if (read.texts.length === 0) {
        // Nothing to create, and a folder that is only empty for now must not prune anything.
        const kept = await ownedDefinitions();
        return kept.length > 0 ? outcomes.emptyFolder(kept) : outcomes.synced({ changes: [], problems: [] });
      }
      return outcomes.synced(await deps.sync.sync({ source, documents: read.texts, prune: true, dryRun: false }));
    } catch (error) {
      if (error instanceof SourceBusyError) outcomes.busy(error.message);
      else outcomes.failed(error);
      return undefined;
    }
  };

  /** What this folder's source owns: what a sync of no documents would delete. */
  const ownedDefinitions = async (): Promise<SyncChange[]> => {
    const preview = await deps.sync.sync({ source, documents: [], prune: true, dryRun: true });
    return preview.changes.filter((c) => c.action === "deleted");
  };

  /** Reconciles after the one in progress; calls made while one is waiting share it. */
  const syncNow = (): Promise<SyncResult | undefined> => {
    if (queued) return queued;
    const next = chain.then(() => {
      queued = undefined;
      return stopped ? undefined : reconcile();
    });
    queued = next;
    chain = next;
    return next;
  };

  const scheduleSync = () => {
    if (stopped) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => void syncNow(), options.debounceMs ?? 300);
  };

  const ensureWatcher = () => {
    if (watcher || stopped) return;
    try {
      watcher = watch(dir, { recursive: true }, scheduleSync);
      watcher.on("error", (error) => {
        logger.debug("folder watch failed; the interval rescan continues", { error });
        watcher?.close();
        watcher = undefined;
      });
    } catch (error) {
      // A missing folder: the reconcile logs it, and the watch is retried on the next interval.
      logger.debug("cannot watch the definitions folder yet", { error });
    }
  };

  ensureWatcher();
  const interval = setInterval(() => {
    ensureWatcher();
    void syncNow();
  }, intervalMs);
  logger.info("syncing definitions from a folder", { dir, intervalMs });
  void syncNow();

  return {
    source,
    syncNow,
    async stop() {
      stopped = true;
      clearInterval(interval);
      clearTimeout(debounce);
      watcher?.close();
      await chain;
    },
  };
}

/**
 * Logs each reconcile's outcome, but a repeated one (the same problems, the same unreadable
 * folder, nothing changed) only at debug, so a 30 s rescan does not flood the log.
 */
function createOutcomeLog(logger: Logger, dir: string) {
  let last = "";
  const isNew = (key: string) => {
    const changed = key !== last;
    last = key;
    return changed;
  };
  return {
    unreadable(message: string) {
      const level = isNew(`unreadable ${message}`) ? "error" : "debug";
      logger[level]("definitions folder cannot be read; retrying on the next interval", { dir, error: message });
    },
    failed(error: unknown) {
      last = "";
      logger.error("definitions sync failed; retrying on the next interval", { error });
    },
    busy(reason: string) {
      last = "";
      logger.info("definitions sync skipped: this folder is being synced elsewhere; retrying on the next interval", {
        reason,
      });
    },
    /** The folder holds no definition file, yet `kept` were synced from it: nothing is deleted. */
    emptyFolder(kept: SyncChange[]): SyncResult {
      const names = kept.map((c) => `${c.kind} ${c.namespace}/${c.name}`);
      const level = isNew(`empty ${names.join(",")}`) ? "warn" : "debug";
      logger[level](
        `definitions folder has no definition files, but definitions synced from it remain (${kept.length}); ` +
          "nothing was deleted, in case the folder is only empty for now (e.g. a volume not mounted yet). " +
          "To delete them on purpose, use `tstrctl executor delete`, `tstrctl test delete` and `tstrctl suite delete`; " +
          "if the folder is no longer used, remove --sync-dir",
        { dir, kept: names.slice(0, 20), keptCount: kept.length },
      );
      return { changes: [], problems: [] };
    },
    synced(result: SyncResult): SyncResult {
      if (result.problems.length === 0) {
        const counts = countActions(result);
        const level = isNew("ok") || counts.unchanged !== result.changes.length ? "info" : "debug";
        logger[level]("definitions synced", counts);
        return result;
      }
      const level = isNew(result.problems.map(formatProblem).join("\n")) ? "warn" : "debug";
      for (const problem of result.problems) {
        logger[level](`definition problem: ${formatProblem(problem)}`, {
          file: problem.file,
          document: problem.index,
          field: problem.field,
          problem: problem.message,
        });
      }
      const applied = result.changes.length === 0 ? "nothing was changed" : "the other definitions were applied";
      logger[level](`definitions not synced: fix the problems above; ${applied}`, { problems: result.problems.length });
      return result;
    },
  };
}

function countActions(result: SyncResult): Record<string, number> {
  const counts: Record<string, number> = { created: 0, updated: 0, unchanged: 0, deleted: 0 };
  for (const change of result.changes) counts[change.action] = (counts[change.action] ?? 0) + 1;
  return counts;
}
