import { BUILTIN_EXECUTORS, type ExecutorSpec } from "@tstr/domain";
import { useTestDatabase } from "@tstr/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { AlreadyExistsError, NotFoundError } from "./errors.js";
import { createExecutorsRepository, ExecutorNameTakenError, type ExecutorsRepository } from "./executors-repo.js";

const t = useTestDatabase();
let repo: ExecutorsRepository;
beforeAll(() => {
  repo = createExecutorsRepository(t.db);
});

function spec(namespace: string | undefined, name: string, overrides: Partial<ExecutorSpec> = {}): ExecutorSpec {
  return {
    ...(namespace === undefined ? {} : { namespace }),
    name,
    image: "busybox",
    command: ["sh", "-c"],
    args: [],
    acceptedFileTypes: [".sh"],
    env: {},
    resultParsers: [],
    ...overrides,
  };
}

const names = (records: { spec: { namespace?: string; name: string } }[]) =>
  records.map((r) => `${r.spec.namespace ?? "*"}/${r.spec.name}`);

describe("executors repository", () => {
  it("round-trips a spec with every optional field, global and namespaced, without nulls", async () => {
    const full = spec("rt", "full", {
      description: "everything",
      args: ["-x", ""],
      env: { A: "1" },
      resultParsers: ["JUNIT", "RESULT_JSON"],
      junitPath: "junit/out.xml",
      icon: "box",
    });
    const created = await repo.create(full, { source: "sync:/defs" });
    expect(created).toMatchObject({ spec: full, source: "sync:/defs", builtin: false });
    expect(await repo.getByName("rt", "full")).toEqual(created);
    const global = await repo.create(spec(undefined, "rt-global"));
    expect(global.spec).toEqual(spec(undefined, "rt-global"));
    expect(Object.keys(global).sort()).toEqual(["builtin", "createdAt", "id", "spec", "updatedAt"]);
    expect(await repo.getByName(undefined, "rt-global")).toEqual(global);
    expect(await repo.getByName("rt", "rt-global")).toBeUndefined();
  });

  it("refuses a second executor of the same scope and name, global ones included", async () => {
    await repo.create(spec("dup", "same"));
    const namespaced = await repo.create(spec("dup", "same")).catch((e: unknown) => e);
    expect(namespaced).toBeInstanceOf(AlreadyExistsError);
    expect((namespaced as Error).message).toBe("executor dup/same already exists");
    await repo.create(spec(undefined, "dup-global"));
    const global = await repo.create(spec(undefined, "dup-global")).catch((e: unknown) => e);
    expect((global as Error).message).toBe("executor dup-global (global) already exists");
  });

  it("keeps one name one preset: namespace and global executors never share a name", async () => {
    await repo.create(spec(undefined, "shared"));
    const shadow = await repo.create(spec("team-a", "shared")).catch((e: unknown) => e);
    expect(shadow).toBeInstanceOf(ExecutorNameTakenError);
    expect((shadow as ExecutorNameTakenError).holders).toEqual([{ builtin: false }]);
    expect((shadow as Error).message).toBe(
      "executor team-a/shared would shadow the global executor shared (an executor name means one preset in every namespace that sees it); apply it under another name",
    );
    expect(await repo.nameTakenBy(spec("team-a", "shared"))).toBeInstanceOf(ExecutorNameTakenError);
    expect(await repo.nameTakenBy(spec(undefined, "shared"))).toBeUndefined();
    await repo.create(spec("team-a", "local"));
    await repo.create(spec("team-b", "local"));
    const global = await repo.create(spec(undefined, "local")).catch((e: unknown) => e);
    expect((global as Error).message).toBe(
      'global executor local would clash with the executor of the same name in namespaces "team-a", "team-b" (an executor name means one preset in every namespace that sees it); delete those first or choose another name',
    );
  });

  it("lets only one of many concurrent creates of overlapping scopes win", async () => {
    const attempts = await Promise.allSettled([
      repo.create(spec(undefined, "race")),
      ...["r1", "r2", "r3", "r4"].map((ns) => repo.create(spec(ns, "race"))),
    ]);
    const won = attempts.filter((a) => a.status === "fulfilled");
    const { rows } = await t.db.pool.query("SELECT namespace FROM executors WHERE name = 'race'");
    // Either the global one won alone, or namespaces did and the global one was refused.
    if (rows.some((r) => r.namespace === null)) expect(rows).toHaveLength(1);
    expect(won.length).toBe(rows.length);
    for (const attempt of attempts) {
      if (attempt.status === "rejected") expect(attempt.reason).toBeInstanceOf(ExecutorNameTakenError);
    }
  });

  it("updates the spec and source but not the identity, and deletes", async () => {
    const created = await repo.create(spec("upd", "e"), { source: "cli:a" });
    const changed = await repo.update(created.id, spec("upd", "e", { image: "alpine", icon: "i" }));
    expect(changed.spec).toEqual(spec("upd", "e", { image: "alpine", icon: "i" }));
    expect(changed.source).toBe("cli:a");
    expect(changed.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect((await repo.update(created.id, spec("upd", "e"), { source: null })).source).toBeUndefined();
    expect(await repo.remove(created.id)).toBe(true);
    expect(await repo.remove(created.id)).toBe(false);
    await expect(repo.update(created.id, spec("upd", "e"))).rejects.toBeInstanceOf(NotFoundError);
    await expect(repo.update("not-a-uuid", spec("upd", "e"))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("finds what a namespace sees: its own executors and the global ones, never another namespace's", async () => {
    await repo.create(spec("vis-a", "mine"));
    await repo.create(spec("vis-b", "theirs"));
    await repo.create(spec(undefined, "vis-everyone"));
    const visible = names(await repo.listVisible("vis-a"));
    expect(visible.filter((n) => !n.startsWith("*/"))).toEqual(["vis-a/mine"]);
    expect(visible).toContain("vis-a/mine");
    expect(visible).toContain("*/vis-everyone");
    expect(visible).not.toContain("vis-b/theirs");
    expect((await repo.findVisible("vis-a", "mine"))?.spec.namespace).toBe("vis-a");
    expect((await repo.findVisible("vis-a", "vis-everyone"))?.spec.namespace).toBeUndefined();
    expect(await repo.findVisible("vis-a", "theirs")).toBeUndefined();
  });

  it("lists by source, global and namespaced", async () => {
    await repo.create(spec("src", "a"), { source: "cli:src" });
    await repo.create(spec(undefined, "src-global"), { source: "cli:src" });
    await repo.create(spec("src", "b"), { source: "cli:other" });
    expect(names(await repo.listBySource("cli:src"))).toEqual(["src/a", "*/src-global"]);
  });
});

describe("seedBuiltins", () => {
  it("inserts, then leaves alone, then rewrites changed and removes retired built-ins", async () => {
    const first = await repo.seedBuiltins(BUILTIN_EXECUTORS);
    expect(first).toEqual({ created: BUILTIN_EXECUTORS.map((e) => e.name), updated: [], blocked: [], removed: [] });
    const k6 = await repo.getByName(undefined, "k6");
    expect(k6).toMatchObject({ builtin: true, spec: BUILTIN_EXECUTORS[0] });

    expect(await repo.seedBuiltins(BUILTIN_EXECUTORS)).toEqual({ created: [], updated: [], blocked: [], removed: [] });
    expect((await repo.getByName(undefined, "k6"))?.updatedAt).toEqual(k6?.updatedAt);

    const next = [...BUILTIN_EXECUTORS.filter((e) => e.name !== "jmeter"), spec(undefined, "k6", { image: "k6:new" })];
    const changed = await repo.seedBuiltins(
      next.filter((e, i, all) => all.findLastIndex((x) => x.name === e.name) === i),
    );
    expect(changed).toEqual({ created: [], updated: ["k6"], blocked: [], removed: ["jmeter"] });
    expect((await repo.getByName(undefined, "k6"))?.spec.image).toBe("k6:new");
    expect(await repo.seedBuiltins(BUILTIN_EXECUTORS)).toMatchObject({ created: ["jmeter"], updated: ["k6"] });
  });

  it("is safe from several replicas at once", async () => {
    const extra = spec(undefined, "seeded-concurrently");
    const results = await Promise.all([1, 2, 3, 4].map(() => repo.seedBuiltins([...BUILTIN_EXECUTORS, extra])));
    expect(results.flatMap((r) => r.created)).toEqual(["seeded-concurrently"]);
    const { rows } = await t.db.pool.query("SELECT count(*)::int AS n FROM executors WHERE builtin");
    expect(rows[0].n).toBe(BUILTIN_EXECUTORS.length + 1);
    await repo.seedBuiltins(BUILTIN_EXECUTORS);
  });

  it("never overwrites a global executor that is not built in, and built-ins cannot be updated or deleted here", async () => {
    await repo.create(spec(undefined, "future-builtin", { image: "mine" }));
    const result = await repo.seedBuiltins([...BUILTIN_EXECUTORS, spec(undefined, "future-builtin")]);
    expect(result.blocked).toEqual(["future-builtin"]);
    expect(await repo.getByName(undefined, "future-builtin")).toMatchObject({
      builtin: false,
      spec: { image: "mine" },
    });
    const k6 = await repo.getByName(undefined, "k6");
    expect(await repo.remove(k6?.id ?? "")).toBe(false);
    await expect(repo.update(k6?.id ?? "", spec(undefined, "k6"))).rejects.toBeInstanceOf(NotFoundError);
  });
});
