import { Code, ConnectError } from "@connectrpc/connect";
import { type CliIo, runCli } from "@tstr/cli";
import { type ControlPlane, silentLogger, startControlPlane } from "@tstr/control-plane";
import { createDatabase, type Database } from "@tstr/db";
import { BUILTIN_EXECUTORS } from "@tstr/domain";
import {
  ControlService,
  type Executor,
  Executor_ResultParser,
  ApplyTestResponse_Outcome as Outcome,
} from "@tstr/proto";
import { BadRequestSchema } from "@tstr/proto/grpc";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOf, issueToken, transportFor } from "./support/clients.js";

// The executor catalog against a real control plane and PostgreSQL: built-ins seeded at start (by
// every replica), namespace and global executors through ApplyExecutor/Get/List/Delete, the admin
// scope for global ones, built-in names refused, validation naming fields, SyncDefinitions
// creating and pruning executors, namespace isolation, and tstrctl against the server.

const database = useTestDatabase();
let plane: ControlPlane;
let replica: ControlPlane;
let replicaDb: Database;
let admin: string;
let writer: string;
const control = (token = admin, namespace?: string) =>
  clientOf(ControlService, transportFor(plane.url, { token, namespace }));

const BUILTIN_NAMES = BUILTIN_EXECUTORS.map((e) => e.name).sort();

