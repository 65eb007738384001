import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ConnectError } from "@connectrpc/connect";
import { type LogChunk, LogChunkSchema, LogStream } from "@tstr/proto";
import { createBackoff } from "./backoff.js";
import type { Clock } from "./clock.js";
import type { RunnerLogger } from "./logger.js";
import { RetryAbortedError } from "./retry.js";
import { describeError, isStaleAttempt, isTransient, StaleAttemptError } from "./rpc-errors.js";

/** Which stream a piece of log belongs to; `system` is what tstr itself says about the run. */
export type LogStreamName = "stdout" | "stderr" | "system";

export interface LogStreamerOptions {
  runId: string;
  attempt: number;
  /** Stores chunks (AppendLogs); must be idempotent on (run, attempt, seq). */
  append(chunks: LogChunk[], signal: AbortSignal): Promise<{ truncated: boolean }>;
  clock: Clock;
  /** A partial chunk is sent at most this long after its first byte (250 ms). */
  flushMs: number;
  /** A chunk is sent as soon as it holds this many bytes (64 KiB). */
  chunkBytes: number;
  /** Unacknowledged bytes at which writers are paused (backpressure); default 64 chunks. */
  maxQueuedBytes?: number;
  /** Aborting abandons the log: queued chunks are dropped and writers released. */
  signal: AbortSignal;
  logger: RunnerLogger;
  /** Called once when the server says the attempt is no longer ours. */
  onStale(error: StaleAttemptError): void;
}

/** Turns a run's output into numbered chunks and delivers each one exactly once, in order. */
export interface LogStreamer {
  /** Buffers output; resolves once there is room, which pauses the producer while the server lags. */
  write(stream: LogStreamName, data: Uint8Array, time: Date): Promise<void>;
  /** Writes one line of tstr's own commentary (`tstr: timed out after 30s, sending SIGTERM`). */
  system(line: string): Promise<void>;
  /**
   * Sends what is buffered and resolves with the highest seq once every chunk has been
   * acknowledged (0 when there was no output). Rejects if the log was abandoned or is stale.
   */
  close(): Promise<bigint>;
}

const STREAMS: Record<LogStreamName, LogStream> = {
  stdout: LogStream.STDOUT,
  stderr: LogStream.STDERR,
  system: LogStream.SYSTEM,
};
const MAX_CHUNKS_PER_REQUEST = 16;
const MAX_BYTES_PER_REQUEST = 1024 * 1024;

interface PendingChunk {
  stream: LogStreamName;
  parts: Uint8Array[];
  bytes: number;
  time: Date;
  flushTimer: AbortController;
}

/**
 * Creates the log streamer of one attempt. Chunks get seq 1, 2, 3… in the order they are sealed
 * and never mix streams; a failed AppendLogs is resent with the same chunks (same seqs) until it
 * is acknowledged, so a flaky network neither loses nor duplicates lines.
 */
