import { Code, ConnectError } from "@connectrpc/connect";
import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import { createDatabase, type Database } from "@tstr/db";
import { ControlService, DataService } from "@tstr/proto";
import { BadRequestSchema } from "@tstr/proto/grpc";
import { useTestDatabase } from "@tstr/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";

// SyncDefinitions against a real control plane and PostgreSQL: the reconciler's rules (create,
// update, unchanged, prune only what this source owns, any problem blocks everything, no takeover
// of foreign definitions, dry run, namespaces the token may write) and two replicas syncing the
// same documents at once.

const database = useTestDatabase();
let plane: ControlPlane;
let replica: ControlPlane;
let replicaDb: Database;
let admin: string;
const control = (url = plane.url, token = admin) => clientOf(ControlService, transportFor(url, { token }));
const data = () => clientOf(DataService, transportFor(plane.url, { token: admin }));

beforeAll(async () => {
  plane = await startControlPlane({ db: database.db, logger: silentLogger }, { host: "127.0.0.1", port: 0 });
  admin = plane.bootstrapToken ?? "";
  // A second replica: its own pool and server on the same database.
  replicaDb = createDatabase(database.url);
  replica = await startControlPlane({ db: replicaDb, logger: silentLogger }, { host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  await replica?.stop();
  await replicaDb?.close();
  await plane?.stop();
});

/** Waits until a session of this test's database waits for a lock. */
async function waitForLockWait(): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    // A fresh statement per poll: pg_stat_activity is a snapshot per transaction.
    const { rows } = await database.db.pool.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    if (rows[0]?.n > 0) return;
    if (Date.now() > deadline) throw new Error("no session ever waited for the lock");
    await new Promise((r) => setTimeout(r, 20));
  }
}

type Docs = Record<string, string>;
const docs = (files: Docs): { file: string; content: string }[] =>
  Object.entries(files).map(([file, content]) => ({ file, content }));

function sync(files: Docs, opts: { source?: string; prune?: boolean; dryRun?: boolean } = {}, url = plane.url) {
  return control(url).syncDefinitions({
    source: opts.source ?? "cli:team",
    documents: docs(files),
    prune: opts.prune ?? true,
    dryRun: opts.dryRun ?? false,
  });
}

const changeLines = (r: { changes: { kind: string; namespace: string; name: string; action: string }[] }) =>
  r.changes.map((c) => `${c.kind} ${c.namespace}/${c.name} ${c.action}`);

async function testNames(namespace = "default") {
  const { tests } = await data().queryTests({ namespace });
  return tests.map((t) => `${t.name}${t.source ? ` (${t.source})` : ""}`).sort();
}

const WEB = "name: web\nlabels: {team: web}\nrun_config: {container_image: busybox, timeout: 1m}\n";
const API = "name: api\nrun_config: {container_image: busybox}\n";
const SMOKE = "kind: Suite\nname: smoke\ntests: [web, api]\n";

