import { create } from "@bufbuild/protobuf";
import { LogChunkSchema, LogStream, Run_Result, RunStatus, type TailLogsRequest } from "@tstr/proto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../run-cli.js";
import { captureIo } from "../test-support/capture-io.js";
import { type FakeApiServer, startFakeApiServer } from "../test-support/fake-api-server.js";
import { createFakeRunsApi, type FakeRunInit } from "../test-support/fake-runs-api.js";

const fake = createFakeRunsApi();
let server: FakeApiServer;
let next = 0;

beforeAll(async () => {
  server = await startFakeApiServer((router) => fake.routes(router));
  fake.attach(server);
});

afterAll(() => server.close());

beforeEach(() => {
  fake.tailFaults.length = 0;
});

function addRun(init: Omit<FakeRunInit, "run"> & { status?: RunStatus; attempt?: number }) {
  const id = `00000000-0000-4000-9000-${String(++next).padStart(12, "0")}`;
  return fake.addRun({ run: { id, status: init.status ?? RunStatus.RUNNING, attempt: init.attempt ?? 1 }, ...init });
}

async function cli(args: string[], overrides: Parameters<typeof captureIo>[0] = {}) {
  const io = captureIo({ env: { TSTR_ADDR: server.addr }, ...overrides });
  const code = await runCli(args, io);
  return { code, out: io.out, err: io.err };
}

const lastTail = () => server.calls.filter((c) => c.method === "TailLogs").at(-1)?.message as TailLogsRequest;

describe("tstrctl logs", () => {
  const log = [
    [LogStream.STDOUT, "out 1\n"],
    [LogStream.STDERR, "err 1\n"],
    [LogStream.SYSTEM, "tstr: exit code 0, result PASS\n"],
  ] as const;

  it("prints a finished run's stored output, stdout and stderr apart", async () => {
    const { run } = addRun({ log, status: RunStatus.FINISHED });
    expect(await cli(["logs", run.id])).toEqual({
      code: 0,
      out: "out 1\n",
      err: "err 1\ntstr: exit code 0, result PASS\n",
    });
    expect(lastTail()).toMatchObject({ runId: run.id, follow: false, attempt: 0, afterSeq: 0n });
  });

  it("without -f prints what is stored of a running run and exits", async () => {
    const { run } = addRun({ log: [[LogStream.STDOUT, "so far\n"]] });
    expect(await cli(["logs", run.id])).toEqual({ code: 0, out: "so far\n", err: "" });
  });

  it("-f follows live output until the run finishes", async () => {
    const fakeRun = addRun({ log: [[LogStream.STDOUT, "first\n"]] });
    const pending = cli(["logs", "-f", fakeRun.run.id]);
    await new Promise((r) => setTimeout(r, 150));
    fakeRun.chunks.push(
      create(LogChunkSchema, {
        attempt: 1,
        seq: 2n,
        stream: LogStream.STDOUT,
        data: new TextEncoder().encode("second\n"),
      }),
    );
    fakeRun.final = { result: Run_Result.PASS };
    expect(await pending).toEqual({ code: 0, out: "first\nsecond\n", err: "" });
    expect(lastTail()).toMatchObject({ follow: true });
  });

  it("-f resumes a dropped stream where it left off", async () => {
    const lines = Array.from({ length: 6 }, (_, i) => [LogStream.STDOUT, `${i + 1}\n`] as const);
    const { run } = addRun({ log: lines, final: { result: Run_Result.FAIL } });
    fake.tailFaults.push({ kind: "drop", afterMessages: 2 });
    const result = await cli(["logs", run.id, "-f"]);
    expect(result.code).toBe(0);
    expect(result.out).toBe("1\n2\n3\n4\n5\n6\n");
    expect(result.err).toMatch(/^tstrctl: log stream lost \(.+\); resuming in \d+\.\ds\n$/);
    expect(lastTail()).toMatchObject({ attempt: 1, afterSeq: 4n });
  });

  it("-f gives up at once on an error that a retry would not fix", async () => {
    const { run } = addRun({
      log: [
        [LogStream.STDOUT, "1\n"],
        [LogStream.STDOUT, "2\n"],
        [LogStream.STDOUT, "3\n"],
      ],
    });
    fake.tailFaults.push({ kind: "denied", afterMessages: 1 });
    expect(await cli(["logs", run.id, "-f"])).toEqual({
      code: 1,
      out: "1\n2\n",
      err: 'tstrctl: scope "data:read" required\n',
    });
  });

  it("--attempt N prints only that attempt", async () => {
    const { run } = addRun({
      status: RunStatus.FINISHED,
      attempt: 3,
      log: [
        [LogStream.STDOUT, "a1\n", 1],
        [LogStream.STDOUT, "a2 first\n", 2],
        [LogStream.STDERR, "a2 second\n", 2],
        [LogStream.STDOUT, "a3\n", 3],
      ],
    });
    expect(await cli(["logs", run.id, "--attempt", "2"])).toEqual({ code: 0, out: "a2 first\n", err: "a2 second\n" });
    expect(lastTail()).toMatchObject({ attempt: 2, afterSeq: 0n });
  });

  it("refuses an attempt a finished run never had", async () => {
    const { run } = addRun({ status: RunStatus.FINISHED, attempt: 2 });
    expect(await cli(["logs", run.id, "--attempt", "5"])).toEqual({
      code: 1,
      out: "",
      err: `tstrctl: run ${run.id} has no attempt 5 (it ran 2)\n`,
    });
  });

  it("passes on NotFound", async () => {
    const result = await cli(["logs", "nope"]);
    expect(result).toEqual({ code: 1, out: "", err: 'tstrctl: run "nope" not found in namespace "default"\n' });
  });

  it("Ctrl-C ends -f quietly with 130", async () => {
    const { run } = addRun({ log: [[LogStream.STDOUT, "partial"]] });
    let interrupt: (() => void) | undefined;
    const pending = cli(["logs", run.id, "-f"], {
      onInterrupt: (listener) => {
        interrupt = listener;
        return () => {};
      },
    });
    await new Promise((r) => setTimeout(r, 150));
    interrupt?.();
    expect(await pending).toEqual({ code: 130, out: "partial", err: "\n" });
  });

  it.each([["0"], ["-1"], ["two"]])("--attempt %s is a usage error", async (value) => {
    const result = await cli(["logs", "r", `--attempt=${value}`]);
    expect(result.code).toBe(2);
    expect(result.err.split("\n")[0]).toBe(`tstrctl: --attempt ${JSON.stringify(value)}: expected a number from 1`);
  });
});