export function createLogStreamer(options: LogStreamerOptions): LogStreamer {
  const { clock, chunkBytes, flushMs, logger, signal } = options;
  const maxQueuedBytes = options.maxQueuedBytes ?? chunkBytes * 64;
  const queue: LogChunk[] = [];
  let queuedBytes = 0;
  let pending: PendingChunk | undefined;
  let nextSeq = 1n;
  let ackedSeq = 0n;
  let closed = false;
  let truncated = false;
  let failure: Error | undefined;
  let spaceWaiters: (() => void)[] = [];
  let wakeSender: (() => void) | undefined;

  const wake = () => {
    wakeSender?.();
    wakeSender = undefined;
  };
  const releaseWriters = () => {
    const waiters = spaceWaiters;
    spaceWaiters = [];
    for (const resolve of waiters) resolve();
  };
  const stopped = () => failure !== undefined || truncated;
  let announceFailure: () => void = () => {};
  const failed = new Promise<void>((resolve) => {
    announceFailure = resolve;
  });
  const fail = (error: Error) => {
    failure ??= error;
    announceFailure();
    pending?.flushTimer.abort();
    pending = undefined;
    releaseWriters();
    wake();
  };
  const onAbort = () => fail(new RetryAbortedError(`log of run ${options.runId} abandoned`));
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });

  const seal = () => {
    const chunk = pending;
    if (!chunk) return;
    pending = undefined;
    chunk.flushTimer.abort();
    const data = chunk.parts.length === 1 ? (chunk.parts[0] as Uint8Array) : concat(chunk.parts, chunk.bytes);
    queue.push(
      create(LogChunkSchema, {
        runId: options.runId,
        attempt: options.attempt,
        seq: nextSeq++,
        stream: STREAMS[chunk.stream],
        time: timestampFromDate(chunk.time),
        data,
      }),
    );
    queuedBytes += chunk.bytes;
    wake();
  };

  const startChunk = (stream: LogStreamName, time: Date): PendingChunk => {
    const chunk: PendingChunk = { stream, parts: [], bytes: 0, time, flushTimer: new AbortController() };
    void clock.sleep(flushMs, chunk.flushTimer.signal).then(() => {
      if (pending === chunk) seal();
    });
    return chunk;
  };

  const write = async (stream: LogStreamName, data: Uint8Array, time: Date) => {
    let offset = 0;
    while (offset < data.length) {
      while (queuedBytes >= maxQueuedBytes && !stopped()) {
        await new Promise<void>((resolve) => spaceWaiters.push(resolve));
      }
      if (stopped() || closed) return;
      if (pending && pending.stream !== stream) seal();
      pending ??= startChunk(stream, time);
      const take = Math.min(data.length - offset, chunkBytes - pending.bytes);
      pending.parts.push(data.slice(offset, offset + take));
      pending.bytes += take;
      offset += take;
      if (pending.bytes >= chunkBytes) seal();
    }
  };

  const sendLoop = async () => {
    const backoff = createBackoff();
    for (;;) {
      if (failure) return;
      if (queue.length === 0) {
        if (closed && !pending) return;
        await new Promise<void>((resolve) => {
          wakeSender = resolve;
        });
        continue;
      }
      const batch = takeBatch(queue);
      try {
        const answer = await options.append(batch, signal);
        queue.splice(0, batch.length);
        queuedBytes -= batch.reduce((sum, chunk) => sum + chunk.data.length, 0);
        ackedSeq = (batch.at(-1) as LogChunk).seq;
        backoff.reset();
        releaseWriters();
        if (answer.truncated && !truncated) {
          truncated = true;
          pending?.flushTimer.abort();
          pending = undefined;
          logger.warn("the server truncated this run's log; further output is not sent", { runId: options.runId });
        }
      } catch (error) {
        if (signal.aborted) return;
        if (isStaleAttempt(error)) {
          const stale = new StaleAttemptError(options.runId, options.attempt, ConnectError.from(error));
          fail(stale);
          options.onStale(stale);
          return;
        }
        if (!isTransient(error)) {
          // The server will never accept these chunks (e.g. refused as invalid); holding them
          // would wedge the run, so they are dropped and the gap is left for the server to see.
          logger.error("log chunks refused, dropping them", {
            runId: options.runId,
            seqs: batch.map((chunk) => chunk.seq),
            error: describeError(error),
          });
          queue.splice(0, batch.length);
          queuedBytes -= batch.reduce((sum, chunk) => sum + chunk.data.length, 0);
          releaseWriters();
          continue;
        }
        const delay = backoff.next();
        logger.warn("AppendLogs failed, retrying the same chunks", {
          runId: options.runId,
          firstSeq: batch[0]?.seq,
          delayMs: delay,
          error: describeError(error),
        });
        await clock.sleep(delay, signal);
      }
    }
  };
  const sent = sendLoop().finally(() => signal.removeEventListener("abort", onAbort));

  return {
    write,
    system: (line) => write("system", new TextEncoder().encode(line.endsWith("\n") ? line : `${line}\n`), clock.now()),
    async close() {
      closed = true;
      seal();
      wake();
      await Promise.race([sent, failed]);
      if (failure) throw failure;
      return ackedSeq;
    },
  };
}

function takeBatch(queue: LogChunk[]): LogChunk[] {
  let bytes = 0;
  let count = 0;
  for (const chunk of queue) {
    if (count === MAX_CHUNKS_PER_REQUEST || (count > 0 && bytes + chunk.data.length > MAX_BYTES_PER_REQUEST)) break;
    bytes += chunk.data.length;
    count++;
  }
  return queue.slice(0, count);
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
