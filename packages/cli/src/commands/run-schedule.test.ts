import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { LogStream, Run_Result, type TailLogsRequest } from "@tstr/proto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../run-cli.js";
import { captureIo } from "../test-support/capture-io.js";
import { type FakeApiServer, startFakeApiServer } from "../test-support/fake-api-server.js";
import { createFakeRunsApi, type FakeRunInit } from "../test-support/fake-runs-api.js";

const TEST_ID = "0b6f6c8e-2a57-4f0e-9b1c-3d8f1a2b4c5d";
const at = (iso: string) => timestampFromDate(new Date(iso));
const ran = (seconds: number) => ({
  startedAt: at("2025-01-01T00:00:00Z"),
  finishedAt: timestampFromDate(new Date(Date.parse("2025-01-01T00:00:00Z") + seconds * 1000)),
});
const runId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

const fake = createFakeRunsApi();
let server: FakeApiServer;
let nextRun = 0;

beforeAll(async () => {
  server = await startFakeApiServer((router) => fake.routes(router));
  fake.attach(server);
});

afterAll(() => server.close());

beforeEach(() => {
  fake.tailFaults.length = 0;
  fake.batchSize = 2;
});

/** What the next ScheduleRun creates: runs of `hello` with these logs and endings; returns their ids. */
function plan(...runs: Omit<FakeRunInit, "run">[]) {
  const ids = runs.map(() => runId(++nextRun));
  fake.onSchedule = () => ({
    runs: runs.map((init, i) => ({
      run: { id: ids[i], testName: "hello", testId: TEST_ID, labels: { app: "web" } },
      ...init,
    })),
    ...(runs.length > 1 ? { matrixId: "m-1" } : {}),
  });
  return ids;
}

async function cli(args: string[], overrides: Parameters<typeof captureIo>[0] = {}) {
  const io = captureIo({ env: { TSTR_ADDR: server.addr, TSTR_TOKEN: "t" }, ...overrides });
  const code = await runCli(args, io);
  return { code, out: io.out, err: io.err };
}

const tailRequests = () => server.calls.filter((c) => c.method === "TailLogs").map((c) => c.message as TailLogsRequest);

describe("tstrctl run schedule", () => {
  it("queues a run by name with label overrides and prints one line per run", async () => {
    const [id] = plan({});
    const result = await cli(["run", "schedule", "hello", "-l", "env=staging", "-l", "tier=smoke"]);
    expect(result).toEqual({ code: 0, out: `run/${id} queued (app=web)\n`, err: "" });
    expect(server.calls.at(-1)).toMatchObject({
      method: "ScheduleRun",
      message: { testName: "hello", testId: "", labels: { env: "staging", tier: "smoke" } },
    });
  });

  it("takes a UUID as the test id and prints the matrix id for several runs", async () => {
    const ids = plan({}, {});
    const result = await cli(["run", "schedule", TEST_ID]);
    expect(server.calls.at(-1)).toMatchObject({ method: "ScheduleRun", message: { testId: TEST_ID, testName: "" } });
    expect(result.out).toBe(
      [`matrix/m-1: 2 runs`, `run/${ids[0]} queued (app=web)`, `run/${ids[1]} queued (app=web)`, ""].join("\n"),
    );
  });

  it("fails when the server schedules nothing, saying why", async () => {
    fake.onSchedule = () => ({ runs: [], skippedReason: "concurrency policy forbid: run r-9 is active" });
    expect(await cli(["run", "schedule", "hello"])).toEqual({
      code: 1,
      out: "",
      err: "tstrctl: no run was scheduled: concurrency policy forbid: run r-9 is active\n",
    });
  });

  it("passes on NotFound for an unknown test", async () => {
    fake.onSchedule = () => {
      throw new ConnectError('test "default/nope" not found', Code.NotFound);
    };
    expect(await cli(["run", "schedule", "nope"])).toMatchObject({
      code: 1,
      err: 'tstrctl: test "default/nope" not found\n',
    });
  });
});

