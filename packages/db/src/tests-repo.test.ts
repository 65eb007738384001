import type { TestSpec } from "@tstr/domain";
import { useTestDatabase } from "@tstr/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { AlreadyExistsError, NotFoundError } from "./errors.js";
import { InvalidPageTokenError } from "./page-token.js";
import { createTestsRepository, type TestsRepository } from "./tests-repo.js";

const t = useTestDatabase();
let repo: TestsRepository;
beforeAll(() => {
  repo = createTestsRepository(t.db);
});

function spec(namespace: string, name: string, overrides: Partial<TestSpec> = {}): TestSpec {
  return {
    namespace,
    name,
    labels: { team: "core" },
    runConfig: { image: "busybox", command: "sh", args: ["-c", "true"], env: {}, files: [] },
    retry: { maxAttempts: 1, on: ["RUNNER_LOST"], backoffMs: 0 },
    concurrencyPolicy: "allow",
    resources: {},
    ...overrides,
  };
}

const full = spec("full", "everything", {
  description: "all optional fields",
  labels: { team: "core", tier: "gold" },
  runConfig: {
    image: "grafana/k6:1",
    command: "k6",
    args: ["run", "script.js"],
    env: { A: "1" },
    timeoutMs: 60_000,
    workingDir: "/work",
    files: [{ path: "script.js", content: "export default () => {}" }],
    resultsPath: "/results",
  },
  schedule: { cron: "*/5 * * * *", timezone: "Europe/Berlin", paused: true },
  matrix: { labels: { os: ["linux", "windows"] }, include: [{ os: "mac" }], exclude: [] },
  executor: "k6",
  retry: { maxAttempts: 3, on: ["ERROR", "FAIL"], backoffMs: 1000 },
  concurrencyPolicy: "forbid",
  resources: { factor: 0.5 },
});

