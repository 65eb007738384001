import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, equals } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  ApplyExecutorResponseSchema,
  ApplySuiteResponseSchema,
  ApplyTestResponse_Outcome,
  ApplyTestResponseSchema,
  ControlService,
  type Executor,
  ExecutorSchema,
  type RegisterTestRequest,
  RegisterTestRequestSchema,
  type Suite,
  SuiteSchema,
} from "@tstr/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../run-cli.js";
import { captureIo } from "../test-support/capture-io.js";
import { type FakeApiServer, startFakeApiServer } from "../test-support/fake-api-server.js";

let server: FakeApiServer;
let cwd: string;
const tests = new Map<string, RegisterTestRequest>();
const suites = new Map<string, Suite>();
/** By "namespace/name"; a global executor has an empty namespace. */
const executors = new Map<string, Executor>([
  ["/k6", create(ExecutorSchema, { name: "k6", builtin: true })],
  ["/team-tool", create(ExecutorSchema, { name: "team-tool", image: "tool" })],
]);

/** created / updated / unchanged, as the real server decides it: by comparing with what is stored. */
function outcomeOf<T>(before: T | undefined, same: (a: T) => boolean): ApplyTestResponse_Outcome {
  if (!before) return ApplyTestResponse_Outcome.CREATED;
  return same(before) ? ApplyTestResponse_Outcome.UNCHANGED : ApplyTestResponse_Outcome.UPDATED;
}

beforeAll(async () => {
  server = await startFakeApiServer((router) =>
    router.service(ControlService, {
      applyTest: ({ test, dryRun }) => {
        if (!test) throw new ConnectError("test: required", Code.InvalidArgument);
        const key = `${test.namespace}/${test.name}`;
        const outcome = outcomeOf(tests.get(key), (b) => equals(RegisterTestRequestSchema, b, test));
        if (!dryRun) tests.set(key, test);
        return create(ApplyTestResponseSchema, { test: { name: test.name, namespace: test.namespace }, outcome });
      },
      applyExecutor: ({ executor, dryRun }) => {
        if (!executor) throw new ConnectError("executor: required", Code.InvalidArgument);
        if (!executor.image) throw new ConnectError("invalid request: image: is required", Code.InvalidArgument);
        if (executor.name === "k6") {
          throw new ConnectError("executor k6 is built in; apply one under another name", Code.InvalidArgument);
        }
        const key = `${executor.namespace}/${executor.name}`;
        const outcome = outcomeOf(executors.get(key), (b) => equals(ExecutorSchema, b, executor));
        if (!dryRun) executors.set(key, executor);
        return create(ApplyExecutorResponseSchema, { executor, outcome });
      },
      getExecutor: ({ name, namespace }) => {
        const executor = executors.get(`${namespace}/${name}`) ?? executors.get(`/${name}`);
        if (!executor) throw new ConnectError(`executor "${name}" not found`, Code.NotFound);
        return { executor };
      },
      applySuite: ({ suite, dryRun }) => {
        if (!suite) throw new ConnectError("suite: required", Code.InvalidArgument);
        if (suite.testSelector === "((") throw new ConnectError("test_selector: unexpected (", Code.InvalidArgument);
        const key = `${suite.namespace}/${suite.name}`;
        const outcome = outcomeOf(suites.get(key), (b) => equals(SuiteSchema, b, suite));
        if (!dryRun) suites.set(key, suite);
        return create(ApplySuiteResponseSchema, { suite: { name: suite.name, namespace: suite.namespace }, outcome });
      },
    }),
  );
  cwd = await mkdtemp(join(tmpdir(), "tstr-cli-apply-all-"));
  // The suite comes first in the file; tests must still be sent first.
  await writeFile(
    join(cwd, "team.yaml"),
    "kind: Suite\nname: smoke\ntests: [web, api]\n---\nname: web\n---\nname: api\nnamespace: team\n",
  );
  await writeFile(join(cwd, "bad.yaml"), "name: ok\n---\nkind: Suite\nname: s\nselectr: a=b\n---\nkind: Executor\n");
  await writeFile(join(cwd, "refused.yaml"), "kind: Suite\nname: broken\nselector: ((\n---\nname: fine\n");
  // Executors come last in the file; they must still be sent first.
  await writeFile(
    join(cwd, "executors.yaml"),
    "name: uses-it\nexecutor: my-k6\n---\nkind: Executor\nname: my-k6\nimage: grafana/k6\nfile_types: [.js]\n" +
      "---\nkind: Executor\nname: shared-k6\nglobal: true\nimage: grafana/k6\nparsers: [k6_summary]\n",
  );
});

afterAll(() => server.close());

async function apply(args: string[]) {
  const io = captureIo({ cwd, env: { TSTR_ADDR: server.addr, TSTR_TOKEN: "good", TSTR_NAMESPACE: "dev" } });
  const code = await runCli(["apply", ...args], io);
  return { code, out: io.out, err: io.err };
}

