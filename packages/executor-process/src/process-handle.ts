import type { ChildProcessByStdio } from "node:child_process";
import { constants } from "node:os";
import type { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import {
  createOutputChannel,
  type ExecutionExit,
  type ExecutionHandle,
  openResultFile,
  readResultsDir,
} from "@tstr/executor";
import { signalProcessGroup } from "./process-group.js";
import type { RunDirectory } from "./run-directory.js";

type WorkloadProcess = ChildProcessByStdio<null, Readable, Readable>;

/**
 * Wraps a spawned workload. The workload is its process group: when the leader exits, stragglers
 * it left in the background are killed too, as a container's would be, so output always ends.
 */
export function createProcessHandle(
  child: WorkloadProcess,
  runDir: RunDirectory,
  onRemoved: () => void,
): ExecutionHandle {
  const pgid = child.pid!;
  const channel = createOutputChannel();
  let ended = false;
  let stopRequested = false;
  let removal: Promise<void> | undefined;

  let openStreams = 2;
  for (const [stream, readable] of [
    ["stdout", child.stdout],
    ["stderr", child.stderr],
  ] as const) {
    readable.on("data", (data: Buffer) => channel.push({ stream, data: new Uint8Array(data), time: new Date() }));
    readable.once("close", () => {
      openStreams -= 1;
      if (openStreams === 0) channel.end();
    });
  }

  const exited = new Promise<ExecutionExit>((resolve) => {
    child.once("exit", (code, signal) => {
      ended = true;
      try {
        signalProcessGroup(pgid, "SIGKILL");
      } catch {
        // Best effort: a group we may not signal is not ours any more.
      }
      const exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
      resolve(stopRequested ? { exitCode, stopped: true } : { exitCode });
    });
  });

  async function stop(gracePeriodMs: number): Promise<void> {
    if (ended) return;
    stopRequested = true;
    signalProcessGroup(pgid, "SIGTERM");
    const grace = new AbortController();
    await Promise.race([exited, delay(gracePeriodMs, undefined, { signal: grace.signal }).catch(() => {})]);
    grace.abort();
    if (!ended) signalProcessGroup(pgid, "SIGKILL");
    await exited;
  }

  return {
    output: () => channel.read(),
    wait: () => exited,
    stop,
    results: (maxBytes) => readResultsDir(runDir.resultsDir, maxBytes),
    openResult: (path) => openResultFile(runDir.resultsDir, path),
    remove() {
      removal ??= (async () => {
        await stop(0);
        await runDir.remove();
        onRemoved();
      })();
      return removal;
    },
  };
}
