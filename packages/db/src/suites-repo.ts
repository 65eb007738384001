import { isUuid, type SuiteSpec } from "@tstr/domain";
import type { Database } from "./client.js";
import type { DbClient } from "./db-client.js";
import { AlreadyExistsError, isUniqueViolation, NotFoundError } from "./errors.js";
import type { Prisma, Suite } from "./generated/prisma/client.js";
import { toJson } from "./json.js";
import { testRowToRecord } from "./test-row.js";
import type { SuiteRecord, TestRecord } from "./types.js";

/** Database-side facts written with a suite spec; on update, omitted keeps and null clears. */
export interface SuiteWriteMeta {
  source?: string | null;
}

/** Which live suites to list; ordered by (namespace, name). */
export interface SuiteListQuery {
  /** Namespaces to search; "all" searches every namespace, [] matches nothing. */
  namespaces: string[] | "all";
  /** Only these ids (invalid ids match nothing). */
  ids?: string[];
}

/** Stored suite definitions. Every method takes an optional transaction client last. */
export interface SuitesRepository {
  /** Stores a suite; AlreadyExistsError if a live suite has the same namespace and name. */
  create(spec: SuiteSpec, meta?: SuiteWriteMeta, tx?: DbClient): Promise<SuiteRecord>;
  /** Replaces a live suite's spec; NotFoundError if it is not live. */
  update(id: string, spec: SuiteSpec, meta?: SuiteWriteMeta, tx?: DbClient): Promise<SuiteRecord>;
  /** Any suite by id, archived ones included (suite runs keep pointing at them). */
  getById(id: string, tx?: DbClient): Promise<SuiteRecord | undefined>;
  /** The live suite with this name. */
  getByName(namespace: string, name: string, tx?: DbClient): Promise<SuiteRecord | undefined>;
  /** Live suites matching the query. */
  list(query: SuiteListQuery, tx?: DbClient): Promise<SuiteRecord[]>;
  /** Live suites owned by `source` (e.g. `sync:<dir>`), in every namespace. */
  listBySource(source: string, tx?: DbClient): Promise<SuiteRecord[]>;
  /** Soft-deletes a live suite, freeing its name; false if it was not live. */
  archive(id: string, now?: Date, tx?: DbClient): Promise<boolean>;
  /**
   * Live tests of the suite's namespace that it lists by name or by id, ordered by name. Listed
   * tests that do not exist (or live in another namespace) are simply not returned.
   */
  listedTests(spec: SuiteSpec, tx?: DbClient): Promise<TestRecord[]>;
}

const ORDER = [{ namespace: "asc" }, { name: "asc" }, { id: "asc" }] satisfies Prisma.SuiteOrderByWithRelationInput[];

/** Builds the suites repository over a database. */
export function createSuitesRepository(db: Database): SuitesRepository {
  const alreadyExists = (spec: SuiteSpec) => new AlreadyExistsError("suite", `${spec.namespace}/${spec.name}`);
  return {
    async create(spec, meta = {}, tx) {
      try {
        const row = await (tx ?? db.prisma).suite.create({
          data: { ...suiteSpecToColumns(spec), source: meta.source ?? null },
        });
        return suiteRowToRecord(row);
      } catch (err) {
        throw isUniqueViolation(err) ? alreadyExists(spec) : err;
      }
    },

    async update(id, spec, meta = {}, tx) {
      if (!isUuid(id)) throw new NotFoundError("suite", id);
      try {
        const client = tx ?? db.prisma;
        const { count } = await client.suite.updateMany({
          where: { id, archivedAt: null },
          data: { ...suiteSpecToColumns(spec), ...meta, updatedAt: new Date() },
        });
        const row = count > 0 ? await client.suite.findUnique({ where: { id } }) : null;
        if (!row) throw new NotFoundError("suite", id);
        return suiteRowToRecord(row);
      } catch (err) {
        throw isUniqueViolation(err) ? alreadyExists(spec) : err;
      }
    },

    async getById(id, tx) {
      if (!isUuid(id)) return undefined;
      const row = await (tx ?? db.prisma).suite.findUnique({ where: { id } });
      return row ? suiteRowToRecord(row) : undefined;
    },

    async getByName(namespace, name, tx) {
      const row = await (tx ?? db.prisma).suite.findFirst({ where: { namespace, name, archivedAt: null } });
      return row ? suiteRowToRecord(row) : undefined;
    },

    async list(query, tx) {
      const where: Prisma.SuiteWhereInput = { archivedAt: null };
      if (Array.isArray(query.namespaces)) where.namespace = { in: query.namespaces };
      if (query.ids) where.id = { in: query.ids.filter(isUuid) };
      const rows = await (tx ?? db.prisma).suite.findMany({ where, orderBy: ORDER });
      return rows.map(suiteRowToRecord);
    },

    async listBySource(source, tx) {
      const rows = await (tx ?? db.prisma).suite.findMany({ where: { source, archivedAt: null }, orderBy: ORDER });
      return rows.map(suiteRowToRecord);
    },

    async archive(id, now = new Date(), tx) {
      if (!isUuid(id)) return false;
      const { count } = await (tx ?? db.prisma).suite.updateMany({
        where: { id, archivedAt: null },
        data: { archivedAt: now },
      });
      return count > 0;
    },

    async listedTests(spec, tx) {
      const ids = spec.testIds.filter(isUuid);
      if (ids.length === 0 && spec.testNames.length === 0) return [];
      const rows = await (tx ?? db.prisma).test.findMany({
        where: {
          namespace: spec.namespace,
          archivedAt: null,
          OR: [{ name: { in: spec.testNames } }, { id: { in: ids } }],
        },
        orderBy: [{ name: "asc" }, { id: "asc" }],
      });
      return rows.map(testRowToRecord);
    },
  };
}

/** Columns a suite spec sets; identical for create and update. */
function suiteSpecToColumns(spec: SuiteSpec) {
  return {
    namespace: spec.namespace,
    name: spec.name,
    description: spec.description ?? "",
    labels: toJson(spec.labels),
    testIds: spec.testIds,
    testNames: spec.testNames,
    selector: spec.selector?.trim() ? spec.selector : null,
  } satisfies Prisma.SuiteUncheckedCreateInput;
}

/** Maps a `suites` row back to the domain shape; absent optionals are omitted, not null. */
function suiteRowToRecord(row: Suite): SuiteRecord {
  const spec: SuiteSpec = {
    namespace: row.namespace,
    name: row.name,
    labels: row.labels as SuiteSpec["labels"],
    // The array columns are nullable in SQL; a hand-inserted NULL means "none".
    testIds: row.testIds ?? [],
    testNames: row.testNames ?? [],
  };
  if (row.description) spec.description = row.description;
  if (row.selector !== null) spec.selector = row.selector;
  const record: SuiteRecord = { id: row.id, spec, createdAt: row.createdAt, updatedAt: row.updatedAt };
  if (row.source !== null) record.source = row.source;
  if (row.archivedAt) record.archivedAt = row.archivedAt;
  return record;
}
