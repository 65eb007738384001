import { Code, ConnectError } from "@connectrpc/connect";
import { type LogChunk, LogStream } from "@tstr/proto";
import { describe, expect, it } from "vitest";
import { systemClock } from "./clock.js";
import { createLogStreamer, type LogStreamerOptions } from "./log-streamer.js";
import { silentRunnerLogger } from "./logger.js";
import { StaleAttemptError } from "./rpc-errors.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (chunk: LogChunk) => new TextDecoder().decode(chunk.data);

/** A streamer whose AppendLogs is an in-process recorder (the wire is covered by the agent tests). */
function streamer(overrides: Partial<LogStreamerOptions> & { answer?: (chunks: LogChunk[]) => Promise<unknown> } = {}) {
  const sent: LogChunk[][] = [];
  let stale: StaleAttemptError | undefined;
  const log = createLogStreamer({
    runId: "r",
    attempt: 2,
    clock: systemClock,
    flushMs: 10_000,
    chunkBytes: 8,
    signal: new AbortController().signal,
    logger: silentRunnerLogger,
    onStale: (error) => {
      stale = error;
    },
    append: async (chunks) => {
      sent.push(chunks);
      await overrides.answer?.(chunks);
      return { truncated: false };
    },
    ...overrides,
  });
  return { log, sent, stale: () => stale };
}

describe("log streamer", () => {
  it("cuts chunks at chunkBytes, never mixes streams, and numbers them 1, 2, 3…", async () => {
    const { log, sent } = streamer();
    const now = new Date();
    await log.write("stdout", bytes("0123456789abc"), now);
    await log.write("stderr", bytes("err"), now);
    await log.write("stdout", bytes("xy"), now);
    await log.system("tstr: done");
    expect(await log.close()).toBe(6n);
    const chunks = sent.flat();
    expect(chunks.map((c) => [c.seq, c.stream, text(c)])).toEqual([
      [1n, LogStream.STDOUT, "01234567"],
      [2n, LogStream.STDOUT, "89abc"],
      [3n, LogStream.STDERR, "err"],
      [4n, LogStream.STDOUT, "xy"],
      [5n, LogStream.SYSTEM, "tstr: do"],
      [6n, LogStream.SYSTEM, "ne\n"],
    ]);
    expect(chunks.every((c) => c.runId === "r" && c.attempt === 2)).toBe(true);
  });

  it("sends a partial chunk once flushMs has passed", async () => {
    const { log, sent } = streamer({ flushMs: 30, chunkBytes: 1024 });
    await log.write("stdout", bytes("a"), new Date());
    await log.write("stdout", bytes("b"), new Date());
    expect(sent).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(sent.flat().map(text)).toEqual(["ab"]);
    await log.close();
  });

  it("pauses writers while too much is unacknowledged, instead of dropping output", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { log, sent } = streamer({ maxQueuedBytes: 16, answer: () => gate });
    const now = new Date();
    await log.write("stdout", bytes("a".repeat(16)), now);
    let written = false;
    const blocked = log.write("stdout", bytes("b".repeat(8)), now).then(() => {
      written = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(written).toBe(false);
    release();
    await blocked;
    expect(written).toBe(true);
    await log.close();
    expect(sent.flat().map(text).join("")).toBe(`${"a".repeat(16)}${"b".repeat(8)}`);
  });

  it("retries a transient failure with the same chunks", async () => {
    let failures = 2;
    const { log, sent } = streamer({
      answer: async () => {
        if (failures-- > 0) throw new ConnectError("flaky", Code.Unavailable);
      },
    });
    await log.write("stdout", bytes("hello"), new Date());
    expect(await log.close()).toBe(1n);
    expect(sent.map((chunks) => chunks.map((c) => [c.seq, text(c)]))).toEqual([
      [[1n, "hello"]],
      [[1n, "hello"]],
      [[1n, "hello"]],
    ]);
  });

  it("stops for good when the attempt is stale", async () => {
    const { log, stale } = streamer({
      answer: async () => {
        throw new ConnectError("attempt 2 is stale", Code.FailedPrecondition);
      },
    });
    await log.write("stdout", bytes("12345678"), new Date());
    await expect(log.close()).rejects.toBeInstanceOf(StaleAttemptError);
    expect(stale()?.runId).toBe("r");
    await log.write("stdout", bytes("ignored"), new Date());
  });

  it("releases blocked writers and gives up when abandoned", async () => {
    const abandon = new AbortController();
    const { log } = streamer({ signal: abandon.signal, maxQueuedBytes: 8, answer: () => new Promise(() => {}) });
    await log.write("stdout", bytes("12345678"), new Date());
    const blocked = log.write("stdout", bytes("more"), new Date());
    abandon.abort();
    await blocked;
    await expect(log.close()).rejects.toThrow(/abandoned/);
  });

  it("stops sending output once the server says the log is truncated", async () => {
    const sent: LogChunk[][] = [];
    const log = createLogStreamer({
      runId: "r",
      attempt: 1,
      clock: systemClock,
      flushMs: 10_000,
      chunkBytes: 4,
      signal: new AbortController().signal,
      logger: silentRunnerLogger,
      onStale: () => {},
      append: async (chunks) => {
        sent.push(chunks);
        return { truncated: true };
      },
    });
    await log.write("stdout", bytes("abcd"), new Date());
    await new Promise((resolve) => setTimeout(resolve, 20));
    await log.write("stdout", bytes("efgh"), new Date());
    expect(await log.close()).toBe(1n);
    expect(sent.flat().map(text)).toEqual(["abcd"]);
  });
});
