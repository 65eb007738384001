import { type ExecutorSpec, isUuid } from "@tstr/domain";
import type { Database } from "./client.js";
import type { DbClient } from "./db-client.js";
import { AlreadyExistsError, isUniqueViolation, NotFoundError } from "./errors.js";
import type { Executor, Prisma } from "./generated/prisma/client.js";
import { toJson } from "./json.js";
import type { Queryable } from "./runs/pg-transaction.js";
import { inTransaction } from "./transaction.js";

/** A stored executor: the domain spec (namespace undefined = global) plus what the database adds. */
export interface ExecutorRecord {
  id: string;
  spec: ExecutorSpec;
  /** Provided by the server itself (BUILTIN_EXECUTORS); never written over the API or by a sync. */
  builtin: boolean;
  /** Owner of the definition, e.g. `sync:<dir>` for folder-synced executors. */
  source?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Database-side facts written with an executor spec; on update, omitted keeps and null clears. */
export interface ExecutorWriteMeta {
  source?: string | null;
}

/** What {@link ExecutorsRepository.seedBuiltins} did, by executor name. */
export interface BuiltinSeedResult {
  created: string[];
  updated: string[];
  /** Built-ins whose name a global executor that is not built in already has; it was left alone. */
  blocked: string[];
  /** Built-ins of earlier versions that this version no longer ships. */
  removed: string[];
}

/**
 * An executor would share its name with one in an overlapping scope: a namespace executor with a
 * global one, or a global one with any namespace's. One name means one preset wherever a test
 * can see it, so no executor shadows another.
 */
export class ExecutorNameTakenError extends Error {
  override readonly name = "ExecutorNameTakenError";
  constructor(
    readonly spec: { namespace?: string; name: string },
    /** The executors holding the name: no namespace for a global one. */
    readonly holders: { namespace?: string; builtin: boolean }[],
  ) {
    super(nameTakenMessage(spec, holders));
  }
}

/** Stored executors, global and per namespace. Every method takes an optional transaction client last. */
export interface ExecutorsRepository {
  /**
   * Stores an executor. AlreadyExistsError when one with the same namespace and name exists;
   * ExecutorNameTakenError when its name is taken in an overlapping scope. The check and the
   * insert run under a per-name lock, so concurrent creates cannot both pass it.
   */
  create(spec: ExecutorSpec, meta?: ExecutorWriteMeta, tx?: DbClient): Promise<ExecutorRecord>;
  /**
   * Why `spec` could not be created for its name alone (an executor of an overlapping scope has
   * it), or undefined; lets a caller check before writing. Create checks again under its lock.
   */
  nameTakenBy(spec: ExecutorSpec, tx?: DbClient): Promise<ExecutorNameTakenError | undefined>;
  /** Replaces the spec of an executor that is not built in (namespace and name stay); NotFoundError otherwise. */
  update(id: string, spec: ExecutorSpec, meta?: ExecutorWriteMeta, tx?: DbClient): Promise<ExecutorRecord>;
  /** The executor of exactly this scope (namespace undefined = global) and name. */
  getByName(namespace: string | undefined, name: string, tx?: DbClient): Promise<ExecutorRecord | undefined>;
  /** The executor a test in `namespace` sees under `name`: the namespace's own, else the global one. */
  findVisible(namespace: string, name: string, tx?: DbClient): Promise<ExecutorRecord | undefined>;
  /** Every executor visible in `namespace` (its own and the global ones), by name, global first on a tie. */
  listVisible(namespace: string, tx?: DbClient): Promise<ExecutorRecord[]>;
  /** Executors owned by `source` (e.g. `sync:<dir>`), global and in every namespace. */
  listBySource(source: string, tx?: DbClient): Promise<ExecutorRecord[]>;
  /** Deletes an executor that is not built in; false if there was none. */
  remove(id: string, tx?: DbClient): Promise<boolean>;
  /**
   * Makes the built-in executors exactly `specs`: inserts missing ones, rewrites changed ones, and
   * deletes built-ins no longer in the list. Idempotent and safe to run from every replica at
   * once (each row is one INSERT … ON CONFLICT). A global executor that is not built in keeps its
   * name: that built-in is reported as blocked instead of overwriting it.
   */
  seedBuiltins(specs: readonly ExecutorSpec[], tx?: DbClient): Promise<BuiltinSeedResult>;
}

const ORDER = [
  { name: "asc" },
  { namespace: { sort: "asc", nulls: "first" } },
] satisfies Prisma.ExecutorOrderByWithRelationInput[];

/** Builds the executors repository over a database. */
export function createExecutorsRepository(db: Database): ExecutorsRepository {
  return {
    create(spec, meta = {}, tx) {
      return inTransaction(tx ?? db.prisma, async (t) => {
        // Serialises creates of one name, so the scope check below cannot race another insert.
        await t.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`tstr:executor:${spec.name}`}, 0))`;
        const { same, others } = await holdersOfName(t, spec);
        if (same) throw new AlreadyExistsError("executor", scopedName(spec));
        if (others.length > 0) throw new ExecutorNameTakenError(spec, others);
        try {
          const row = await t.executor.create({ data: { ...specColumns(spec), source: meta.source ?? null } });
          return rowToRecord(row);
        } catch (err) {
          throw isUniqueViolation(err) ? new AlreadyExistsError("executor", scopedName(spec)) : err;
        }
      });
    },

    async nameTakenBy(spec, tx) {
      const { others } = await holdersOfName(tx ?? db.prisma, spec);
      return others.length > 0 ? new ExecutorNameTakenError(spec, others) : undefined;
    },

    async update(id, spec, meta = {}, tx) {
      if (!isUuid(id)) throw new NotFoundError("executor", id);
      const client = tx ?? db.prisma;
      const { namespace: _namespace, name: _name, ...columns } = specColumns(spec);
      const { count } = await client.executor.updateMany({
        where: { id, builtin: false },
        data: { ...columns, ...meta, updatedAt: new Date() },
      });
      const row = count > 0 ? await client.executor.findUnique({ where: { id } }) : null;
      if (!row) throw new NotFoundError("executor", id);
      return rowToRecord(row);
    },

    async getByName(namespace, name, tx) {
      const row = await (tx ?? db.prisma).executor.findFirst({ where: { namespace: namespace ?? null, name } });
      return row ? rowToRecord(row) : undefined;
    },

    async findVisible(namespace, name, tx) {
      const rows = await (tx ?? db.prisma).executor.findMany({
        where: { name, OR: [{ namespace }, { namespace: null }] },
      });
      const row = rows.find((r) => r.namespace === namespace) ?? rows[0];
      return row ? rowToRecord(row) : undefined;
    },

    async listVisible(namespace, tx) {
      const rows = await (tx ?? db.prisma).executor.findMany({
        where: { OR: [{ namespace }, { namespace: null }] },
        orderBy: ORDER,
      });
      return rows.map(rowToRecord);
    },

    async listBySource(source, tx) {
      const rows = await (tx ?? db.prisma).executor.findMany({ where: { source }, orderBy: ORDER });
      return rows.map(rowToRecord);
    },

    async remove(id, tx) {
      if (!isUuid(id)) return false;
      const { count } = await (tx ?? db.prisma).executor.deleteMany({ where: { id, builtin: false } });
      return count > 0;
    },

    seedBuiltins: (specs, tx) => seedBuiltins(tx ?? db.prisma, specs),
  };
}

/** The executor of the spec's own scope and name, and those holding the name in overlapping scopes. */
async function holdersOfName(client: DbClient, spec: ExecutorSpec) {
  const rows = await client.executor.findMany({
    where:
      spec.namespace === undefined
        ? { name: spec.name }
        : { name: spec.name, OR: [{ namespace: spec.namespace }, { namespace: null }] },
    orderBy: ORDER,
  });
  const isSame = (row: Executor) => (row.namespace ?? undefined) === spec.namespace;
  return {
    same: rows.find(isSame),
    others: rows
      .filter((row) => !isSame(row))
      .map((row) => ({ ...(row.namespace === null ? {} : { namespace: row.namespace }), builtin: row.builtin })),
  };
}

async function seedBuiltins(client: DbClient, specs: readonly ExecutorSpec[]): Promise<BuiltinSeedResult> {
  const result: BuiltinSeedResult = { created: [], updated: [], blocked: [], removed: [] };
  for (const spec of specs) {
    const stored = JSON.stringify(storedSpec(spec));
    // xmax = 0 only on a row this statement inserted. No row back: unchanged, or not built in.
    const written = await client.$queryRaw<{ inserted: boolean }[]>`
      INSERT INTO executors (namespace, name, spec, builtin) VALUES (NULL, ${spec.name}, ${stored}::jsonb, true)
      ON CONFLICT (namespace, name) DO UPDATE SET spec = EXCLUDED.spec, updated_at = now()
        WHERE executors.builtin AND executors.spec IS DISTINCT FROM EXCLUDED.spec
      RETURNING (xmax = 0) AS inserted`;
    const [row] = written;
    if (row) {
      (row.inserted ? result.created : result.updated).push(spec.name);
      continue;
    }
    const existing = await client.executor.findFirst({ where: { namespace: null, name: spec.name } });
    if (existing && !existing.builtin) result.blocked.push(spec.name);
  }
  const removed = await client.$queryRaw<{ name: string }[]>`
    DELETE FROM executors WHERE builtin AND NOT (name = ANY(${specs.map((s) => s.name)}::text[])) RETURNING name`;
  result.removed.push(...removed.map((r) => r.name));
  return result;
}

/** "team-a/k6", or "k6 (global)". */
function scopedName(spec: { namespace?: string; name: string }): string {
  return spec.namespace === undefined ? `${spec.name} (global)` : `${spec.namespace}/${spec.name}`;
}

function nameTakenMessage(
  spec: { namespace?: string; name: string },
  holders: { namespace?: string; builtin: boolean }[],
) {
  const why = "(an executor name means one preset in every namespace that sees it)";
  if (holders.some((h) => h.builtin)) {
    return `executor ${spec.name} is built in; apply one under another name`;
  }
  if (spec.namespace !== undefined) {
    return `executor ${spec.namespace}/${spec.name} would shadow the global executor ${spec.name} ${why}; apply it under another name`;
  }
  const namespaces = holders.map((h) => JSON.stringify(h.namespace ?? "")).join(", ");
  return `global executor ${spec.name} would clash with the executor of the same name in namespace${holders.length > 1 ? "s" : ""} ${namespaces} ${why}; delete those first or choose another name`;
}

/** The spec column: everything but the identity, which has columns of its own. */
function storedSpec(spec: ExecutorSpec): Omit<ExecutorSpec, "namespace" | "name"> {
  const { namespace: _namespace, name: _name, ...rest } = spec;
  return rest;
}

/** Columns an executor spec sets. */
function specColumns(spec: ExecutorSpec) {
  return {
    namespace: spec.namespace ?? null,
    name: spec.name,
    spec: toJson(storedSpec(spec)),
  } satisfies Prisma.ExecutorUncheckedCreateInput;
}

/** Maps an `executors` row back to the domain shape; absent optionals are omitted. */
/**
 * The executor spec a test in `namespace` sees under `name` (its namespace's, else the global
 * one), read with a plain pg client — inside the caller's transaction, so scheduling never needs a
 * second connection while it holds one.
 */
export async function findVisibleExecutorSpec(
  client: Queryable,
  namespace: string,
  name: string,
): Promise<ExecutorSpec | undefined> {
  const { rows } = await client.query(
    `SELECT id, namespace, name, spec, builtin, source, created_at, updated_at FROM executors
     WHERE name = $2 AND (namespace = $1 OR namespace IS NULL) ORDER BY namespace NULLS LAST LIMIT 1`,
    [namespace, name],
  );
  const row = rows[0];
  if (!row) return undefined;
  return rowToRecord({
    id: row.id,
    namespace: row.namespace,
    name: row.name,
    spec: row.spec,
    builtin: row.builtin,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }).spec;
}

function rowToRecord(row: Executor): ExecutorRecord {
  const stored = row.spec as Partial<ExecutorSpec>;
  const spec: ExecutorSpec = {
    ...(row.namespace === null ? {} : { namespace: row.namespace }),
    name: row.name,
    image: stored.image ?? "",
    command: stored.command ?? [],
    args: stored.args ?? [],
    acceptedFileTypes: stored.acceptedFileTypes ?? [],
    env: stored.env ?? {},
    resultParsers: stored.resultParsers ?? [],
  };
  if (stored.description) spec.description = stored.description;
  if (stored.junitPath !== undefined) spec.junitPath = stored.junitPath;
  if (stored.icon) spec.icon = stored.icon;
  const record: ExecutorRecord = {
    id: row.id,
    spec,
    builtin: row.builtin,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
  if (row.source !== null) record.source = row.source;
  return record;
}
