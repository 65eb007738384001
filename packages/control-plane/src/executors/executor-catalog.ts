import type { BuiltinSeedResult, ExecutorRecord, ExecutorsRepository } from "@tstr/db";
import {
  BUILTIN_EXECUTORS,
  builtinExecutor,
  type ExecutorSpec,
  ValidationError,
  validateExecutorName,
  validateExecutorSpec,
} from "@tstr/domain";
import { NotFoundError } from "../errors.js";
import { assertManagedBy } from "../sync/source-ownership.js";
import type { ApplyOutcome } from "../tests/test-catalog.js";

/**
 * A built-in executor was to be written or deleted. Built-ins are the server's own (see
 * BUILTIN_EXECUTORS): the same in every installation, so nobody can change, delete or shadow one.
 */
export class BuiltinExecutorError extends Error {
  override readonly name = "BuiltinExecutorError";
  constructor(executorName: string, action: "apply" | "delete") {
    super(
      action === "apply"
        ? `executor ${executorName} is built in; apply one under another name`
        : `executor ${executorName} is built in and cannot be deleted`,
    );
  }
}

/** Declaring, finding and listing executors, with validation before any write. */
export interface ExecutorCatalog {
  /**
   * Creates the executor (namespace undefined = global) or updates the one of the same scope and
   * name. Refuses built-in names, and names an executor of an overlapping scope holds (a namespace
   * executor never shadows a global one). With `source` (a sync), NotManagedBySourceError if that
   * executor exists under another owner or none.
   */
  apply(
    spec: ExecutorSpec,
    opts?: { dryRun?: boolean; source?: string },
  ): Promise<{ record: ExecutorRecord; outcome: ApplyOutcome }>;
  /** The executor `namespace` sees under `name` (its own, else the global one); NotFoundError otherwise. */
  find(namespace: string, name: string): Promise<ExecutorRecord>;
  /** The executor of exactly this scope and name, if any (for sync ownership checks). */
  get(namespace: string | undefined, name: string): Promise<ExecutorRecord | undefined>;
  /** Why `spec`'s name is unavailable (held in an overlapping scope or built in), or undefined. */
  nameConflict(spec: ExecutorSpec): Promise<string | undefined>;
  /** Every executor visible in `namespace`: its own and the global ones, by name. */
  list(namespace: string): Promise<ExecutorRecord[]>;
  /** Executors owned by `source`, global and in every namespace. */
  listBySource(source: string): Promise<ExecutorRecord[]>;
  /** Deletes the executor; BuiltinExecutorError for a built-in. */
  remove(record: ExecutorRecord): Promise<void>;
  /** Brings the built-in executors in the database up to this build's BUILTIN_EXECUTORS. */
  seedBuiltins(): Promise<BuiltinSeedResult>;
}

/** Creates the catalog over the executors repository. */
export function createExecutorCatalog(deps: { executors: ExecutorsRepository; now: () => Date }): ExecutorCatalog {
  const { executors, now } = deps;
  return {
    async apply(spec, opts = {}) {
      const violations = validateExecutorSpec(spec);
      if (violations.length) throw new ValidationError(violations);
      if (builtinExecutor(spec.name)) throw new BuiltinExecutorError(spec.name, "apply");
      const existing = await executors.getByName(spec.namespace, spec.name);
      if (!existing) {
        if (opts.dryRun) {
          const taken = await executors.nameTakenBy(spec);
          if (taken) throw taken;
          return { record: { id: "", spec, builtin: false, createdAt: now(), updatedAt: now() }, outcome: "created" };
        }
        return { record: await executors.create(spec, { source: opts.source }), outcome: "created" };
      }
      if (existing.builtin) throw new BuiltinExecutorError(spec.name, "apply");
      assertManagedBy("executor", existing, opts.source);
      if (canonicalJson(existing.spec) === canonicalJson(spec)) return { record: existing, outcome: "unchanged" };
      if (opts.dryRun) return { record: { ...existing, spec }, outcome: "updated" };
      return { record: await executors.update(existing.id, spec), outcome: "updated" };
    },

    async find(namespace, name) {
      const problem = validateExecutorName(name);
      if (problem !== undefined) throw new ValidationError([{ path: "name", message: problem }]);
      const record = await executors.findVisible(namespace, name);
      if (!record) {
        throw new NotFoundError(
          `executor "${name}" not found in namespace "${namespace}" or among the global executors`,
        );
      }
      return record;
    },

    get: (namespace, name) => executors.getByName(namespace, name),

    async nameConflict(spec) {
      if (builtinExecutor(spec.name)) return new BuiltinExecutorError(spec.name, "apply").message;
      return (await executors.nameTakenBy(spec))?.message;
    },

    list: (namespace) => executors.listVisible(namespace),

    listBySource: (source) => executors.listBySource(source),

    async remove(record) {
      if (record.builtin) throw new BuiltinExecutorError(record.spec.name, "delete");
      await executors.remove(record.id);
    },

    seedBuiltins: () => executors.seedBuiltins(BUILTIN_EXECUTORS),
  };
}

/** JSON with sorted keys and no undefined members, so equal specs compare equal whatever built them. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== undefined)
            .sort(([x], [y]) => (x < y ? -1 : 1)),
        )
      : v,
  );
}
