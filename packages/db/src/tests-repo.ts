import type { TestSpec } from "@tstr/domain";
import { isUuid } from "@tstr/domain";
import type { Database } from "./client.js";
import type { DbClient } from "./db-client.js";
import { AlreadyExistsError, isUniqueViolation, NotFoundError } from "./errors.js";
import { type TestPage, type TestQuery, testQueryToFindArgs, toTestPage } from "./test-query.js";
import { testRowToRecord, testSpecToColumns } from "./test-row.js";
import { inTransaction } from "./transaction.js";
import type { TestRecord, TestWriteMeta } from "./types.js";

/** Stored test definitions. Every method takes an optional transaction client last. */
export interface TestsRepository {
  /** Registers a test; AlreadyExistsError if a live test has the same namespace and name. */
  create(spec: TestSpec, meta?: TestWriteMeta, tx?: DbClient): Promise<TestRecord>;
  /** Replaces a live test's spec; bumps runConfigVersion only when run_config changed. */
  update(id: string, spec: TestSpec, meta?: TestWriteMeta, tx?: DbClient): Promise<TestRecord>;
  /** Any test by id, archived ones included (runs keep pointing at them). */
  getById(id: string, tx?: DbClient): Promise<TestRecord | undefined>;
  /** The live test with this name. */
  getByName(namespace: string, name: string, tx?: DbClient): Promise<TestRecord | undefined>;
  /** One page of tests ordered by (namespace, name, id). */
  query(query: TestQuery, tx?: DbClient): Promise<TestPage>;
  /** Soft-deletes a live test, freeing its name; false if it was not live. */
  archive(id: string, now?: Date, tx?: DbClient): Promise<boolean>;
  /** Hard-deletes a test; its runs stay, with test_id cleared. False if it did not exist. */
  delete(id: string, tx?: DbClient): Promise<boolean>;
  /** Namespaces that hold at least one live test, sorted. */
  listNamespaces(tx?: DbClient): Promise<string[]>;
  /** Live tests owned by `source` (e.g. `sync:<dir>`), in every namespace, by namespace and name. */
  listBySource(source: string, tx?: DbClient): Promise<TestRecord[]>;
}

/** Builds the tests repository over a database. */
export function createTestsRepository(db: Database): TestsRepository {
  const alreadyExists = (spec: TestSpec) => new AlreadyExistsError("test", `${spec.namespace}/${spec.name}`);
  return {
    async create(spec, meta = {}, tx) {
      try {
        const row = await (tx ?? db.prisma).test.create({
          data: { ...testSpecToColumns(spec), source: meta.source ?? null, nextRunAt: meta.nextRunAt ?? null },
        });
        return testRowToRecord(row);
      } catch (err) {
        throw isUniqueViolation(err) ? alreadyExists(spec) : err;
      }
    },

    async update(id, spec, meta = {}, tx) {
      if (!isUuid(id)) throw new NotFoundError("test", id);
      try {
        return await inTransaction(tx ?? db.prisma, async (t) => {
          // The row lock makes the compare-and-bump atomic against concurrent updates.
          const [current] = await t.$queryRaw<{ same: boolean }[]>`
            SELECT run_config = ${JSON.stringify(spec.runConfig)}::jsonb AS same
            FROM tests WHERE id = ${id}::uuid AND archived_at IS NULL FOR UPDATE`;
          if (!current) throw new NotFoundError("test", id);
          const row = await t.test.update({
            where: { id },
            data: {
              ...testSpecToColumns(spec),
              ...meta,
              ...(current.same ? {} : { runConfigVersion: { increment: 1 } }),
            },
          });
          return testRowToRecord(row);
        });
      } catch (err) {
        throw isUniqueViolation(err) ? alreadyExists(spec) : err;
      }
    },

    async getById(id, tx) {
      if (!isUuid(id)) return undefined;
      const row = await (tx ?? db.prisma).test.findUnique({ where: { id } });
      return row ? testRowToRecord(row) : undefined;
    },

    async getByName(namespace, name, tx) {
      const row = await (tx ?? db.prisma).test.findFirst({ where: { namespace, name, archivedAt: null } });
      return row ? testRowToRecord(row) : undefined;
    },

    async query(query, tx) {
      const args = testQueryToFindArgs(query);
      const rows = await (tx ?? db.prisma).test.findMany(args);
      return toTestPage(rows.map(testRowToRecord), args.take - 1);
    },

    async archive(id, now = new Date(), tx) {
      if (!isUuid(id)) return false;
      const { count } = await (tx ?? db.prisma).test.updateMany({
        where: { id, archivedAt: null },
        data: { archivedAt: now, nextRunAt: null },
      });
      return count > 0;
    },

    async delete(id, tx) {
      if (!isUuid(id)) return false;
      const { count } = await (tx ?? db.prisma).test.deleteMany({ where: { id } });
      return count > 0;
    },

    async listNamespaces(tx) {
      const rows = await (tx ?? db.prisma).test.findMany({
        where: { archivedAt: null },
        distinct: ["namespace"],
        select: { namespace: true },
        orderBy: { namespace: "asc" },
      });
      return rows.map((r) => r.namespace);
    },

    async listBySource(source, tx) {
      const rows = await (tx ?? db.prisma).test.findMany({
        where: { source, archivedAt: null },
        orderBy: [{ namespace: "asc" }, { name: "asc" }, { id: "asc" }],
      });
      return rows.map(testRowToRecord);
    },
  };
}