describe("tstrctl run schedule --wait (one run)", () => {
  const log = [
    [LogStream.SYSTEM, "tstr: starting busybox with the docker executor\n"],
    [LogStream.STDOUT, "line 1\n"],
    [LogStream.STDERR, "warning: slow\n"],
    [LogStream.STDOUT, "line 2\n"],
    [LogStream.STDOUT, "no newline"],
    [LogStream.SYSTEM, "tstr: exit code 0, result PASS\n"],
  ] as const;

  it("streams stdout to stdout and stderr plus tstr's notes to stderr, then exits 0 on PASS", async () => {
    const [id] = plan({ log, final: { result: Run_Result.PASS, ...ran(3.2) } });
    const result = await cli(["run", "schedule", "hello", "--wait"]);
    expect(result.out).toBe("line 1\nline 2\nno newline");
    expect(result.err).toBe(
      [
        `run/${id} queued (app=web)`,
        "tstr: starting busybox with the docker executor",
        "warning: slow",
        "",
        "tstr: exit code 0, result PASS",
        `run ${id}: PASS in 3.2s`,
        "",
      ].join("\n"),
    );
    expect(result.code).toBe(0);
    expect(tailRequests().at(-1)).toMatchObject({ runId: id, follow: true, attempt: 0, afterSeq: 0n });
  });

  it("exits 1 on FAIL and names the reason", async () => {
    const [id] = plan({
      log: [[LogStream.STDERR, "boom\n"]],
      final: { result: Run_Result.FAIL, resultReason: "EXIT_CODE_1", exitCode: 1, ...ran(1) },
    });
    const result = await cli(["run", "schedule", "hello", "-w"]);
    expect(result).toEqual({
      code: 1,
      out: "",
      err: `run/${id} queued (app=web)\nboom\nrun ${id}: FAIL (EXIT_CODE_1) in 1.0s\n`,
    });
  });

  it.each([
    ["TIMED_OUT (DEADLINE)", Run_Result.TIMED_OUT, "DEADLINE"],
    ["ERROR (IMAGE_PULL)", Run_Result.ERROR, "IMAGE_PULL"],
    ["CANCELLED", Run_Result.CANCELLED, ""],
  ])("exits 1 on %s", async (shown, result, resultReason) => {
    const [id] = plan({ final: { result, resultReason } });
    const outcome = await cli(["run", "schedule", "hello", "--wait"]);
    expect(outcome.code).toBe(1);
    expect(outcome.err.split("\n").at(-2)).toBe(`run ${id}: ${shown}`);
  });

  describe("resumes a dropped log stream without repeating or losing output", () => {
    const numbered = Array.from(
      { length: 9 },
      (_, i) => [i % 3 === 2 ? LogStream.STDERR : LogStream.STDOUT, `line ${i + 1}\n`] as const,
    );
    const expectedOut = numbered
      .filter(([s]) => s === LogStream.STDOUT)
      .map(([, t]) => t)
      .join("");
    const expectedErr = numbered
      .filter(([s]) => s === LogStream.STDERR)
      .map(([, t]) => t)
      .join("");

    it("after cut connections and Unavailable, from the last (attempt, seq) seen", async () => {
      const [id] = plan({ log: numbered, final: { result: Run_Result.PASS, ...ran(2) } });
      fake.tailFaults.push({ kind: "drop", afterMessages: 1 }, { kind: "unavailable", afterMessages: 2 });
      const before = tailRequests().length;
      const result = await cli(["run", "schedule", "hello", "--wait"]);
      expect(result.code).toBe(0);
      expect(result.out).toBe(expectedOut);
      const notes = result.err.split("\n").filter((l) => l.startsWith("tstrctl: log stream lost"));
      expect(notes).toHaveLength(2);
      expect(
        result.err
          .split("\n")
          .filter((l) => !l.startsWith("tstrctl:"))
          .join("\n"),
      ).toBe(`run/${id} queued (app=web)\n${expectedErr}run ${id}: PASS in 2.0s\n`);
      expect(
        tailRequests()
          .slice(before)
          .map((r) => [r.attempt, r.afterSeq]),
      ).toEqual([
        [0, 0n],
        [1, 2n],
        [1, 6n],
      ]);
    });

    it("when the server replays chunks the client already has", async () => {
      plan({ log: numbered, final: { result: Run_Result.PASS } });
      fake.tailFaults.push({ kind: "unavailable", afterMessages: 3 }, { kind: "resend", afterMessages: 0 });
      const result = await cli(["run", "schedule", "hello", "--wait"]);
      expect(result.code).toBe(0);
      expect(result.out).toBe(expectedOut);
      expect(result.err.match(/line \d+/g)).toEqual(["line 3", "line 6", "line 9"]);
    });
  });

  it("marks each new attempt on stderr", async () => {
    const [id] = plan({
      log: [
        [LogStream.STDOUT, "try 1\n", 1],
        [LogStream.SYSTEM, "tstr: runner lost", 1],
        [LogStream.STDOUT, "try 2\n", 2],
      ],
      final: { result: Run_Result.PASS, attempt: 2 },
    });
    const result = await cli(["run", "schedule", "hello", "--wait"]);
    expect(result.out).toBe("try 1\ntry 2\n");
    expect(result.err).toBe(
      `run/${id} queued (app=web)\ntstr: runner lost\ntstr: --- attempt 2 ---\nrun ${id}: PASS\n`,
    );
  });

  it("--timeout stops waiting with exit 1 and leaves the run going", async () => {
    const [id] = plan({ log: [[LogStream.STDOUT, "working"]] });
    const started = Date.now();
    const result = await cli(["run", "schedule", "hello", "--wait", "--timeout", "300ms"]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.code).toBe(1);
    expect(result.out).toBe("working");
    expect(result.err).toBe(
      [
        `run/${id} queued (app=web)`,
        "",
        `tstrctl: stopped waiting after 300ms (--timeout); run ${id} keeps going`,
        `hint: follow it again with: tstrctl logs ${id} -f`,
        "",
      ].join("\n"),
    );
    expect(server.calls.some((c) => c.method === "CancelRun")).toBe(false);
  });

  it("Ctrl-C stops waiting (exit 130) without cancelling the run and says how to resume", async () => {
    const [id] = plan({ log: [[LogStream.STDOUT, "working\n"]] });
    let interrupt: (() => void) | undefined;
    let unsubscribed = false;
    const pending = cli(["run", "schedule", "hello", "--wait", "-n", "team-a"], {
      onInterrupt: (listener) => {
        interrupt = listener;
        return () => {
          unsubscribed = true;
        };
      },
    });
    while (!tailRequests().some((r) => r.runId === id)) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    interrupt?.();
    const result = await pending;
    expect(result.code).toBe(130);
    expect(result.out).toBe("working\n");
    expect(result.err).toContain(`tstrctl: stopped waiting; run ${id} keeps going\n`);
    expect(result.err).toContain(`hint: follow it again with: tstrctl -n team-a logs ${id} -f\n`);
    expect(unsubscribed).toBe(true);
    expect(server.calls.some((c) => c.method === "CancelRun")).toBe(false);
  });
});