beforeAll(async () => {
  plane = await startControlPlane({ db: database.db, logger: silentLogger }, { host: "127.0.0.1", port: 0 });
  admin = plane.bootstrapToken ?? "";
  writer = (await issueToken(plane.url, admin, ["control:write"])).token;
  // A second replica seeds the same built-ins again on its own start.
  replicaDb = createDatabase(database.url);
  replica = await startControlPlane({ db: replicaDb, logger: silentLogger }, { host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  await replica?.stop();
  await replicaDb?.close();
  await plane?.stop();
});

/** The ConnectError a call failed with (the test fails if it succeeded). */
async function failure(call: Promise<unknown>): Promise<ConnectError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  if (!error) throw new Error("expected the call to fail");
  return error;
}

async function names(namespace: string, token = admin): Promise<string[]> {
  const { executors } = await control(token).listExecutors({ namespace });
  return executors.map((e) => (e.namespace ? `${e.namespace}/${e.name}` : e.name)).sort();
}

const k6Like = (fields: Omit<Partial<Executor>, "$typeName" | "$unknown">) => ({
  image: "grafana/k6:0.50.0",
  command: ["k6", "run"],
  acceptedFileTypes: [".js"],
  resultParsers: [Executor_ResultParser.K6_SUMMARY],
  ...fields,
});

describe("built-in executors", () => {
  it("are listed in every namespace, flagged built in and global, exactly once after two replicas started", async () => {
    const { executors } = await control().listExecutors({ namespace: "anywhere" });
    const builtins = executors.filter((e) => e.builtin);
    expect(builtins.map((e) => e.name).sort()).toEqual(BUILTIN_NAMES);
    expect(builtins.every((e) => e.namespace === "")).toBe(true);
    const k6 = builtins.find((e) => e.name === "k6");
    expect(k6).toMatchObject({
      image: "grafana/k6",
      command: ["k6", "run"],
      acceptedFileTypes: [".js", ".json", ".csv", ".txt"],
      resultParsers: [Executor_ResultParser.K6_SUMMARY, Executor_ResultParser.K6_NDJSON],
    });
    const { rows } = await database.db.pool.query("SELECT count(*)::int AS n FROM executors WHERE builtin");
    expect(rows[0].n).toBe(BUILTIN_NAMES.length);
    const generic = await control(writer).getExecutor({ name: "generic", namespace: "team-a" });
    expect(generic.executor).toMatchObject({ builtin: true, image: "" });
  });

  it("cannot be applied, shadowed by a namespace executor, or deleted", async () => {
    const applied = await failure(control().applyExecutor({ executor: k6Like({ name: "k6", namespace: "team-a" }) }));
    expect(applied.code).toBe(Code.InvalidArgument);
    expect(applied.rawMessage).toBe("executor k6 is built in; apply one under another name");
    const global = await failure(control().applyExecutor({ executor: k6Like({ name: "newman" }) }));
    expect(global.rawMessage).toBe("executor newman is built in; apply one under another name");
    const deleted = await failure(control().deleteExecutor({ name: "k6", namespace: "team-a" }));
    expect(deleted.code).toBe(Code.InvalidArgument);
    expect(deleted.rawMessage).toBe("executor k6 is built in and cannot be deleted");
    expect(await names("team-a")).toContain("k6");
  });
});

describe("namespace executors", () => {
  it("are applied (created, unchanged, updated), read, listed and deleted with a control:write token", async () => {
    const executor = k6Like({ name: "my-k6", namespace: "team-a", description: "k6 with our extensions" });
    const created = await control(writer).applyExecutor({ executor });
    expect(created.outcome).toBe(Outcome.CREATED);
    expect(created.executor).toMatchObject({ name: "my-k6", namespace: "team-a", builtin: false });
    expect(created.executor?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await control(writer).applyExecutor({ executor })).outcome).toBe(Outcome.UNCHANGED);
    const updated = await control(writer).applyExecutor({ executor: { ...executor, args: ["--quiet"] } });
    expect(updated.outcome).toBe(Outcome.UPDATED);
    expect(updated.executor?.id).toBe(created.executor?.id);

    const got = await control(writer).getExecutor({ name: "my-k6", namespace: "team-a" });
    expect(got.executor).toMatchObject({ description: "k6 with our extensions", args: ["--quiet"] });
    // The namespace header works like the request field, as for tests.
    expect((await control(writer, "team-a").getExecutor({ name: "my-k6" })).executor?.namespace).toBe("team-a");
    expect(await names("team-a", writer)).toContain("team-a/my-k6");

    await control(writer).deleteExecutor({ name: "my-k6", namespace: "team-a" });
    const gone = await failure(control(writer).getExecutor({ name: "my-k6", namespace: "team-a" }));
    expect(gone.code).toBe(Code.NotFound);
    expect(gone.rawMessage).toBe('executor "my-k6" not found in namespace "team-a" or among the global executors');
  });

  it("of namespace A are not seen from namespace B", async () => {
    await control().applyExecutor({ executor: k6Like({ name: "only-a", namespace: "ns-a" }) });
    await control().applyExecutor({ executor: k6Like({ name: "only-b", namespace: "ns-b" }) });
    const a = await names("ns-a");
    expect(a).toContain("ns-a/only-a");
    expect(a).not.toContain("ns-b/only-b");
    expect(await names("ns-b")).not.toContain("ns-a/only-a");
    expect((await failure(control().getExecutor({ name: "only-a", namespace: "ns-b" }))).code).toBe(Code.NotFound);
    expect((await failure(control().deleteExecutor({ name: "only-a", namespace: "ns-b" }))).code).toBe(Code.NotFound);
    // Two namespaces may use the same name for their own executors.
    await control().applyExecutor({ executor: k6Like({ name: "only-a", namespace: "ns-b" }) });
    const { executor } = await control().getExecutor({ name: "only-a", namespace: "ns-b" });
    expect(executor?.namespace).toBe("ns-b");
  });

  it("are refused in a namespace the token may not touch", async () => {
    const narrow = (await issueToken(plane.url, admin, ["control:write"], ["team-.*"])).token;
    const error = await failure(control(narrow).applyExecutor({ executor: k6Like({ name: "x", namespace: "ops" }) }));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(error.rawMessage).toContain('may not access namespace "ops"');
  });

  it("refuse invalid fields, naming each one", async () => {
    const error = await failure(
      control().applyExecutor({
        executor: {
          name: "Bad_Name",
          namespace: "team-a",
          image: "",
          acceptedFileTypes: ["js"],
          env: { "1BAD": "x" },
          resultParsers: [Executor_ResultParser.UNSPECIFIED],
        },
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations.map((v) => v.field))).toEqual([
      "name",
      "image",
      "accepted_file_types[0]",
      'env["1BAD"]',
      "result_parsers[0]",
    ]);
    expect(error.rawMessage).toContain("result_parsers[0]: must be one of JUNIT, K6_SUMMARY, K6_NDJSON, RESULT_JSON");
    const path = await failure(
      control().applyExecutor({ executor: k6Like({ name: "abs", namespace: "team-a", junitPath: "/abs/junit.xml" }) }),
    );
    expect(path.rawMessage).toMatch(/^invalid request: junit_path: must be a path relative to the results directory/);
    expect((await failure(control().applyExecutor({}))).rawMessage).toBe("invalid request: executor: required");
  });
});

describe("global executors", () => {
  it("need the admin scope to apply or delete, and are then visible in every namespace", async () => {
    const executor = k6Like({ name: "company-k6" });
    const refused = await failure(control(writer).applyExecutor({ executor }));
    expect(refused.code).toBe(Code.PermissionDenied);
    expect(refused.rawMessage).toMatch(/may not apply the global executor "company-k6": .* needs the admin scope/);

    const created = await control(admin).applyExecutor({ executor });
    expect(created.executor).toMatchObject({ namespace: "", builtin: false });
    expect(await names("team-a", writer)).toContain("company-k6");
    expect(await names("team-z", writer)).toContain("company-k6");

    const notDeleted = await failure(control(writer).deleteExecutor({ name: "company-k6", namespace: "team-a" }));
    expect(notDeleted.code).toBe(Code.PermissionDenied);
    expect(notDeleted.rawMessage).toMatch(/may not delete the global executor "company-k6"/);
    await control(admin).deleteExecutor({ name: "company-k6", namespace: "team-a" });
    expect(await names("team-a")).not.toContain("company-k6");
  });

  it("and namespace executors never share a name", async () => {
    await control().applyExecutor({ executor: k6Like({ name: "shared-tool" }) });
    const shadow = await failure(
      control().applyExecutor({ executor: k6Like({ name: "shared-tool", namespace: "ns-a" }) }),
    );
    expect(shadow.code).toBe(Code.AlreadyExists);
    expect(shadow.rawMessage).toMatch(/^executor ns-a\/shared-tool would shadow the global executor shared-tool/);
    const clash = await failure(control().applyExecutor({ executor: k6Like({ name: "only-a" }) }));
    expect(clash.code).toBe(Code.AlreadyExists);
    expect(clash.rawMessage).toMatch(/^global executor only-a would clash .* namespaces "ns-a", "ns-b"/);
  });
});

describe("SyncDefinitions with executors", () => {
  const EXECUTOR =
    "kind: Executor\nname: synced-k6\nimage: grafana/k6\nfile_types: [.js]\nparsers: [k6_summary, k6_ndjson]\n";
  const TEST = "name: load\nexecutor: synced-k6\nrun_config: {args: [script.js]}\n";
  const sync = (files: Record<string, string>, opts: { token?: string; prune?: boolean; dryRun?: boolean } = {}) =>
    control(opts.token ?? admin, "sync-ns").syncDefinitions({
      source: "cli:executors",
      documents: Object.entries(files).map(([file, content]) => ({ file, content })),
      prune: opts.prune ?? true,
      dryRun: opts.dryRun ?? false,
    });
  const lines = (r: { changes: { kind: string; namespace: string; name: string; action: string }[] }) =>
    r.changes.map((c) => `${c.kind} ${c.namespace || "(global)"}/${c.name} ${c.action}`);

  it("applies executors before tests, and prunes them after tests", async () => {
    // The test comes first in the file; the executor it names must still be created first.
    const created = await sync({ "load.yaml": `${TEST}---\n${EXECUTOR}` });
    expect(created.problems).toEqual([]);
    expect(lines(created)).toEqual(["executor sync-ns/synced-k6 created", "test sync-ns/load created"]);
    expect((await control().getExecutor({ name: "synced-k6", namespace: "sync-ns" })).executor?.resultParsers).toEqual([
      Executor_ResultParser.K6_SUMMARY,
      Executor_ResultParser.K6_NDJSON,
    ]);
    expect(lines(await sync({ "load.yaml": `${TEST}---\n${EXECUTOR}` }))).toEqual([
      "executor sync-ns/synced-k6 unchanged",
      "test sync-ns/load unchanged",
    ]);
    const preview = await sync(
      { "other.yaml": "name: other\nrun_config: {container_image: busybox}\n" },
      { dryRun: true },
    );
    expect(lines(preview)).toEqual([
      "test sync-ns/other created",
      "test sync-ns/load deleted",
      "executor sync-ns/synced-k6 deleted",
    ]);
    expect(await names("sync-ns")).toContain("sync-ns/synced-k6");
    const pruned = await sync({ "other.yaml": "name: other\nrun_config: {container_image: busybox}\n" });
    expect(lines(pruned)).toEqual([
      "test sync-ns/other created",
      "test sync-ns/load deleted",
      "executor sync-ns/synced-k6 deleted",
    ]);
    expect(await names("sync-ns")).not.toContain("sync-ns/synced-k6");
  });

  it("refuses built-in names, foreign executors and, without admin, global ones — before writing anything", async () => {
    await control().applyExecutor({ executor: k6Like({ name: "by-hand", namespace: "sync-ns" }) });
    const result = await sync(
      {
        "a.yaml": "kind: Executor\nname: k6\nimage: mine\n",
        "b.yaml": "kind: Executor\nname: by-hand\nimage: mine\n",
        "c.yaml": "name: fine\nrun_config: {container_image: busybox}\n",
      },
      { token: writer },
    );
    expect(result.changes).toEqual([]);
    expect(result.problems.map((p) => `${p.file} ${p.field}: ${p.message}`)).toEqual([
      "a.yaml name: document 1: executor k6 is built in; define one under another name",
    ]);
    const foreign = await sync({ "b.yaml": "kind: Executor\nname: by-hand\nimage: mine\n" }, { token: writer });
    expect(foreign.problems.map((p) => p.message)).toEqual([
      "document 1: executor sync-ns/by-hand exists and is not managed by cli:executors (it was created outside any sync); delete it or remove it from the definitions",
    ]);
    const global = await sync(
      { "g.yaml": "kind: Executor\nname: team-global\nglobal: true\nimage: x\n" },
      { token: writer },
    );
    expect(global.problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      "global: document 1: global executors are visible in every namespace; syncing one needs a token with the admin scope",
    ]);
    expect(await names("sync-ns")).not.toContain("team-global");
  });

  it("syncs a global executor with an admin token, and prunes it", async () => {
    const created = await sync({ "g.yaml": "kind: Executor\nname: team-global\nglobal: true\nimage: x\n" });
    expect(lines(created)).toContain("executor (global)/team-global created");
    expect(await names("anywhere")).toContain("team-global");
    const pruned = await sync({ "c.yaml": "name: fine\nrun_config: {container_image: busybox}\n" });
    expect(lines(pruned)).toContain("executor (global)/team-global deleted");
    expect(await names("anywhere")).not.toContain("team-global");
    // Built-ins are never pruned, whatever a sync holds.
    expect(await names("anywhere")).toEqual(expect.arrayContaining(BUILTIN_NAMES));
  });
});

