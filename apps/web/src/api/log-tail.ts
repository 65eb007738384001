import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { type LogChunk, LogStream, type RunStatus } from "@tstr/proto";
import type { Api } from "./clients.js";

/** One line of a run's output. */
export interface LogLine {
  /** 1-based position in the whole log (all attempts). */
  n: number;
  attempt: number;
  stream: "stdout" | "stderr" | "system";
  time: Date | undefined;
  text: string;
}

/** Where the tail stands: streaming, waiting to reconnect after a drop, complete, or stopped by an error. */
export type TailState =
  | { kind: "connecting" }
  | { kind: "live" }
  | { kind: "reconnecting"; attempt: number; reason: string }
  | { kind: "ended" }
  | { kind: "failed"; error: ConnectError };

/** Position after the last chunk received; a resumed tail asks only for chunks after it. */
export interface TailCursor {
  attempt: number;
  seq: bigint;
}

const STREAMS: Record<LogStream, LogLine["stream"]> = {
  [LogStream.UNSPECIFIED]: "system",
  [LogStream.STDOUT]: "stdout",
  [LogStream.STDERR]: "stderr",
  [LogStream.SYSTEM]: "system",
};

/** Codes after which retrying cannot help (the run is gone or the token cannot read it). */
const FINAL_CODES = new Set([Code.Unauthenticated, Code.PermissionDenied, Code.NotFound, Code.InvalidArgument]);

/**
 * Follows a run's log through DataService.TailLogs until the server says the log has ended. When
 * the stream drops (server restart, network change, proxy timeout) it reconnects with backoff from
 * the cursor of the last chunk it received, and drops any chunk at or before that cursor, so no
 * line is shown twice or skipped. Stops when `signal` aborts.
 */
export async function followRunLog(opts: {
  api: Api;
  runId: string;
  signal: AbortSignal;
  onLines(lines: LogLine[]): void;
  onState(state: TailState): void;
  onStatus?(status: RunStatus): void;
  /** Waits between reconnects (ms); grows to the last value. */
  backoffMs?: number[];
}): Promise<void> {
  const backoff = opts.backoffMs ?? [250, 500, 1000, 2000, 4000];
  const decoder = new TextDecoder();
  let cursor: TailCursor = { attempt: 0, seq: 0n };
  let lineCount = 0;
  let failures = 0;
  opts.onState({ kind: "connecting" });
  while (!opts.signal.aborted) {
    let reason = "the log stream closed before the run finished";
    try {
      const stream = opts.api.data.tailLogs(
        { runId: opts.runId, attempt: cursor.attempt, afterSeq: cursor.seq, follow: true },
        {
          signal: opts.signal,
          onHeader: () => {
            failures = 0;
            opts.onState({ kind: "live" });
          },
        },
      );
      for await (const response of stream) {
        const fresh = response.chunks.filter((chunk) => isAfter(chunk, cursor));
        if (fresh.length) {
          const lines: LogLine[] = [];
          for (const chunk of fresh) {
            for (const text of splitLines(decoder.decode(chunk.data))) {
              lines.push({
                n: ++lineCount,
                attempt: chunk.attempt,
                stream: STREAMS[chunk.stream] ?? "system",
                time: chunk.time ? timestampDate(chunk.time) : undefined,
                text,
              });
            }
            cursor = { attempt: chunk.attempt, seq: chunk.seq };
          }
          opts.onLines(lines);
        }
        if (response.status) opts.onStatus?.(response.status);
        if (response.endOfLogs) {
          opts.onState({ kind: "ended" });
          return;
        }
      }
    } catch (error) {
      if (opts.signal.aborted) return;
      const err = ConnectError.from(error);
      if (FINAL_CODES.has(err.code)) {
        opts.onState({ kind: "failed", error: err });
        return;
      }
      reason = err.rawMessage;
    }
    if (opts.signal.aborted) return;
    const wait = backoff[Math.min(failures, backoff.length - 1)] ?? 1000;
    failures++;
    opts.onState({ kind: "reconnecting", attempt: failures, reason });
    await sleep(wait, opts.signal);
  }
}

/** Whether a chunk comes after the cursor in (attempt, seq) order, as the server sorts them. */
export function isAfter(chunk: Pick<LogChunk, "attempt" | "seq">, cursor: TailCursor): boolean {
  return chunk.attempt > cursor.attempt || (chunk.attempt === cursor.attempt && chunk.seq > cursor.seq);
}

/** The lines of a chunk's text; the newline that ends its last line does not make an empty one. */
export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((line) => line.replace(/\r$/, ""));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
