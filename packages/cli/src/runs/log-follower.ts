import type { Client } from "@connectrpc/connect";
import { type DataService, type LogChunk, RunStatus } from "@tstr/proto";
import { isTransientCallError } from "../client/describe-error.js";
import { sleep } from "./sleep.js";

/** Where a log reader is: the last chunk it has printed. Chunks sort by (attempt, seq). */
export interface LogCursor {
  attempt: number;
  seq: bigint;
}

/** What `followLogs` needs besides the data client. */
export interface FollowLogsOptions {
  runId: string;
  /** Keep reading live output until the run finishes (else stop after what is stored). */
  follow: boolean;
  /** Only this attempt's output; reading stops at the first chunk of a later attempt. */
  attempt?: number;
  /** Aborting stops reading (Ctrl-C, --timeout); the run is not touched. */
  signal: AbortSignal;
  /** Receives every chunk once, in (attempt, seq) order, however often the stream reconnects. */
  onChunk(chunk: LogChunk): void;
  /** Told about each dropped stream before the wait to reconnect. */
  onReconnect?(error: unknown, delayMs: number): void;
  /** How long reconnecting may keep failing (no stream opens) before the error is thrown. */
  giveUpAfterMs?: number;
}

/** Why reading stopped. */
export type FollowOutcome =
  /** The run finished and every chunk was delivered (TailLogs end_of_logs). */
  | { kind: "end"; status: RunStatus }
  /** Without follow: everything stored so far was delivered; the run may still be going. */
  | { kind: "caught-up"; status: RunStatus }
  /** With `attempt`: a later attempt started, so that attempt's output is complete. */
  | { kind: "attempt-ended" }
  /** The signal was aborted. */
  | { kind: "stopped" };

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;
const GIVE_UP_AFTER_MS = 60_000;

/**
 * Reads a run's log with DataService.TailLogs and hands each chunk to `onChunk` exactly once.
 * A stream that drops (server restart, cut connection, Unavailable) is reopened with jittered
 * backoff from the last delivered (attempt, seq), so output is never repeated or skipped; chunks
 * a server resends are ignored. Other errors (NotFound, PermissionDenied, …) are thrown.
 */
export async function followLogs(data: Client<typeof DataService>, options: FollowLogsOptions): Promise<FollowOutcome> {
  const { runId, follow, signal } = options;
  let cursor: LogCursor = { attempt: options.attempt ?? 0, seq: 0n };
  let failingSince: number | undefined;
  let failures = 0;
  for (;;) {
    let status = RunStatus.UNSPECIFIED;
    let problem: unknown;
    try {
      const stream = data.tailLogs(
        { runId, attempt: cursor.attempt, afterSeq: cursor.seq, follow },
        {
          signal,
          timeoutMs: 0,
          onHeader: () => {
            failingSince = undefined;
          },
        },
      );
      for await (const response of stream) {
        failures = 0;
        for (const chunk of response.chunks) {
          if (!isAfter(chunk, cursor)) continue;
          if (options.attempt !== undefined && chunk.attempt > options.attempt) return { kind: "attempt-ended" };
          options.onChunk(chunk);
          cursor = { attempt: chunk.attempt, seq: chunk.seq };
        }
        if (response.status !== RunStatus.UNSPECIFIED) status = response.status;
        if (response.endOfLogs) return { kind: "end", status };
      }
      if (!follow) return { kind: "caught-up", status };
      problem = new Error("the server closed the log stream");
    } catch (error) {
      if (signal.aborted) return { kind: "stopped" };
      if (!isTransientCallError(error)) throw error;
      problem = error;
    }
    failingSince ??= Date.now();
    if (Date.now() - failingSince > (options.giveUpAfterMs ?? GIVE_UP_AFTER_MS)) throw problem;
    const delay = retryDelay(failures++);
    options.onReconnect?.(problem, delay);
    await sleep(delay, signal);
    if (signal.aborted) return { kind: "stopped" };
  }
}

function isAfter(chunk: LogChunk, cursor: LogCursor): boolean {
  return chunk.attempt > cursor.attempt || (chunk.attempt === cursor.attempt && chunk.seq > cursor.seq);
}

/** Exponential backoff with jitter (between half and all of the step), capped. */
function retryDelay(failures: number): number {
  const step = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** failures);
  return Math.round(step / 2 + (Math.random() * step) / 2);
}
