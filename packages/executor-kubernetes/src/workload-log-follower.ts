import { setTimeout as delay } from "node:timers/promises";
import type { OutputChunk } from "@tstr/executor";
import type { KubeApi } from "./kube-api.js";
import { KubeApiError } from "./kube-api-error.js";
import { createLineSplitter, createLogDeduper, type LogLine } from "./log-lines.js";
import { containerFinished } from "./pod-state.js";
import type { PodTracker } from "./pod-tracker.js";

export interface LogFollowerDeps {
  api: KubeApi;
  namespace: string;
  pod: string;
  container: string;
  tracker: PodTracker;
  onChunk(chunk: OutputChunk): void;
  signal: AbortSignal;
}

/** Pause before resuming a stream that ended while the container still runs. */
const RESUME_MS = 100;
/** A follow stream still open this long after the container ended is treated as stuck. */
const STUCK_AFTER_END_MS = 5_000;
/** Attempts at the final, non-following read before giving up on the rest. */
const FINAL_ATTEMPTS = 3;

/**
 * Follows a container's log (`follow=true&timestamps=true`) into output chunks, resolving once
 * every line has been delivered. A stream that ends or breaks while the container runs is resumed
 * with `sinceTime`, and replayed lines are dropped (timestamp+content), so nothing is lost or
 * doubled. Once the container has ended, one last non-following read picks up anything the last
 * stream missed, including a final line without a newline. Kubernetes serves stdout and stderr
 * merged, so every chunk is reported as stdout.
 */
export async function followContainerLog(deps: LogFollowerDeps): Promise<void> {
  const dedupe = createLogDeduper();
  let finalAttempts = 0;
  while (!deps.signal.aborted) {
    const final = containerFinished(deps.tracker.pod, deps.tracker.deleted, deps.container);
    if (final && ++finalAttempts > FINAL_ATTEMPTS) return;
    const stream = new AbortController();
    const cancel = () => stream.abort();
    deps.signal.addEventListener("abort", cancel, { once: true });
    if (!final) void abortWhenStuck(deps, stream);
    try {
      const response = await deps.api.streamPodLog(
        deps.namespace,
        deps.pod,
        { container: deps.container, follow: !final, timestamps: true, sinceTime: dedupe.resumeSince() },
        stream.signal,
      );
      dedupe.startStream();
      const splitter = createLineSplitter();
      const deliver = (lines: LogLine[]) =>
        emit(
          deps,
          lines.filter((line) => dedupe.admit(line)),
        );
      let complete = false;
      try {
        for await (const bytes of response) deliver(splitter.push(bytes as Buffer));
        complete = true;
      } catch {
        // A broken stream: what it delivered counts, the fragment after its last newline does not.
      }
      if (final && complete) {
        deliver(splitter.flush());
        return;
      }
      splitter.discard();
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return;
      // 400 "waiting to start" or a network error: try again shortly.
    } finally {
      deps.signal.removeEventListener("abort", cancel);
      stream.abort();
    }
    await delay(RESUME_MS, undefined, { signal: deps.signal }).catch(() => {});
  }
}

/** One chunk per line, timed by the kubelet's timestamp (millisecond precision). */
function emit(deps: LogFollowerDeps, lines: LogLine[]): void {
  for (const line of lines) {
    const data = line.newline ? Buffer.concat([line.content, NEWLINE]) : line.content;
    const time = line.nanos >= 0n ? new Date(Number(line.nanos / 1_000_000n)) : new Date();
    deps.onChunk({ stream: "stdout", data: new Uint8Array(data), time });
  }
}

const NEWLINE = Buffer.from("\n");

/** Aborts a follow stream that stays open well after the container ended (a half-open connection). */
async function abortWhenStuck(deps: LogFollowerDeps, stream: AbortController): Promise<void> {
  while (!stream.signal.aborted && !containerFinished(deps.tracker.pod, deps.tracker.deleted, deps.container)) {
    if (deps.tracker.closed) return;
    await Promise.race([deps.tracker.changed(), abortedPromise(stream.signal)]);
  }
  await delay(STUCK_AFTER_END_MS, undefined, { signal: stream.signal }).catch(() => {});
  stream.abort();
}

function abortedPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
