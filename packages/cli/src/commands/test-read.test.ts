import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  ConcurrencyPolicy,
  ControlService,
  DataService,
  DeleteTestResponseSchema,
  GetTestResponseSchema,
  type QueryTestsRequest,
  QueryTestsResponseSchema,
  Run_Result,
  RunStatus,
  TestSchema,
} from "@tstr/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../run-cli.js";
import { captureIo } from "../test-support/capture-io.js";
import { type FakeApiServer, startFakeApiServer } from "../test-support/fake-api-server.js";

const ID = "0b6f6c8e-2a57-4f0e-9b1c-3d8f1a2b4c5d";
const at = (iso: string) => timestampFromDate(new Date(iso));

function test(name: string, namespace = "default") {
  return create(TestSchema, {
    id: ID,
    name,
    namespace,
    labels: { team: "web", tier: "smoke" },
    cronSchedule: "*/5 * * * *",
    timezone: "Europe/Paris",
    runConfig: { containerImage: "busybox:1.36", command: "sh", args: ["-c", "echo hi"], timeout: { seconds: 90n } },
    updatedAt: at("2025-01-02T03:04:05Z"),
  });
}

let server: FakeApiServer;
const queries: QueryTestsRequest[] = [];

beforeAll(async () => {
  server = await startFakeApiServer((router) => {
    router.service(DataService, {
      queryTests: (req) => {
        queries.push(req);
        const page = Number(req.pageToken || "0");
        const all = [test("alpha"), test("beta", "team-a"), test("gamma")];
        return create(QueryTestsResponseSchema, {
          tests: all.slice(page, page + 1),
          nextPageToken: page + 1 < all.length ? String(page + 1) : "",
        });
      },
      getTest: (req) => {
        if (req.name === "missing") throw new ConnectError('test "default/missing" not found', Code.NotFound);
        const found = test(req.name || "by-id", req.namespace);
        found.matrix = { $typeName: "tstr.common.v1.Test.Matrix", labels: {}, include: [], exclude: [] };
        found.matrix.labels.os = { $typeName: "tstr.common.v1.Test.Matrix.LabelValues", values: ["linux", "windows"] };
        found.concurrencyPolicy = ConcurrencyPolicy.FORBID;
        return create(GetTestResponseSchema, {
          test: found,
          nextFireTimes: [at("2025-01-02T03:05:00Z"), at("2025-01-02T03:10:00Z")],
          runSummaries: [
            {
              id: "run-1",
              status: RunStatus.FINISHED,
              result: Run_Result.PASS,
              scheduledAt: at("2025-01-02T03:00:00Z"),
            },
          ],
        });
      },
    });
    router.service(ControlService, { deleteTest: () => create(DeleteTestResponseSchema, {}) });
  });
});

afterAll(() => server.close());

async function cli(...args: string[]) {
  const io = captureIo({ env: { TSTR_ADDR: server.addr, TSTR_TOKEN: "t" } });
  const code = await runCli(args, io);
  return { code, out: io.out, err: io.err };
}

describe("tstrctl test list", () => {
  it("follows every page and prints an aligned table", async () => {
    const result = await cli("test", "list");
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        "NAMESPACE   NAME    LABELS                SCHEDULE                     IMAGE          UPDATED",
        "default     alpha   team=web,tier=smoke   */5 * * * * (Europe/Paris)   busybox:1.36   2025-01-02T03:04:05Z",
        "team-a      beta    team=web,tier=smoke   */5 * * * * (Europe/Paris)   busybox:1.36   2025-01-02T03:04:05Z",
        "default     gamma   team=web,tier=smoke   */5 * * * * (Europe/Paris)   busybox:1.36   2025-01-02T03:04:05Z",
        "",
      ].join("\n"),
    );
    expect(queries.slice(-3).map((q) => q.pageToken)).toEqual(["", "1", "2"]);
  });

  it("passes labels, selector and --all-namespaces; prints one QueryTestsResponse as JSON", async () => {
    const result = await cli(
      "test",
      "list",
      "-l",
      "team=web",
      "-l",
      "tier=smoke",
      "--selector",
      "os in (linux)",
      "-A",
      "-o",
      "json",
    );
    expect(queries.at(-1)).toMatchObject({
      labels: { team: "web", tier: "smoke" },
      selector: "os in (linux)",
      allNamespaces: true,
    });
    const parsed = JSON.parse(result.out);
    expect(parsed.tests.map((t: { name: string }) => t.name)).toEqual(["alpha", "beta", "gamma"]);
    expect(parsed.nextPageToken).toBeUndefined();
  });

  it("refuses a label without '='", async () => {
    const result = await cli("test", "list", "-l", "team");
    expect(result.code).toBe(2);
    expect(result.err.split("\n")[0]).toBe('tstrctl: -l "team": expected KEY=VALUE');
  });
});

describe("tstrctl test get", () => {
  it("shows the definition with next fire times and recent runs", async () => {
    const result = await cli("test", "get", "alpha", "-n", "team-a");
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        "Name:         alpha",
        "Namespace:    team-a",
        `ID:           ${ID}`,
        "Labels:       team=web,tier=smoke",
        "Image:        busybox:1.36",
        "Command:      sh -c 'echo hi'",
        "Timeout:      1m30s",
        "Schedule:     */5 * * * * (Europe/Paris)",
        "Next runs:    2025-01-02T03:05:00Z",
        "              2025-01-02T03:10:00Z",
        "Matrix:       os: linux, windows",
        "Concurrency:  forbid",
        "Updated:      2025-01-02T03:04:05Z",
        `Recent runs:  2025-01-02T03:00:00Z  PASS  run-1`,
        "",
      ].join("\n"),
    );
    expect(server.calls.at(-1)).toMatchObject({
      method: "GetTest",
      namespace: "team-a",
      message: { name: "alpha", id: "" },
    });
  });

  it("takes a UUID as an id, and prints GetTestResponse as YAML", async () => {
    const result = await cli("test", "get", ID, "-o", "yaml");
    expect(server.calls.at(-1)).toMatchObject({ message: { id: ID, name: "" } });
    expect(result.out).toContain("nextFireTimes:\n  - 2025-01-02T03:05:00Z\n");
  });

  it("passes on NotFound", async () => {
    expect(await cli("test", "get", "missing")).toEqual({
      code: 1,
      out: "",
      err: 'tstrctl: test "default/missing" not found\n',
    });
  });
});

describe("tstrctl test delete", () => {
  it("deletes by name or by id", async () => {
    expect((await cli("test", "delete", "alpha", "-n", "team-a")).out).toBe("test/team-a/alpha deleted\n");
    expect(server.calls.at(-1)).toMatchObject({
      method: "DeleteTest",
      message: { name: "alpha", id: "", namespace: "team-a" },
    });
    await cli("test", "delete", ID);
    expect(server.calls.at(-1)).toMatchObject({ message: { id: ID, name: "" } });
  });
});

describe("empty results", () => {
  it("say so on stderr instead of printing a bare header", async () => {
    const empty = await startFakeApiServer((router) =>
      router.service(DataService, { queryTests: () => create(QueryTestsResponseSchema, {}) }),
    );
    try {
      const io = captureIo({ env: { TSTR_ADDR: empty.addr } });
      expect(await runCli(["test", "list", "-n", "team-z"], io)).toBe(0);
      expect([io.out, io.err]).toEqual(["", 'no tests found in namespace "team-z"\n']);
    } finally {
      await empty.close();
    }
  });
});
