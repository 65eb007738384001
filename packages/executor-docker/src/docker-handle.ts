import { rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import {
  createOutputChannel,
  type ExecutionExit,
  type ExecutionHandle,
  openResultFile,
  readResultsDir,
} from "@tstr/executor";
import type Dockerode from "dockerode";
import { daemonMessageOf, ignoringGone } from "./docker-api-errors.js";
import { createDockerStreamDemuxer } from "./docker-stream-demuxer.js";

/** A started container with its attach stream (opened before start, so no output is missed). */
export interface StartedContainer {
  container: Dockerode.Container;
  attachment: Readable;
  resultsHostDir: string;
  /** Called once the container and its results dir are gone. */
  onRemoved: () => void;
}

/**
 * The handle of a Docker workload. stop() signals with `docker kill` rather than `docker stop`
 * because the grace period is in milliseconds and the exit must be marked as stopped on request.
 */
export function createDockerHandle({
  container,
  attachment,
  resultsHostDir,
  onRemoved,
}: StartedContainer): ExecutionHandle {
  const channel = createOutputChannel();
  const demuxer = createDockerStreamDemuxer((frame) => channel.push({ ...frame, time: new Date() }));
  attachment.on("data", (bytes: Buffer) => demuxer.write(bytes));
  attachment.once("end", () => channel.end());
  attachment.once("close", () => channel.end());
  attachment.once("error", () => channel.end());

  let ended = false;
  let stopRequested = false;
  let removal: Promise<void> | undefined;

  const exited: Promise<ExecutionExit> = container.wait().then(
    (status: { StatusCode: number }) =>
      stopRequested ? { exitCode: status.StatusCode, stopped: true } : { exitCode: status.StatusCode },
    (err: unknown): ExecutionExit =>
      stopRequested ? { stopped: true } : { error: { reason: "EXECUTOR_UNAVAILABLE", message: daemonMessageOf(err) } },
  );
  void exited.then(() => {
    ended = true;
  });

  const kill = (signal: "SIGTERM" | "SIGKILL") => ignoringGone(() => container.kill({ signal }));

  async function stop(gracePeriodMs: number): Promise<void> {
    if (ended) return;
    stopRequested = true;
    await kill("SIGTERM");
    const grace = new AbortController();
    await Promise.race([exited, delay(gracePeriodMs, undefined, { signal: grace.signal }).catch(() => {})]);
    grace.abort();
    if (!ended) await kill("SIGKILL");
    await exited;
  }

  return {
    output: () => channel.read(),
    wait: () => exited,
    stop,
    results: (maxBytes) => readResultsDir(resultsHostDir, maxBytes),
    openResult: (path) => openResultFile(resultsHostDir, path),
    remove() {
      removal ??= (async () => {
        if (!ended) stopRequested = true;
        await ignoringGone(() => container.remove({ force: true, v: true }));
        await exited;
        await rm(resultsHostDir, { recursive: true, force: true, maxRetries: 3 });
        onRemoved();
      })();
      return removal;
    },
  };
}
