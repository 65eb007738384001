import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type CompleteExecutionRequest,
  ControlService,
  DataService,
  type QueryRunsRequest,
  type RegisterExecutionRequest,
  type Run,
  Run_Result,
  RunSchema,
  RunStatus,
} from "@tstr/proto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../run-cli.js";
import { captureIo } from "../test-support/capture-io.js";
import { type FakeApiServer, startFakeApiServer } from "../test-support/fake-api-server.js";

// `tstrctl exec register|complete|cancel|list` against a fake API server over a real socket: what
// goes over the wire and what is printed. The real server's behaviour is covered end to end in
// test/e2e/external-executions.test.ts.

const RUN_ID = "0b6f3c1e-1111-4111-8111-111111111111";
const at = (iso: string) => timestampFromDate(new Date(iso));
let server: FakeApiServer;
let refuseWith: ConnectError | undefined;
const listed: Run[] = [];

function execution(n: number, more: MessageInitShape<typeof RunSchema> = {}): Run {
  return create(RunSchema, {
    id: `00000000-0000-4000-a000-${String(n).padStart(12, "0")}`,
    namespace: "perf",
    testName: `test-${n}`,
    external: true,
    runNumber: BigInt(n),
    status: RunStatus.RUNNING,
    startedAt: at("2026-11-21T10:00:00Z"),
    ...more,
  });
}

beforeAll(async () => {
  server = await startFakeApiServer((router) => {
    router.service(ControlService, {
      registerExecution: (req) => {
        if (refuseWith) throw refuseWith;
        return { run: { id: RUN_ID, runNumber: 42n, testName: req.metadata?.test ?? "", external: true } };
      },
      completeExecution: (req) => ({
        run: { id: req.runId, runNumber: 42n, status: RunStatus.FINISHED, result: req.result },
      }),
      cancelExecution: (req) => {
        if (req.runId === "gone") throw new ConnectError(`run "gone" not found in namespace "perf"`, Code.NotFound);
        return { run: { id: req.runId, runNumber: 42n, status: RunStatus.FINISHED, result: Run_Result.CANCELLED } };
      },
    });
    router.service(DataService, {
      queryRuns: (req) => {
        const page = Number(req.pageToken || "0");
        const size = req.pageSize || 100;
        const runs = listed.slice(page, page + size);
        return { runs, nextPageToken: page + size < listed.length ? String(page + size) : "" };
      },
    });
  });
});
beforeEach(() => {
  refuseWith = undefined;
  listed.splice(0, listed.length);
});
afterAll(() => server.close());

async function cli(...args: string[]) {
  const io = captureIo({ env: { TSTR_ADDR: server.addr, TSTR_TOKEN: "t", TSTR_NAMESPACE: "perf" } });
  const code = await runCli(args, io);
  return { code, out: io.out, err: io.err };
}

const last = <T>(method: string) => server.calls.filter((c) => c.method === method).at(-1)?.message as T;

describe("tstrctl exec register", () => {
  it("sends every metadata field and prints the number and run id", async () => {
    const result = await cli(
      "exec",
      "register",
      "--test",
      "perf-nightly",
      "--repo",
      "acme/shop",
      "--stream",
      "release/2.4",
      "--type",
      "perf",
      "--env",
      "staging",
      "--triggered-by",
      "jenkins",
      "--dashboard-url",
      "https://grafana.example.com/d/1",
      "--location",
      "lab-1",
      "--factor",
      "0.5",
      "--timeout",
      "1h30m",
      "-l",
      "team=perf",
    );
    expect(result).toEqual({ code: 0, out: `registered #42 (run ${RUN_ID})\n`, err: "" });
    const request = last<RegisterExecutionRequest>("RegisterExecution");
    expect(request.labels).toEqual({ team: "perf" });
    expect(request.metadata).toMatchObject({
      test: "perf-nightly",
      repo: "acme/shop",
      stream: "release/2.4",
      type: "perf",
      environment: "staging",
      triggeredBy: "jenkins",
      dashboardUrl: "https://grafana.example.com/d/1",
      location: "lab-1",
      factor: 0.5,
      timeout: { seconds: 5400n, nanos: 0 },
    });
    expect(server.calls.at(-1)?.namespace).toBe("perf");
  });

  it("prints the response as JSON with -o json", async () => {
    const result = await cli("exec", "register", "--test", "t", "-o", "json");
    expect(JSON.parse(result.out).run).toMatchObject({ id: RUN_ID, runNumber: "42", external: true });
    expect(last<RegisterExecutionRequest>("RegisterExecution").metadata?.timeout).toBeUndefined();
  });

  it.each([
    [["--factor", "0.5"], "--test is required"],
    [["--test", "t", "--factor", "0.5"], "--factor needs --location"],
    [["--test", "t", "--location", "l", "--factor", "2"], '--factor "2": expected a number greater than 0'],
    [["--test", "t", "--location", "l", "--factor", "half"], '--factor "half"'],
    [["--test", "t", "--timeout", "soon"], '--timeout: invalid duration "soon"'],
    [["--test", "t", "--timeout", "0s"], "--timeout: must be longer than zero"],
    [["--test", "t", "-l", "novalue"], '-l "novalue": expected KEY=VALUE'],
  ])("refuses %j as a usage error", async (flags, message) => {
    const calls = server.calls.length;
    const result = await cli("exec", "register", ...flags);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`tstrctl: ${message}`);
    expect(result.err).toContain("Usage: tstrctl exec register");
    expect(server.calls.length).toBe(calls);
  });

  it("passes on a full location's refusal with a hint", async () => {
    refuseWith = new ConnectError(
      'location "lab-1" is full: 0.7 of 1 in use by #12 perf-nightly (0.7, external, since 10:02Z); this execution needs 0.4',
      Code.ResourceExhausted,
    );
    const result = await cli("exec", "register", "--test", "t", "--location", "lab-1", "--factor", "0.4");
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      'tstrctl: location "lab-1" is full: 0.7 of 1 in use by #12 perf-nightly (0.7, external, since 10:02Z); ' +
        "this execution needs 0.4\nhint: register again once one of them has completed, or without --factor if it needs no capacity\n",
    );
  });
});

