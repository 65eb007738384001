import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type QueryRunsRequest, Run_Result, RunStatus, RunTrigger, TestCase_Status } from "@tstr/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../run-cli.js";
import { captureIo } from "../test-support/capture-io.js";
import { type FakeApiServer, startFakeApiServer } from "../test-support/fake-api-server.js";
import { createFakeRunsApi, fakeRunner, fakeTest } from "../test-support/fake-runs-api.js";

const TEST_ID = "11111111-1111-4111-8111-111111111111";
const RUNNER_ID = "22222222-2222-4222-8222-222222222222";
const at = (iso: string) => timestampFromDate(new Date(iso));
const id = (n: number) => `00000000-0000-4000-a000-${String(n).padStart(12, "0")}`;

const fake = createFakeRunsApi();
let server: FakeApiServer;

beforeAll(async () => {
  server = await startFakeApiServer((router) => fake.routes(router));
  fake.tests.push(fakeTest(TEST_ID, "hello"));
  fake.runners.push(fakeRunner({ id: RUNNER_ID, name: "runner-a" }));
  fake.addRun({
    run: {
      id: id(1),
      testId: TEST_ID,
      testName: "hello",
      namespace: "default",
      status: RunStatus.FINISHED,
      result: Run_Result.FAIL,
      resultReason: "EXIT_CODE_2",
      exitCode: 2,
      attempt: 2,
      maxAttempts: 3,
      runnerId: RUNNER_ID,
      labels: { os: "linux", app: "web" },
      trigger: RunTrigger.MANUAL,
      runNumber: 7n,
      testRunConfig: { containerImage: "busybox:1.36", command: "sh", args: ["-c", "exit 2"] },
      scheduledAt: at("2025-01-01T00:00:00Z"),
      startedAt: at("2025-01-01T00:00:01Z"),
      finishedAt: at("2025-01-01T00:01:06Z"),
      resultData: { score: "7", build: "abc" },
      attempts: [
        {
          attempt: 1,
          runnerId: "33333333-3333-4333-8333-333333333333",
          startedAt: at("2025-01-01T00:00:00Z"),
          finishedAt: at("2025-01-01T00:00:00.500Z"),
          result: Run_Result.ERROR,
          reason: "RUNNER_LOST",
        },
        {
          attempt: 2,
          runnerId: RUNNER_ID,
          startedAt: at("2025-01-01T00:00:01Z"),
          finishedAt: at("2025-01-01T00:01:06Z"),
          result: Run_Result.FAIL,
          reason: "EXIT_CODE_2",
        },
      ],
    },
    testCases: [
      {
        suite: "web",
        className: "web.login",
        name: "logs in",
        status: TestCase_Status.PASSED,
        duration: { seconds: 1n, nanos: 0 },
      },
      {
        suite: "web",
        className: "web.cart",
        name: "adds an item",
        status: TestCase_Status.FAILED,
        message: "expected 2 items\nat cart.spec.ts:12",
      },
    ],
  });
  fake.addRun({ run: { id: id(2), testName: "other", status: RunStatus.RUNNING, attempt: 1, runnerId: RUNNER_ID } });
  fake.addRun({ run: { id: id(3), testId: TEST_ID, testName: "hello", status: RunStatus.QUEUED } });
});

afterAll(() => server.close());

async function cli(...args: string[]) {
  const io = captureIo({ env: { TSTR_ADDR: server.addr } });
  const code = await runCli(args, io);
  return { code, out: io.out, err: io.err };
}

const lastQuery = () => server.calls.filter((c) => c.method === "QueryRuns").at(-1)?.message as QueryRunsRequest;