describe("tstrctl logs output bytes", () => {
  const e9 = new Uint8Array([0xc3, 0xa9]);

  it("go out unchanged when the terminal takes bytes, even if not UTF-8", async () => {
    const { run } = addRun({
      status: RunStatus.FINISHED,
      log: [
        [LogStream.STDOUT, new Uint8Array([0x63, 0x61, 0x66, 0xc3])],
        [LogStream.STDOUT, new Uint8Array([0xa9, 0x0a, 0xff])],
        [LogStream.STDERR, new Uint8Array([0xfe, 0x0a])],
      ],
    });
    const out: number[] = [];
    const err: number[] = [];
    const result = await cli(["logs", run.id], {
      stdoutBytes: (bytes) => out.push(...bytes),
      stderrBytes: (bytes) => err.push(...bytes),
    });
    expect(result).toMatchObject({ code: 0, out: "", err: "" });
    expect(out).toEqual([0x63, 0x61, 0x66, 0xc3, 0xa9, 0x0a, 0xff]);
    expect(err).toEqual([0xfe, 0x0a]);
  });

  it("are decoded as UTF-8 across chunk boundaries otherwise", async () => {
    const { run } = addRun({
      status: RunStatus.FINISHED,
      log: [
        [LogStream.STDOUT, new Uint8Array([0x63, 0x61, 0x66, e9[0] ?? 0])],
        [LogStream.STDERR, "between\n"],
        [LogStream.STDOUT, new Uint8Array([e9[1] ?? 0, 0x0a])],
      ],
    });
    expect(await cli(["logs", run.id])).toEqual({ code: 0, out: "café\n", err: "between\n" });
  });
});
