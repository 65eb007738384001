import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { ControlService, type Executor, Executor_ResultParser, ExecutorSchema } from "@tstr/proto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../run-cli.js";
import { captureIo } from "../test-support/capture-io.js";
import { type FakeApiServer, startFakeApiServer } from "../test-support/fake-api-server.js";

// `tstrctl executor list|get|delete` against a fake API server over a real socket. The fake keeps
// executors by scope like the real one: a namespace sees its own and the global ones.

let server: FakeApiServer;
const stored: Executor[] = [];
const K6 = create(ExecutorSchema, {
  name: "k6",
  image: "grafana/k6",
  command: ["k6", "run"],
  acceptedFileTypes: [".js"],
  resultParsers: [Executor_ResultParser.K6_SUMMARY, Executor_ResultParser.K6_NDJSON],
  builtin: true,
  updatedAt: timestampFromDate(new Date("2026-01-02T03:04:05Z")),
});
const GENERIC = create(ExecutorSchema, { name: "generic", builtin: true });
const MINE = create(ExecutorSchema, {
  id: "e-1",
  namespace: "dev",
  name: "my-newman",
  description: "newman with our reporters",
  image: "registry.example.com/newman:6",
  command: ["newman", "run"],
  args: ["--reporters", "cli,junit"],
  acceptedFileTypes: [".json", ".postman_collection"],
  env: { NODE_OPTIONS: "--max-old-space-size=512", A: "1" },
  resultParsers: [Executor_ResultParser.JUNIT],
  junitPath: "junit/newman.xml",
});

const visible = (namespace: string) => stored.filter((e) => e.namespace === "" || e.namespace === namespace);

beforeAll(async () => {
  server = await startFakeApiServer((router) =>
    router.service(ControlService, {
      listExecutors: ({ namespace }) => ({ executors: visible(namespace) }),
      getExecutor: ({ name, namespace }) => {
        const executor = visible(namespace).find((e) => e.name === name);
        if (!executor)
          throw new ConnectError(`executor "${name}" not found in namespace "${namespace}"`, Code.NotFound);
        return { executor };
      },
      deleteExecutor: ({ name, namespace }) => {
        const executor = visible(namespace).find((e) => e.name === name);
        if (executor?.builtin)
          throw new ConnectError(`executor ${name} is built in and cannot be deleted`, Code.InvalidArgument);
        if (!executor) throw new ConnectError(`executor "${name}" not found`, Code.NotFound);
        stored.splice(stored.indexOf(executor), 1);
        return {};
      },
    }),
  );
});
beforeEach(() => {
  stored.splice(0, stored.length, K6, GENERIC, MINE);
});
afterAll(() => server.close());

async function cli(...args: string[]) {
  const io = captureIo({ env: { TSTR_ADDR: server.addr, TSTR_TOKEN: "t", TSTR_NAMESPACE: "dev" } });
  const code = await runCli(args, io);
  return { code, out: io.out, err: io.err };
}

describe("tstrctl executor list", () => {
  it("prints the namespace's and the global executors with scope, file types, parsers and builtin", async () => {
    const result = await cli("executor", "list");
    expect(result).toEqual({
      code: 0,
      out: [
        "NAME        SCOPE       IMAGE                           FILE TYPES                  PARSERS                BUILTIN",
        "k6          global      grafana/k6                      .js                         k6_summary,k6_ndjson   yes",
        "generic     global      -                               any                         -                      yes",
        "my-newman   namespace   registry.example.com/newman:6   .json,.postman_collection   junit                  no",
        "",
      ].join("\n"),
      err: "",
    });
    expect(server.calls.at(-1)).toMatchObject({ method: "ListExecutors", message: { namespace: "dev" } });
  });

  it("lists another namespace with -n, and says so when there is nothing", async () => {
    stored.splice(0, stored.length, MINE);
    expect(await cli("executor", "list", "-n", "ops")).toEqual({
      code: 0,
      out: "",
      err: 'no executors found in namespace "ops"\n',
    });
  });

  it("prints ListExecutorsResponse as JSON", async () => {
    const json = JSON.parse((await cli("executor", "list", "-o", "json")).out);
    expect(json.executors.map((e: { name: string }) => e.name)).toEqual(["k6", "generic", "my-newman"]);
    expect(json.executors[0]).toMatchObject({
      builtin: true,
      resultParsers: ["RESULT_PARSER_K6_SUMMARY", "RESULT_PARSER_K6_NDJSON"],
    });
  });
});

describe("tstrctl executor get", () => {
  it("shows one executor", async () => {
    const result = await cli("executor", "get", "my-newman");
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        "Name:            my-newman",
        "Scope:           namespace dev",
        "Built in:        no",
        "ID:              e-1",
        "Description:     newman with our reporters",
        "Image:           registry.example.com/newman:6",
        "Command:         newman run",
        "Args:            --reporters cli,junit",
        "File types:      .json, .postman_collection",
        "Env:             A=1,NODE_OPTIONS=--max-old-space-size=512",
        "Result parsers:  junit",
        "JUnit path:      junit/newman.xml",
        "",
      ].join("\n"),
    );
    expect(server.calls.at(-1)).toMatchObject({
      method: "GetExecutor",
      message: { name: "my-newman", namespace: "dev" },
    });
  });

  it("says what a global executor without an image or command means", async () => {
    const out = (await cli("executor", "get", "generic")).out;
    expect(out).toContain("Scope:           global (every namespace)\n");
    expect(out).toContain("Image:           none (each test supplies its own)\n");
    expect(out).toContain("Command:         the image's\n");
    expect(JSON.parse((await cli("executor", "get", "k6", "-o", "json")).out).executor.name).toBe("k6");
  });

  it("passes on the server's not found, and wants exactly one name", async () => {
    expect(await cli("executor", "get", "nope")).toMatchObject({
      code: 1,
      err: 'tstrctl: executor "nope" not found in namespace "dev"\n',
    });
    expect((await cli("executor", "get")).code).toBe(2);
  });
});

describe("tstrctl executor delete", () => {
  it("deletes by name in the namespace", async () => {
    expect(await cli("executor", "delete", "my-newman")).toEqual({
      code: 0,
      out: "executor my-newman deleted\n",
      err: "",
    });
    expect(server.calls.at(-1)).toMatchObject({
      method: "DeleteExecutor",
      message: { name: "my-newman", namespace: "dev" },
    });
    expect(stored.map((e) => e.name)).toEqual(["k6", "generic"]);
  });

  it("passes on the server's refusal for a built-in", async () => {
    expect(await cli("executor", "delete", "k6")).toEqual({
      code: 1,
      out: "",
      err: "tstrctl: executor k6 is built in and cannot be deleted\n",
    });
    expect(stored.map((e) => e.name)).toContain("k6");
  });
});

describe("tstrctl help", () => {
  it("lists the executor commands under their group", async () => {
    const help = await cli("executor", "--help");
    expect(help.out).toMatch(/\n {2}list +List the executors/);
    expect(help.out).toMatch(/\n {2}get +Show an executor/);
    expect(help.out).toMatch(/\n {2}delete +Delete an executor/);
    expect((await cli("--help")).out).toMatch(/executor +List, inspect and delete executor presets/);
  });
});