describe("tstrctl exec complete and cancel", () => {
  it.each([
    ["success", Run_Result.PASS, "PASS"],
    ["failure", Run_Result.FAIL, "FAIL"],
    ["Cancelled", Run_Result.CANCELLED, "CANCELLED"],
  ])("completes with --result %s", async (word, result, printed) => {
    const out = await cli("exec", "complete", RUN_ID, "--result", word, "--data", "p95=120ms", "--data", "note=a=b");
    expect(out).toEqual({ code: 0, out: `execution #42 (run ${RUN_ID}) completed: ${printed}\n`, err: "" });
    expect(last<CompleteExecutionRequest>("CompleteExecution")).toMatchObject({
      runId: RUN_ID,
      result,
      resultData: { p95: "120ms", note: "a=b" },
    });
  });

  it.each([
    [[], "--result is required: success, failure, cancelled"],
    [["--result", "error"], '--result "error": use success, failure, cancelled'],
    [["--result", "success", "--data", "=x"], '--data "=x": expected KEY=VALUE'],
  ])("refuses %j as a usage error", async (flags, message) => {
    const result = await cli("exec", "complete", RUN_ID, ...flags);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`tstrctl: ${message}`);
  });

  it("cancels with a reason, and reports what the server refuses", async () => {
    expect(await cli("exec", "cancel", RUN_ID, "--reason", "job aborted")).toEqual({
      code: 0,
      out: `execution #42 (run ${RUN_ID}) cancelled\n`,
      err: "",
    });
    expect(server.calls.at(-1)?.message).toMatchObject({ runId: RUN_ID, reason: "job aborted" });
    expect(await cli("exec", "cancel", "gone")).toEqual({
      code: 1,
      out: "",
      err: 'tstrctl: run "gone" not found in namespace "perf"\n',
    });
  });
});

describe("tstrctl exec list", () => {
  it("prints executions as a table and asks only for external runs", async () => {
    listed.push(
      execution(2, { execution: { stream: "release/2.4", test: "test-2" }, location: "lab-1", resourcesFactor: 0.5 }),
      execution(1, {
        status: RunStatus.FINISHED,
        result: Run_Result.ERROR,
        resultReason: "EXECUTION_STALE",
        finishedAt: at("2026-11-21T11:00:00Z"),
      }),
    );
    const result = await cli("exec", "list", "--stream", "release/%", "--running");
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        "NUMBER   TEST     STREAM        LOCATION   FACTOR   STATUS                    STARTED                DURATION   ID",
        "#2       test-2   release/2.4   lab-1      0.5      RUNNING                   2026-11-21T10:00:00Z   -          00000000-0000-4000-a000-000000000002",
        "#1       test-1   -             -          -        ERROR (EXECUTION_STALE)   2026-11-21T10:00:00Z   1h         00000000-0000-4000-a000-000000000001",
        "",
      ].join("\n"),
    );
    expect(last<QueryRunsRequest>("QueryRuns")).toMatchObject({
      external: true,
      stream: "release/%",
      statuses: [RunStatus.RUNNING],
      pageSize: 50,
    });
  });

  it("filters by location across pages, up to --limit", async () => {
    for (let n = 1; n <= 2500; n++) listed.push(execution(n, { location: n % 1000 === 0 ? "lab-9" : "lab-1" }));
    const result = await cli("exec", "list", "--location", "lab-9", "--limit", "2", "-o", "json");
    expect(result.code, result.err).toBe(0);
    expect(JSON.parse(result.out).runs.map((r: { runNumber: string }) => r.runNumber)).toEqual(["1000", "2000"]);
  });

  it("says so when there is nothing", async () => {
    expect(await cli("exec", "list")).toEqual({
      code: 0,
      out: "",
      err: 'no external executions found in namespace "perf"\n',
    });
  });
});
