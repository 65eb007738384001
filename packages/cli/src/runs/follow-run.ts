import { type Client, ConnectError } from "@connectrpc/connect";
import type { DataService, Run } from "@tstr/proto";
import type { CliIo } from "../cli-io.js";
import { formatElapsed, formatOutcome } from "../output/run-view.js";
import { followLogs } from "./log-follower.js";
import { createLogSink } from "./log-sink.js";
import { pollUntilFinished } from "./poll-runs.js";

/**
 * Streams one run's output live (stdout to stdout, stderr and tstr's notes to stderr) until it
 * finishes, then prints `run <id>: PASS in 3.2s` (or the failure and its reason) to stderr.
 * Returns the finished run, or undefined when `signal` stopped the wait first.
 */
export async function followRunToEnd(
  data: Client<typeof DataService>,
  io: CliIo,
  runId: string,
  signal: AbortSignal,
): Promise<Run | undefined> {
  const sink = createLogSink(io);
  try {
    const outcome = await followLogs(data, {
      runId,
      follow: true,
      signal,
      onChunk: (chunk) => sink.write(chunk),
      onReconnect: (error, delayMs) => sink.note(reconnectNote(error, delayMs)),
    });
    if (outcome.kind === "stopped") {
      sink.note("");
      return undefined;
    }
  } finally {
    sink.finish();
  }
  const run = await pollUntilFinished(data, runId, signal);
  sink.note(run ? `run ${run.id}: ${formatOutcome(run)}\n` : "");
  return run;
}

/** The stderr line shown when a log stream dropped and is about to be reopened. */
export function reconnectNote(error: unknown, delayMs: number): string {
  const reason =
    error instanceof ConnectError ? error.rawMessage : error instanceof Error ? error.message : String(error);
  return `tstrctl: log stream lost (${reason}); resuming in ${formatElapsed(delayMs)}\n`;
}