describe("tstrctl apply", () => {
  it("applies tests first, then suites, one line per definition", async () => {
    const callsBefore = server.calls.length;
    expect(await apply(["-f", "team.yaml"])).toEqual({
      code: 0,
      out: "test/dev/web created\ntest/team/api created\nsuite/dev/smoke created\n",
      err: "",
    });
    expect(server.calls.slice(callsBefore).map((c) => `${c.method} ${c.namespace}`)).toEqual([
      "ApplyTest dev",
      "ApplyTest team",
      "ApplySuite dev",
    ]);
    expect(suites.get("dev/smoke")?.testNames).toEqual(["web", "api"]);
  });

  it("reports unchanged definitions, and changes without writing them on --dry-run", async () => {
    expect((await apply(["-f", "team.yaml"])).out).toBe(
      "test/dev/web unchanged\ntest/team/api unchanged\nsuite/dev/smoke unchanged\n",
    );
    await writeFile(join(cwd, "changed.yaml"), "kind: Suite\nname: smoke\ntests: [web]\n");
    expect((await apply(["-f", "changed.yaml", "--dry-run"])).out).toBe("suite/dev/smoke updated (dry run)\n");
    expect(suites.get("dev/smoke")?.testNames).toEqual(["web", "api"]);
  });

  it("applies nothing when any document has a problem, and names file, document and field", async () => {
    const callsBefore = server.calls.length;
    const result = await apply(["-f", "team.yaml", "-f", "bad.yaml"]);
    expect(result.code).toBe(1);
    expect(result.out).toBe("");
    expect(result.err).toBe(
      [
        'tstrctl: bad.yaml (document 2): selectr: unknown field (did you mean "selector"?)',
        "tstrctl: bad.yaml (document 3): name: required",
        "tstrctl: 2 problems found; nothing was applied",
        "",
      ].join("\n"),
    );
    expect(server.calls.length).toBe(callsBefore);
  });

  it("keeps going after the server refuses one definition, then fails", async () => {
    const result = await apply(["-f", "refused.yaml"]);
    expect(result.code).toBe(1);
    expect(result.out).toBe("test/dev/fine created\n");
    expect(result.err).toBe(
      [
        "tstrctl: refused.yaml (document 1): suite/dev/broken: test_selector: unexpected (",
        "tstrctl: 1 definition of 2 could not be applied",
        "",
      ].join("\n"),
    );
  });

  it("prints the responses with their kind for -o json", async () => {
    const result = await apply(["-f", "team.yaml", "-o", "json"]);
    expect(JSON.parse(result.out)).toEqual([
      { kind: "Test", test: { name: "web", namespace: "dev" }, outcome: "OUTCOME_UNCHANGED" },
      { kind: "Test", test: { name: "api", namespace: "team" }, outcome: "OUTCOME_UNCHANGED" },
      { kind: "Suite", suite: { name: "smoke", namespace: "dev" }, outcome: "OUTCOME_UNCHANGED" },
    ]);
  });

  it("applies executors first, global ones with an empty namespace", async () => {
    const callsBefore = server.calls.length;
    expect(await apply(["-f", "executors.yaml"])).toEqual({
      code: 0,
      out: "executor/dev/my-k6 created\nexecutor/shared-k6 created\ntest/dev/uses-it created\n",
      err: "",
    });
    expect(server.calls.slice(callsBefore).map((c) => c.method)).toEqual([
      "ApplyExecutor",
      "ApplyExecutor",
      "ApplyTest",
    ]);
    expect(executors.get("dev/my-k6")?.acceptedFileTypes).toEqual([".js"]);
    expect(executors.get("/shared-k6")?.namespace).toBe("");
    expect((await apply(["-f", "executors.yaml"])).out).toBe(
      "executor/dev/my-k6 unchanged\nexecutor/shared-k6 unchanged\ntest/dev/uses-it unchanged\n",
    );
  });

  it("previews executors on --dry-run through the server's dry run, without applying", async () => {
    await writeFile(
      join(cwd, "executors-changed.yaml"),
      "kind: Executor\nname: my-k6\nimage: grafana/k6:1.0\n---\nkind: Executor\nname: brand-new\nimage: x\n" +
        "---\nkind: Executor\nname: shared-k6\nglobal: true\nimage: grafana/k6\nparsers: [k6_summary]\n" +
        "---\nkind: Executor\nname: k6\nimage: mine\n",
    );
    const callsBefore = server.calls.length;
    const result = await apply(["-f", "executors-changed.yaml", "--dry-run"]);
    expect(result.code).toBe(1);
    expect(result.out).toBe(
      [
        "executor/dev/my-k6 updated (dry run)",
        "executor/dev/brand-new created (dry run)",
        "executor/shared-k6 unchanged (dry run)",
        "",
      ].join("\n"),
    );
    expect(result.err).toBe(
      [
        "tstrctl: executors-changed.yaml (document 4): executor/dev/k6: executor k6 is built in; apply one under another name",
        "tstrctl: 1 definition of 4 could not be applied",
        "",
      ].join("\n"),
    );
    expect(server.calls.slice(callsBefore).every((c) => c.method === "ApplyExecutor")).toBe(true);
    expect(executors.get("dev/my-k6")?.image).toBe("grafana/k6");
    expect(executors.has("dev/brand-new")).toBe(false);
  });

  it("reports a server refusal of an executor like any other definition", async () => {
    await writeFile(join(cwd, "executor-no-image.yaml"), "kind: Executor\nname: no-image\n");
    expect(await apply(["-f", "executor-no-image.yaml"])).toEqual({
      code: 1,
      out: "",
      err: [
        "tstrctl: executor-no-image.yaml (document 1): executor/dev/no-image: invalid request: image: is required",
        "tstrctl: 1 definition of 1 could not be applied",
        "",
      ].join("\n"),
    });
  });

  it("needs -f and at least one definition", async () => {
    expect((await apply([])).code).toBe(2);
    await writeFile(join(cwd, "empty.yaml"), "# nothing yet\n");
    const empty = await apply(["-f", "empty.yaml"]);
    expect(empty.code).toBe(1);
    expect(empty.err).toBe("tstrctl: no test, suite or executor documents found in empty.yaml\n");
  });
});
