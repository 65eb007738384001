import type { SuiteSpec } from "@tstr/domain";
import { useTestDatabase } from "@tstr/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { AlreadyExistsError, NotFoundError } from "./errors.js";
import { createSuitesRepository, type SuitesRepository } from "./suites-repo.js";

const t = useTestDatabase();
let repo: SuitesRepository;
beforeAll(() => {
  repo = createSuitesRepository(t.db);
});

const ID = "0b7e6a58-3f5c-4c8e-9a43-5d2f1f7f0c11";

function spec(namespace: string, name: string, overrides: Partial<SuiteSpec> = {}): SuiteSpec {
  return { namespace, name, labels: {}, testIds: [], testNames: ["login"], ...overrides };
}

describe("suites repository", () => {
  it("round-trips a spec with every optional field, and a minimal one without nulls", async () => {
    const full = spec("full", "everything", {
      description: "all of it",
      labels: { team: "web" },
      testIds: [ID],
      testNames: ["a", "b"],
      selector: "tier in (smoke)",
    });
    const created = await repo.create(full, { source: "sync:/defs" });
    expect(created).toMatchObject({ spec: full, source: "sync:/defs" });
    expect(await repo.getById(created.id)).toEqual(created);
    expect(await repo.getByName("full", "everything")).toEqual(created);
    const minimal = await repo.create(spec("full", "minimal"));
    expect(minimal.spec).toEqual(spec("full", "minimal"));
    expect(Object.keys(minimal).sort()).toEqual(["createdAt", "id", "spec", "updatedAt"]);
  });

  it("stores a blank selector as none", async () => {
    const created = await repo.create(spec("blank", "sel", { selector: "  " }));
    expect(created.spec.selector).toBeUndefined();
  });

  it("refuses a duplicate live name, and frees the name when archived", async () => {
    const first = await repo.create(spec("dup", "same"));
    const err = await repo.create(spec("dup", "same")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect((err as Error).message).toBe("suite dup/same already exists");
    expect(await repo.archive(first.id)).toBe(true);
    expect(await repo.archive(first.id)).toBe(false);
    expect(await repo.getByName("dup", "same")).toBeUndefined();
    expect((await repo.getById(first.id))?.archivedAt).toBeInstanceOf(Date);
    expect((await repo.create(spec("dup", "same"))).id).not.toBe(first.id);
  });

  it("updates a live suite, keeping or clearing its source", async () => {
    const created = await repo.create(spec("upd", "s"), { source: "api" });
    const changed = await repo.update(created.id, spec("upd", "s", { testNames: [], selector: "team=web" }));
    expect(changed.spec).toEqual(spec("upd", "s", { testNames: [], selector: "team=web" }));
    expect(changed.source).toBe("api");
    expect(changed.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect((await repo.update(created.id, spec("upd", "s"), { source: null })).source).toBeUndefined();
  });

  it("refuses updates of missing or archived suites and renames onto a live name", async () => {
    await repo.create(spec("ren", "taken"));
    const other = await repo.create(spec("ren", "free"));
    await expect(repo.update(other.id, spec("ren", "taken"))).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(repo.update("not-a-uuid", spec("ren", "x"))).rejects.toBeInstanceOf(NotFoundError);
    await repo.archive(other.id);
    await expect(repo.update(other.id, spec("ren", "free"))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("lists live suites by namespace, ids and source, ordered by namespace and name", async () => {
    const b = await repo.create(spec("list-a", "b"), { source: "sync:x" });
    const a = await repo.create(spec("list-a", "a"));
    const c = await repo.create(spec("list-b", "c"), { source: "sync:x" });
    const gone = await repo.create(spec("list-a", "gone"), { source: "sync:x" });
    await repo.archive(gone.id);
    const names = (records: { spec: SuiteSpec }[]) => records.map((r) => `${r.spec.namespace}/${r.spec.name}`);
    expect(names(await repo.list({ namespaces: ["list-a", "list-b"] }))).toEqual(["list-a/a", "list-a/b", "list-b/c"]);
    expect(names(await repo.list({ namespaces: [] }))).toEqual([]);
    expect(names(await repo.list({ namespaces: "all", ids: [c.id, a.id, "bogus"] }))).toEqual(["list-a/a", "list-b/c"]);
    expect(names(await repo.listBySource("sync:x"))).toEqual(["list-a/b", "list-b/c"]);
    expect(b.source).toBe("sync:x");
  });

  it("finds the live tests a suite lists by name or id, in its namespace only", async () => {
    const test = (namespace: string, name: string) =>
      t.db.prisma.test.create({ data: { namespace, name, runConfig: {}, retry: {} } });
    const byName = await test("mem", "by-name");
    const byId = await test("mem", "by-id");
    await test("mem", "unlisted");
    const foreign = await test("other", "by-name");
    const archived = await test("mem", "archived");
    await t.db.prisma.test.update({ where: { id: archived.id }, data: { archivedAt: new Date() } });
    const listed = await repo.listedTests(
      spec("mem", "s", { testNames: ["by-name", "missing", "archived"], testIds: [byId.id, foreign.id, archived.id] }),
    );
    expect(listed.map((r) => r.id)).toEqual([byId.id, byName.id]);
    expect(await repo.listedTests(spec("mem", "s", { testNames: [], selector: "a=b" }))).toEqual([]);
  });

  it("joins a caller's transaction and rolls back with it", async () => {
    await expect(
      t.db.prisma.$transaction(async (tx) => {
        await repo.create(spec("tx", "rolled-back"), {}, tx);
        expect(await repo.getByName("tx", "rolled-back", tx)).toBeDefined();
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await repo.getByName("tx", "rolled-back")).toBeUndefined();
  });
});
