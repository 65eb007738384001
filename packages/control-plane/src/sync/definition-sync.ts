import { AlreadyExistsError, ExecutorNameTakenError } from "@tstr/db";
import type { DefinitionProblem, DefinitionText } from "@tstr/definitions";
import { ValidationError } from "@tstr/domain";
import type { ExecutorCatalog } from "../executors/executor-catalog.js";
import type { Logger } from "../logging/logger.js";
import { DEFAULT_NAMESPACE } from "../namespaces/resolve-namespace.js";
import type { SuiteCatalog } from "../suites/suite-catalog.js";
import type { ApplyOutcome, TestCatalog } from "../tests/test-catalog.js";
import {
  type Desired,
  type DesiredDefinitions,
  desiredDefinitions,
  type WritableScopes,
} from "./desired-definitions.js";
import { ownershipConflicts } from "./ownership-conflicts.js";
import type { SourceLock } from "./source-lock.js";
import { type DefinitionKind, definitionLabel, NotManagedBySourceError } from "./source-ownership.js";

/** No namespace: a global executor. */
type Named = { namespace?: string; name: string };

/** What a sync did (or, on a dry run, would do) to one definition. */
export interface SyncChange {
  kind: DefinitionKind;
  /** Empty for a global executor. */
  namespace: string;
  name: string;
  action: "created" | "updated" | "unchanged" | "deleted";
}

/**
 * The outcome of one sync: changes when it applied, problems (and no changes) when it did not.
 * Only a definition created or taken concurrently by another owner yields both (see applyDesired).
 */
export interface SyncResult {
  changes: SyncChange[];
  problems: DefinitionProblem[];
}

/** One reconciliation of a source's documents. */
export interface SyncRequest {
  /** Owner tag of everything this sync creates, e.g. `sync:/etc/tstr/tests`; prune deletes only its own. */
  source: string;
  documents: readonly DefinitionText[];
  /** Delete this source's definitions that the documents no longer contain. */
  prune: boolean;
  /** Report what would change without writing. */
  dryRun: boolean;
  /** Namespaces the caller may write (default: all); others are problems, and are never pruned. */
  allowedNamespace?: (namespace: string) => boolean;
  /** Whether the caller may write global executors (default: yes); if not, they are problems and never pruned. */
  allowGlobal?: boolean;
  /** The namespace of documents that name none (default "default"). */
  defaultNamespace?: string;
}

/** Reconciles declarative documents with the stored tests, suites and executors. */
export interface DefinitionSync {
  sync(request: SyncRequest): Promise<SyncResult>;
}

export interface DefinitionSyncDeps {
  catalog: TestCatalog;
  suites: SuiteCatalog;
  executors: ExecutorCatalog;
  logger: Logger;
  /** Serialises syncs of one source across replicas (see createSourceLock); default none. */
  lock?: SourceLock;
}

/**
 * Creates the reconciler. A sync is all or nothing up front: every document is parsed and
 * validated, and every definition checked for an owner other than `source`, before anything is
 * written — so a broken file never causes the tests it defined to be pruned, and nothing created
 * by hand or by another source is taken over or deleted. Then executors are applied first (tests
 * name them), tests before suites (which name tests), and with `prune` this source's definitions
 * missing from the documents are deleted in the reverse order: suites, tests, executors last.
 * Built-in executors are never written or pruned.
 */