describe("tstrctl run list", () => {
  it("prints a table with runner names", async () => {
    const result = await cli("run", "list");
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        "ID                                     TEST    STATUS     RESULT   ATTEMPT   RUNNER     SCHEDULED              DURATION   LABELS",
        `${id(1)}   hello   FINISHED   FAIL     2/3       runner-a   2025-01-01T00:00:00Z   1m5s       app=web,os=linux`,
        `${id(2)}   other   RUNNING    -        1         runner-a   -                      -          -`,
        `${id(3)}   hello   QUEUED     -        -         -          -                      -          -`,
        "",
      ].join("\n"),
    );
    expect(lastQuery()).toMatchObject({ pageSize: 50, testIds: [], statuses: [], results: [] });
  });

  it("resolves --test NAME to its id and passes status and result filters", async () => {
    const result = await cli(
      "run",
      "list",
      "--test",
      "hello",
      "--status",
      "finished,queued",
      "--result",
      "fail",
      "--result",
      "TIMED_OUT",
    );
    expect(
      result.out
        .split("\n")
        .slice(1, -1)
        .map((l) => l.slice(0, 36)),
    ).toEqual([id(1)]);
    expect(lastQuery()).toMatchObject({
      testIds: [TEST_ID],
      statuses: [RunStatus.FINISHED, RunStatus.QUEUED],
      results: [Run_Result.FAIL, Run_Result.TIMED_OUT],
    });
    expect(server.calls.find((c) => c.method === "GetTest")).toMatchObject({ message: { name: "hello" } });
  });

  it("follows pages up to --limit", async () => {
    const result = await cli("run", "list", "--limit", "2", "-o", "json");
    expect(JSON.parse(result.out).runs.map((r: { id: string }) => r.id)).toEqual([id(1), id(2)]);
    const pageSizes = server.calls.filter((c) => c.method === "QueryRuns").slice(-1);
    expect(pageSizes.map((c) => (c.message as QueryRunsRequest).pageSize)).toEqual([2]);
  });

  it("asks for the rest of --limit on each following page", async () => {
    const before = server.calls.length;
    fake.addRun({ run: { id: id(4), testName: "x" } });
    fake.addRun({ run: { id: id(5), testName: "x" } });
    fake.maxPageSize = 3;
    try {
      const result = await cli("run", "list", "--limit", "4");
      expect(
        result.out
          .trim()
          .split("\n")
          .slice(1)
          .map((l) => l.slice(0, 36)),
      ).toEqual([id(1), id(2), id(3), id(4)]);
      const queries = server.calls.slice(before).filter((c) => c.method === "QueryRuns");
      expect(
        queries.map((c) => [(c.message as QueryRunsRequest).pageSize, (c.message as QueryRunsRequest).pageToken]),
      ).toEqual([
        [4, ""],
        [1, "3"],
      ]);
    } finally {
      fake.maxPageSize = 1000;
      fake.runs.delete(id(4));
      fake.runs.delete(id(5));
    }
  });

  it("says so on stderr when nothing matches", async () => {
    expect(await cli("run", "list", "--result", "cancelled", "-n", "team-a")).toEqual({
      code: 0,
      out: "",
      err: 'no runs found in namespace "team-a"\n',
    });
  });

  it.each([
    [["--status", "done"], 'tstrctl: --status "done": use queued, assigned, running, cancelling, finished'],
    [["--result", "ok"], 'tstrctl: --result "ok": use pass, fail, error, cancelled, timed_out'],
    [["--limit", "0"], 'tstrctl: --limit "0": expected a positive number'],
    [["--limit", "ten"], 'tstrctl: --limit "ten": expected a positive number'],
  ])("%j is a usage error", async (flags, message) => {
    const result = await cli("run", "list", ...flags);
    expect(result.code).toBe(2);
    expect(result.err.split("\n")[0]).toBe(message);
  });

  it("passes on an unknown --test", async () => {
    expect(await cli("run", "list", "--test", "nope")).toMatchObject({
      code: 1,
      err: 'tstrctl: test "default/nope" not found\n',
    });
  });
});

describe("tstrctl run get", () => {
  it("shows status, verdict, attempts, timings and result data", async () => {
    const result = await cli("run", "get", id(1));
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        `ID:           ${id(1)}`,
        `Test:         hello (${TEST_ID})`,
        "Namespace:    default",
        "Number:       #7",
        "Status:       FINISHED",
        "Result:       FAIL (EXIT_CODE_2)",
        "Exit code:    2",
        "Attempt:      2 of 3",
        "Trigger:      manual",
        "Labels:       app=web,os=linux",
        `Runner:       runner-a (${RUNNER_ID})`,
        "Image:        busybox:1.36",
        "Command:      sh -c 'exit 2'",
        "Scheduled:    2025-01-01T00:00:00Z",
        "Started:      2025-01-01T00:00:01Z",
        "Finished:     2025-01-01T00:01:06Z",
        "Duration:     1m5s",
        "Attempts:     ATTEMPT   RUNNER                                 STARTED                DURATION   RESULT   REASON",
        "              1         33333333-3333-4333-8333-333333333333   2025-01-01T00:00:00Z   0.5s       ERROR    RUNNER_LOST",
        "              2         runner-a                               2025-01-01T00:00:01Z   1m5s       FAIL     EXIT_CODE_2",
        "Result data:  build=abc",
        "              score=7",
        "Test cases:   2 cases, 1 failed",
        "              STATUS   CASE           CLASS       TIME   MESSAGE",
        "              failed   adds an item   web.cart    -      expected 2 items",
        "              passed   logs in        web.login   1.0s   -",
        "",
      ].join("\n"),
    );
  });

  it("prints GetRunResponse as JSON or YAML", async () => {
    const json = JSON.parse((await cli("run", "get", id(1), "-o", "json")).out);
    expect(json.run).toMatchObject({ id: id(1), status: "RUN_STATUS_FINISHED", result: "FAIL", attempt: 2 });
    expect((await cli("run", "get", id(3), "-o", "yaml")).out).toContain("status: RUN_STATUS_QUEUED\n");
  });

  it("passes on NotFound", async () => {
    expect(await cli("run", "get", "r-404")).toEqual({
      code: 1,
      out: "",
      err: 'tstrctl: run "r-404" not found in namespace "default"\n',
    });
  });
});

describe("tstrctl run cancel", () => {
  it("says cancelling for an active run, cancelled for a queued one", async () => {
    expect(await cli("run", "cancel", id(2), "--reason", "wrong branch")).toEqual({
      code: 0,
      out: `run/${id(2)} cancelling\n`,
      err: "",
    });
    expect(server.calls.at(-1)).toMatchObject({
      method: "CancelRun",
      message: { runId: id(2), reason: "wrong branch" },
    });
    expect((await cli("run", "cancel", id(3))).out).toBe(`run/${id(3)} cancelled\n`);
  });

  it("says when the run had already finished", async () => {
    expect((await cli("run", "cancel", id(1))).out).toBe(`run/${id(1)} already finished (FAIL)\n`);
  });
});