describe("SyncDefinitions", () => {
  it("creates tests, then suites, owned by the source", async () => {
    const result = await sync({ "web.yaml": WEB, "more.yaml": `${API}---\n${SMOKE}` });
    expect(result.problems).toEqual([]);
    expect(changeLines(result)).toEqual([
      "test default/web created",
      "test default/api created",
      "suite default/smoke created",
    ]);
    expect(await testNames()).toEqual(["api (cli:team)", "web (cli:team)"]);
    const { suite } = await data().getSuite({ name: "smoke" });
    expect(suite?.source).toBe("cli:team");
    expect(suite?.testNames).toEqual(["web", "api"]);
  });

  it("reports unchanged definitions, and updates what changed", async () => {
    const same = await sync({ "web.yaml": WEB, "more.yaml": `${API}---\n${SMOKE}` });
    expect(changeLines(same)).toEqual([
      "test default/web unchanged",
      "test default/api unchanged",
      "suite default/smoke unchanged",
    ]);
    const changed = await sync({
      "web.yaml": WEB.replace("team: web", "team: platform"),
      "more.yaml": `${API}---\n${SMOKE}`,
    });
    expect(changeLines(changed)).toEqual([
      "test default/web updated",
      "test default/api unchanged",
      "suite default/smoke unchanged",
    ]);
    const { test } = await data().getTest({ name: "web" });
    expect(test?.labels).toEqual({ team: "platform" });
    expect(test?.source).toBe("cli:team");
  });

  it("dry run reports deletions without deleting", async () => {
    const result = await sync({ "web.yaml": WEB.replace("team: web", "team: platform") }, { dryRun: true });
    expect(changeLines(result)).toEqual([
      "test default/web unchanged",
      "suite default/smoke deleted",
      "test default/api deleted",
    ]);
    expect(await testNames()).toEqual(["api (cli:team)", "web (cli:team)"]);
  });

  it("prunes only the definitions this source owns", async () => {
    await control().registerTest({ name: "by-hand", runConfig: { containerImage: "busybox" } });
    await sync(
      { "other.yaml": "name: other-source\nrun_config: {container_image: busybox}\n" },
      { source: "cli:other" },
    );
    const result = await sync({ "web.yaml": WEB.replace("team: web", "team: platform") });
    expect(changeLines(result)).toEqual([
      "test default/web unchanged",
      "suite default/smoke deleted",
      "test default/api deleted",
    ]);
    expect(await testNames()).toEqual(["by-hand", "other-source (cli:other)", "web (cli:team)"]);
    await expect(data().getSuite({ name: "smoke" })).rejects.toThrow(/not found/);
    // Without prune, nothing is deleted.
    const kept = await sync({ "api.yaml": API }, { prune: false });
    expect(changeLines(kept)).toEqual(["test default/api created"]);
    expect(await testNames()).toContain("web (cli:team)");
  });

  it("applies nothing, and prunes nothing, when any document has a problem", async () => {
    const before = await testNames();
    const result = await sync({
      "web.yaml": WEB.replace("team: platform", "team: changed-but-blocked"),
      "broken.yaml":
        "name: ok\nrun_config: {container_image: busybox}\n---\nname: bad\nrun_config: {timeout: 5 parsecs}\n",
      "suite.yaml": "kind: Suite\nname: s\ntest_selector: 'team in (web'\n",
      "executor.yaml": "kind: Executor\nname: k6\n",
      "invalid.yaml": "name: -bad-name-\nrun_config: {container_image: busybox}\n",
    });
    expect(result.changes).toEqual([]);
    expect(result.problems.map((p) => `${p.file} | ${p.field} | ${p.message}`)).toEqual([
      'broken.yaml | run_config.timeout | document 2: invalid duration "5 parsecs"',
      "executor.yaml | image | document 1: is required",
      "executor.yaml | name | document 1: executor k6 is built in; define one under another name",
      expect.stringMatching(/^invalid\.yaml \| name \| document 1: /),
      expect.stringMatching(/^suite\.yaml \| test_selector \| document 1: /),
    ]);
    expect(await testNames()).toEqual(before);
    expect((await data().getTest({ name: "web" })).test?.labels).toEqual({ team: "platform" });
  });

  it("refuses to take over a definition created by hand or by another source", async () => {
    const result = await sync({
      "web.yaml": WEB,
      "mine.yaml": "name: by-hand\nrun_config: {container_image: alpine}\n",
    });
    expect(result.changes).toEqual([]);
    expect(result.problems).toEqual([
      expect.objectContaining({
        file: "mine.yaml",
        field: "name",
        message: expect.stringContaining("test default/by-hand exists and is not managed by cli:team"),
      }),
    ]);
    const other = await sync({ "x.yaml": "name: other-source\nrun_config: {container_image: busybox}\n" });
    expect(other.problems[0]?.message).toMatch(/not managed by cli:team \(it belongs to cli:other\)/);
    expect((await data().getTest({ name: "by-hand" })).test?.runConfig?.containerImage).toBe("busybox");
  });

  it("refuses a definition created by hand between the ownership check and the write", async () => {
    const first = "name: gap-first\nnamespace: gap\nrun_config: {container_image: busybox}\n";
    await sync({ "first.yaml": first }, { source: "cli:gap" });
    // Hold the row lock of gap-first: the sync below passes its ownership check, then waits in
    // its first write (the update of gap-first) while gap-second and gap-suite are created by hand.
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query("SELECT id FROM tests WHERE namespace = 'gap' AND name = 'gap-first' FOR UPDATE");
      const syncing = sync(
        {
          "first.yaml": first.replace("busybox", "alpine"),
          "second.yaml": "name: gap-second\nnamespace: gap\nrun_config: {container_image: alpine}\n",
          "suite.yaml": "kind: Suite\nname: gap-suite\nnamespace: gap\ntests: [gap-first]\n",
        },
        { source: "cli:gap" },
      );
      await waitForLockWait();
      await control().registerTest({ namespace: "gap", name: "gap-second", runConfig: { containerImage: "by-hand" } });
      await control().applySuite({ suite: { namespace: "gap", name: "gap-suite", testNames: ["by-hand"] } });
      await blocker.query("ROLLBACK");
      const result = await syncing;
      expect(changeLines(result)).toEqual(["test gap/gap-first updated"]);
      expect(result.problems.map((p) => `${p.file} | ${p.field} | ${p.message}`)).toEqual([
        "second.yaml | name | document 1: test gap/gap-second exists and is not managed by cli:gap (it was created outside any sync); delete it or remove it from the definitions",
        "suite.yaml | name | document 1: suite gap/gap-suite exists and is not managed by cli:gap (it was created outside any sync); delete it or remove it from the definitions",
      ]);
    } finally {
      await blocker.end();
    }
    const { test } = await data().getTest({ namespace: "gap", name: "gap-second" });
    expect(test).toMatchObject({ source: "", runConfig: { containerImage: "by-hand" } });
    const { suite } = await data().getSuite({ namespace: "gap", name: "gap-suite" });
    expect(suite).toMatchObject({ source: "", testNames: ["by-hand"] });
    // ApplyTest (tstrctl apply) names no source and may still edit a synced test.
    const edited = await control().applyTest({
      test: { namespace: "gap", name: "gap-first", runConfig: { containerImage: "edited" } },
    });
    expect(edited.test).toMatchObject({ source: "cli:gap", runConfig: { containerImage: "edited" } });
  });

  it("refuses namespaces the token may not write, naming file and namespace, and never prunes there", async () => {
    const { token } = await issueToken(plane.url, admin, ["control:write", "data:read"], ["team-a"]);
    const limited = control(plane.url, token);
    const result = await limited.syncDefinitions({
      source: "cli:team",
      prune: true,
      documents: docs({
        "a.yaml": "name: a\nnamespace: team-a\nrun_config: {container_image: busybox}\n",
        "b.yaml": "name: b\nnamespace: team-b\n",
      }),
    });
    expect(result.changes).toEqual([]);
    expect(result.problems).toEqual([
      expect.objectContaining({ file: "b.yaml", field: "namespace", message: expect.stringContaining('"team-b"') }),
    ]);
    // Allowed documents only: tests of cli:team in "default" are outside the token's reach and stay.
    const ok = await limited.syncDefinitions({
      source: "cli:team",
      prune: true,
      documents: docs({ "a.yaml": "name: a\nnamespace: team-a\nrun_config: {container_image: busybox}\n" }),
    });
    expect(changeLines(ok)).toEqual(["test team-a/a created"]);
    expect(await testNames()).toContain("web (cli:team)");
  });

  it("answers InvalidArgument naming the field for a request without a source", async () => {
    const error = await control()
      .syncDefinitions({ source: " ", documents: docs({ "a.yaml": API }) })
      .catch((e) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect((error as ConnectError).rawMessage).toContain("source: required");
    const long = await control()
      .syncDefinitions({ source: `cli:${"x".repeat(200)}` })
      .catch((e) => ConnectError.from(e));
    expect((long as ConnectError).rawMessage).toContain("source: must be at most 200 characters");
  });

  it("reserves sync: sources for the server's folder sync, suggesting cli:<name>", async () => {
    const error = await control()
      .syncDefinitions({ source: "sync:/etc/tstr/definitions", documents: docs({ "a.yaml": API }), prune: true })
      .catch((e) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    const fields = (error as ConnectError)
      .findDetails(BadRequestSchema)
      .flatMap((d) => d.fieldViolations.map((v) => `${v.field}: ${v.description}`));
    expect(fields).toEqual([
      'source: "sync:" sources are reserved for the server\'s --sync-dir folder; use one such as "cli:<name>"',
    ]);
    expect(await testNames()).not.toContain("api (sync:/etc/tstr/definitions)");
  });

  it("two replicas syncing the same documents at once create each test exactly once", async () => {
    // More concurrent syncs per replica (12) than it has pooled connections (10): syncs waiting for
    // the lock must not starve the one holding it (a lock held on a pooled connection deadlocks here).
    for (let round = 0; round < 3; round++) {
      const files: Docs = {};
      const names = Array.from({ length: 8 }, (_, i) => `race-${round}-${i}`);
      for (const name of names)
        files[`${name}.yaml`] = `name: ${name}\nnamespace: race\nrun_config: {container_image: busybox}\n`;
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          sync(files, { source: `cli:race-${round}` }, i % 2 ? plane.url : replica.url),
        ),
      );
      for (const result of results) expect(result.problems).toEqual([]);
      const created = results.flatMap((r) => r.changes.filter((c) => c.action === "created").map((c) => c.name));
      expect(created.sort()).toEqual(names.sort());
      const { tests } = await data().queryTests({ namespace: "race", nameContains: `race-${round}-` });
      expect(tests).toHaveLength(8);
    }
  }, 20_000);
});