describe("tstrctl executor", () => {
  async function ctl(...args: string[]) {
    const io = { out: "", err: "" };
    const cliIo: CliIo = {
      stdout: (s) => {
        io.out += s;
      },
      stderr: (s) => {
        io.err += s;
      },
      env: { TSTR_ADDR: plane.url, TSTR_TOKEN: admin, TSTR_NAMESPACE: "ns-a" },
      cwd: process.cwd(),
      homeDir: "/nonexistent-tstr-home",
    };
    const code = await runCli(args, cliIo);
    return { code, ...io };
  }

  it("lists, shows and deletes executors of a real server", async () => {
    const list = await ctl("executor", "list");
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(/^NAME +SCOPE +IMAGE +FILE TYPES +PARSERS +BUILTIN\n/);
    expect(list.out).toMatch(/\nk6 +global +grafana\/k6 +\.js,\.json,\.csv,\.txt +k6_summary,k6_ndjson +yes\n/);
    expect(list.out).toMatch(/\nonly-a +namespace +grafana\/k6:0\.50\.0 +\.js +k6_summary +no\n/);
    expect(list.out).not.toMatch(/only-b/);
    const get = await ctl("executor", "get", "newman", "-o", "json");
    expect(JSON.parse(get.out).executor).toMatchObject({
      name: "newman",
      builtin: true,
      junitPath: "junit/newman.xml",
    });
    expect(await ctl("executor", "delete", "only-a")).toEqual({ code: 0, out: "executor only-a deleted\n", err: "" });
    expect(await ctl("executor", "delete", "k6")).toMatchObject({
      code: 1,
      err: "tstrctl: executor k6 is built in and cannot be deleted\n",
    });
  });
});