describe("tests repository", () => {
  it("round-trips a spec with every optional field", async () => {
    const nextRunAt = new Date("2030-01-01T00:05:00.123Z");
    const created = await repo.create(full, { source: "sync:/defs", nextRunAt });
    expect(created).toMatchObject({ spec: full, runConfigVersion: 1, source: "sync:/defs", nextRunAt });
    expect(created.archivedAt).toBeUndefined();
    expect(await repo.getById(created.id)).toEqual(created);
    expect(await repo.getByName("full", "everything")).toEqual(created);
  });

  it("omits absent optionals instead of returning nulls", async () => {
    const minimal = spec("min", "minimal");
    const created = await repo.create(minimal);
    expect(created.spec).toEqual(minimal);
    expect(Object.keys(created).sort()).toEqual(["id", "registeredAt", "runConfigVersion", "spec", "updatedAt"]);
  });

  it("refuses a duplicate live name with AlreadyExistsError naming the test", async () => {
    await repo.create(spec("dup", "same"));
    const err = await repo.create(spec("dup", "same")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect((err as Error).message).toBe("test dup/same already exists");
  });

  it("frees a name when the test is archived", async () => {
    const first = await repo.create(spec("arch", "reused"));
    expect(await repo.archive(first.id)).toBe(true);
    expect(await repo.archive(first.id)).toBe(false);
    expect(await repo.getByName("arch", "reused")).toBeUndefined();
    expect((await repo.getById(first.id))?.archivedAt).toBeInstanceOf(Date);
    const second = await repo.create(spec("arch", "reused"));
    expect(second.id).not.toBe(first.id);
  });

  it("bumps runConfigVersion only when run_config really changes", async () => {
    const created = await repo.create(spec("upd", "versioned"), { source: "api" });
    const relabelled = await repo.update(created.id, spec("upd", "versioned", { labels: { team: "other" } }));
    expect(relabelled.runConfigVersion).toBe(1);
    expect(relabelled.spec.labels).toEqual({ team: "other" });
    expect(relabelled.source).toBe("api");
    const reordered = spec("upd", "versioned");
    reordered.runConfig = { files: [], env: {}, args: ["-c", "true"], command: "sh", image: "busybox" };
    expect((await repo.update(created.id, reordered)).runConfigVersion).toBe(1);
    const changed = spec("upd", "versioned");
    changed.runConfig.args = ["-c", "false"];
    const bumped = await repo.update(created.id, changed, { nextRunAt: new Date("2031-01-01T00:00:00Z") });
    expect(bumped.runConfigVersion).toBe(2);
    expect(bumped.nextRunAt).toEqual(new Date("2031-01-01T00:00:00Z"));
    expect(bumped.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    const cleared = await repo.update(created.id, changed, { nextRunAt: null, source: null });
    expect(cleared.nextRunAt).toBeUndefined();
    expect(cleared.source).toBeUndefined();
  });

  it("serialises concurrent updates so each real change bumps exactly once", async () => {
    const created = await repo.create(spec("upd", "racy"));
    const variants = [1, 2, 3, 4, 5].map((n) => {
      const s = spec("upd", "racy");
      s.runConfig.args = [`${n}`];
      return s;
    });
    await Promise.all(variants.map((v) => repo.update(created.id, v)));
    expect((await repo.getById(created.id))?.runConfigVersion).toBe(6);
  });

  it("reports renames onto a live name and updates of missing tests", async () => {
    await repo.create(spec("ren", "taken"));
    const other = await repo.create(spec("ren", "free"));
    await expect(repo.update(other.id, spec("ren", "taken"))).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(repo.update("00000000-0000-0000-0000-000000000000", spec("ren", "x"))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(repo.update("not-a-uuid", spec("ren", "x"))).rejects.toBeInstanceOf(NotFoundError);
    expect(await repo.getById("not-a-uuid")).toBeUndefined();
  });

  it("deletes a test but keeps its runs, detached", async () => {
    const created = await repo.create(spec("del", "gone"));
    const run = await t.db.prisma.run.create({
      data: { namespace: "del", testId: created.id, testName: "gone", runConfig: {}, trigger: "manual" },
    });
    expect(await repo.delete(created.id)).toBe(true);
    expect(await repo.delete(created.id)).toBe(false);
    expect(await repo.getById(created.id)).toBeUndefined();
    expect((await t.db.prisma.run.findUnique({ where: { id: run.id } }))?.testId).toBeNull();
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

describe("tests repository query", () => {
  const namespaces = ["q-a", "q-b", "q-c"];
  beforeAll(async () => {
    for (const ns of namespaces) {
      for (let i = 0; i < 9; i++) {
        const labels = { parity: i % 2 === 0 ? "even" : "odd", ns };
        await repo.create(spec(ns, `test_${i}`, { labels }));
      }
    }
    await repo.create(spec("q-a", "test%9", { labels: { parity: "odd" } }));
    const archived = await repo.create(spec("q-a", "archived"));
    await repo.archive(archived.id);
  });

  async function all(query: Parameters<TestsRepository["query"]>[0]) {
    const names: string[] = [];
    let pageToken: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await repo.query({ ...query, pageToken });
      names.push(...page.tests.map((x) => `${x.spec.namespace}/${x.spec.name}`));
      pageToken = page.nextPageToken;
      if (!pageToken) return names;
    }
    throw new Error("paging did not terminate");
  }

  it("pages through every live test in (namespace, name) order without gaps or repeats", async () => {
    const names = await all({ namespaces, pageSize: 4 });
    const expected = [...names].sort();
    expect(names).toEqual(expected);
    expect(names).toHaveLength(28);
    expect(new Set(names).size).toBe(28);
    expect(names).not.toContain("q-a/archived");
  });

  it("keeps paging stable while tests are added behind the cursor", async () => {
    const first = await repo.query({ namespaces: ["q-b"], pageSize: 5 });
    await repo.create(spec("q-b", "a-before-everything"));
    const rest = await repo.query({ namespaces: ["q-b"], pageSize: 100, pageToken: first.nextPageToken });
    expect([...first.tests, ...rest.tests].map((x) => x.spec.name)).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => `test_${i}`),
    );
    expect(rest.nextPageToken).toBeUndefined();
  });

  it("filters by namespaces, labels and a literal name substring", async () => {
    expect(await all({ namespaces: ["q-c"], labelEquals: { parity: "odd" }, pageSize: 2 })).toEqual([
      "q-c/test_1",
      "q-c/test_3",
      "q-c/test_5",
      "q-c/test_7",
    ]);
    expect(await all({ namespaces: "all", labelEquals: { parity: "even", ns: "q-a" }, pageSize: 50 })).toHaveLength(5);
    expect(await all({ namespaces: ["q-a"], nameContains: "%", pageSize: 50 })).toEqual(["q-a/test%9"]);
    expect(await all({ namespaces: ["q-a"], nameContains: "t_8", pageSize: 50 })).toEqual(["q-a/test_8"]);
    expect(await all({ namespaces: [], pageSize: 50 })).toEqual([]);
    expect(await all({ namespaces: ["q-a"], includeArchived: true, pageSize: 50 })).toContain("q-a/archived");
  });

  it("rejects a forged page token", async () => {
    await expect(repo.query({ pageSize: 5, pageToken: "nonsense" })).rejects.toBeInstanceOf(InvalidPageTokenError);
    const forged = Buffer.from(JSON.stringify(["a", "b", "not-a-uuid"])).toString("base64url");
    await expect(repo.query({ pageSize: 5, pageToken: forged })).rejects.toBeInstanceOf(InvalidPageTokenError);
  });
});