describe("tstrctl run schedule --wait (matrix)", () => {
  function matrix(...outcomes: [Run_Result, string, number][]) {
    const ids = outcomes.map(() => runId(++nextRun));
    const oses = ["linux", "windows", "macos"];
    fake.onSchedule = () => ({
      matrixId: "m-2",
      runs: outcomes.map(([result, resultReason, finishOnPoll], i) => ({
        run: { id: ids[i], testName: "hello", testMatrixId: "m-2", labels: { app: "web", os: oses[i] ?? "?" } },
        final: { result, resultReason, attempt: 1, ...ran(i + 1) },
        finishOnPoll,
      })),
    });
    return ids;
  }

  it("does not stream logs, reports each run as it finishes, summarises and exits 1 unless all pass", async () => {
    const ids = matrix([Run_Result.PASS, "", 2], [Run_Result.FAIL, "EXIT_CODE_3", 1], [Run_Result.PASS, "", 3]);
    const result = await cli(["run", "schedule", "hello", "--wait"]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      [
        "matrix/m-2: 3 runs",
        `run/${ids[0]} queued (app=web,os=linux)`,
        `run/${ids[1]} queued (app=web,os=windows)`,
        `run/${ids[2]} queued (app=web,os=macos)`,
        `[1/3] run/${ids[1]} FAIL (EXIT_CODE_3) in 2.0s (os=windows)`,
        `[2/3] run/${ids[0]} PASS in 1.0s (os=linux)`,
        `[3/3] run/${ids[2]} PASS in 3.0s (os=macos)`,
        "matrix m-2: 2 of 3 runs passed",
        "",
      ].join("\n"),
    );
    expect(result.out).toBe(
      [
        "RUN                                    LABELS       RESULT   REASON        ATTEMPT   DURATION",
        `${ids[0]}   os=linux     PASS     -             1         1.0s`,
        `${ids[1]}   os=windows   FAIL     EXIT_CODE_3   1         2.0s`,
        `${ids[2]}   os=macos     PASS     -             1         3.0s`,
        "",
      ].join("\n"),
    );
    expect(
      server.calls.filter((c) => c.method === "TailLogs" && (c.message as TailLogsRequest).runId === ids[0]),
    ).toEqual([]);
    const polls = server.calls.filter((c) => c.method === "QueryRuns").slice(-3);
    expect(polls.map((c) => (c.message as { ids: string[] }).ids.length)).toEqual([3, 2, 1]);
  });

  it("exits 0 when every run passes", async () => {
    matrix([Run_Result.PASS, "", 1], [Run_Result.PASS, "", 1]);
    const result = await cli(["run", "schedule", "hello", "--wait"]);
    expect(result.code).toBe(0);
    expect(result.err).toContain("matrix m-2: 2 of 2 runs passed\n");
  });

  it("--timeout prints the summary so far and how to check on the rest", async () => {
    const ids = matrix([Run_Result.PASS, "", 1], [Run_Result.PASS, "", 1_000_000]);
    const result = await cli(["run", "schedule", "hello", "--wait", "--timeout", "0.4s"]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`${ids[1]}   os=windows   (QUEUED)`);
    expect(result.err).toContain("tstrctl: stopped waiting after 0.4s (--timeout); 1 of 2 runs keep going\n");
    expect(result.err).toContain("hint: check on them with: tstrctl run list --matrix m-2\n");
  });
});

describe("tstrctl run schedule usage errors", () => {
  it.each([
    [["run", "schedule"], "tstrctl: missing argument"],
    [["run", "schedule", "hello", "--timeout", "5m"], "tstrctl: --timeout needs --wait"],
    [["run", "schedule", "hello", "--wait", "--timeout", "soon"], 'tstrctl: --timeout: invalid duration "soon"'],
    [["run", "schedule", "hello", "--wait", "--timeout", "0s"], "tstrctl: --timeout: must be longer than zero"],
    [["run", "schedule", "hello", "-l", "env"], 'tstrctl: -l "env": expected KEY=VALUE'],
    [["run", "schedule", "hello", "--wait=yes"], "tstrctl: option '-w, --wait' does not take an argument"],
  ])("%j", async (args, message) => {
    const calls = server.calls.length;
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.err.split("\n")[0]).toBe(message);
    expect(result.err).toContain("Usage: tstrctl run schedule NAME|ID");
    expect(server.calls.length).toBe(calls);
  });
});