export function createDefinitionSync(deps: DefinitionSyncDeps): DefinitionSync {
  const { catalog, suites, executors, logger } = deps;
  const lock: SourceLock = deps.lock ?? ((_source, fn) => fn());
  return {
    async sync(request) {
      const allowed = request.allowedNamespace ?? (() => true);
      const writable = { namespace: allowed, global: request.allowGlobal ?? true };
      const desired = desiredDefinitions(request.documents, request.defaultNamespace ?? DEFAULT_NAMESPACE, writable);
      if (desired.problems.length > 0) return { changes: [], problems: desired.problems };
      return lock(request.source, async () => {
        const conflicts = await ownershipConflicts({ catalog, suites, executors }, desired, request.source);
        if (conflicts.length > 0) return { changes: [], problems: conflicts };
        const references = await executorReferenceProblems(desired);
        if (references.length > 0) return { changes: [], problems: references };
        const applied = await applyDesired(desired, request);
        // A partial apply must not prune: the missing definition may be the one that failed.
        const pruned = applied.problems.length === 0 ? await prune(desired, request, writable) : [];
        const changes = [...applied.changes, ...pruned];
        if (!request.dryRun) {
          for (const c of changes) {
            if (c.action !== "unchanged") {
              const label = definitionLabel(c.kind, {
                ...(c.namespace ? { namespace: c.namespace } : {}),
                name: c.name,
              });
              logger.info(`synced ${label}: ${c.action}`, { source: request.source });
            }
          }
        }
        return { changes, problems: applied.problems };
      });
    },
  };

  /** Tests naming an executor that neither the batch nor the catalog has, or files it does not accept. */
  async function executorReferenceProblems(desired: DesiredDefinitions): Promise<DefinitionProblem[]> {
    const pending = desired.executors.map((item) => item.spec);
    const problems: DefinitionProblem[] = [];
    for (const item of desired.tests) {
      if (!item.spec.executor) continue;
      for (const v of await catalog.check(item.spec, pending)) {
        problems.push({ file: item.file, index: item.index, field: v.path, message: v.message });
      }
    }
    return problems;
  }

  /**
   * Applies executors, then tests, then suites. A definition created by someone else between the
   * ownership check and its write (another source does not take our lock) is refused by the
   * catalog and reported as a problem alongside the changes already made, and the rest still apply.
   */
  async function applyDesired(desired: DesiredDefinitions, request: SyncRequest): Promise<SyncResult> {
    const opts = { source: request.source, dryRun: request.dryRun };
    const result: SyncResult = { changes: [], problems: [] };
    const applyOne = async (
      kind: SyncChange["kind"],
      item: Desired<Named>,
      apply: () => Promise<{ outcome: ApplyOutcome }>,
    ) => {
      try {
        const { outcome } = await apply();
        result.changes.push({ kind, namespace: item.spec.namespace ?? "", name: item.spec.name, action: outcome });
      } catch (error) {
        // Checks that need the catalog (the executor a test names, the files it accepts).
        if (error instanceof ValidationError) {
          for (const v of error.violations) {
            result.problems.push({ file: item.file, index: item.index, field: v.path, message: v.message });
          }
          return;
        }
        const message =
          error instanceof NotManagedBySourceError || error instanceof ExecutorNameTakenError
            ? error.message
            : error instanceof AlreadyExistsError
              ? `${definitionLabel(kind, item.spec)} was created concurrently by another writer during this sync`
              : undefined;
        if (message === undefined) throw error;
        result.problems.push({ file: item.file, index: item.index, field: "name", message });
      }
    };
    for (const item of desired.executors) await applyOne("executor", item, () => executors.apply(item.spec, opts));
    // A dry run has not written the batch's executors: the tests naming them are checked against them.
    const pendingExecutors = desired.executors.map((item) => item.spec);
    for (const item of desired.tests)
      await applyOne("test", item, () => catalog.apply(item.spec, { ...opts, pendingExecutors }));
    for (const item of desired.suites) await applyOne("suite", item, () => suites.apply(item.spec, opts));
    return result;
  }

  async function prune(
    desired: DesiredDefinitions,
    request: SyncRequest,
    writable: WritableScopes,
  ): Promise<SyncChange[]> {
    if (!request.prune) return [];
    const changes: SyncChange[] = [];
    const key = (spec: Named) => (spec.namespace === undefined ? spec.name : `${spec.namespace}/${spec.name}`);
    const keep = (items: { spec: Named }[]) => new Set(items.map(({ spec }) => key(spec)));
    const mayWrite = (spec: Named) =>
      spec.namespace === undefined ? writable.global : writable.namespace(spec.namespace);
    const stale = <R extends { spec: Named }>(owned: R[], wanted: Set<string>) =>
      owned.filter(({ spec }) => !wanted.has(key(spec)) && mayWrite(spec));
    for (const record of stale(await suites.listBySource(request.source), keep(desired.suites))) {
      if (!request.dryRun) await suites.remove(record);
      changes.push({ kind: "suite", namespace: record.spec.namespace, name: record.spec.name, action: "deleted" });
    }
    for (const record of stale(await catalog.listBySource(request.source), keep(desired.tests))) {
      if (!request.dryRun) await catalog.remove(record);
      changes.push({ kind: "test", namespace: record.spec.namespace, name: record.spec.name, action: "deleted" });
    }
    const owned = (await executors.listBySource(request.source)).filter((record) => !record.builtin);
    for (const record of stale(owned, keep(desired.executors))) {
      if (!request.dryRun) await executors.remove(record);
      changes.push({
        kind: "executor",
        namespace: record.spec.namespace ?? "",
        name: record.spec.name,
        action: "deleted",
      });
    }
    return changes;
  }
}
