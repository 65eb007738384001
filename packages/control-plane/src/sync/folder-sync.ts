import { type FSWatcher, watch } from "node:fs";
import { resolve } from "node:path";
import { formatProblem, readDefinitionFolder } from "@tstr/definitions";
import type { Logger } from "../logging/logger.js";
import type { DefinitionSync, SyncResult } from "./definition-sync.js";

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
 * call is logged as an error and retried on the next interval.
 */
export function startFolderSync(
  deps: { sync: DefinitionSync; logger: Logger },
  options: FolderSyncOptions,
): FolderSync {
  const dir = resolve(options.dir);
  const source = `sync:${dir}`;
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
      const result =
        read.problems.length > 0
          ? { changes: [], problems: read.problems }
          : await deps.sync.sync({ source, documents: read.texts, prune: true, dryRun: false });
      outcomes.synced(result);
      return result;
    } catch (error) {
      outcomes.failed(error);
      return undefined;
    }
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
    synced(result: SyncResult) {
      if (result.problems.length === 0) {
        const counts = countActions(result);
        const level = isNew("ok") || counts.unchanged !== result.changes.length ? "info" : "debug";
        logger[level]("definitions synced", counts);
        return;
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
    },
  };
}

function countActions(result: SyncResult): Record<string, number> {
  const counts: Record<string, number> = { created: 0, updated: 0, unchanged: 0, deleted: 0 };
  for (const change of result.changes) counts[change.action] = (counts[change.action] ?? 0) + 1;
  return counts;
}
