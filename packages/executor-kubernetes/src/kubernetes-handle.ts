import { setTimeout as delay } from "node:timers/promises";
import type { V1Job } from "@kubernetes/client-node";
import {
  createOutputChannel,
  type ExecutionExit,
  type ExecutionHandle,
  type ResultFile,
  workloadFilePath,
} from "@tstr/executor";
import { WORKLOAD_CONTAINER } from "./job-spec.js";
import type { KubeApi } from "./kube-api.js";
import { beingDeleted, exitOf, statusOf } from "./pod-state.js";
import type { PodTracker } from "./pod-tracker.js";
import { type ResultsDump, resultsDumpNotices } from "./results-dump.js";
import { readResultsDump } from "./results-reader.js";
import { deleteRunObjects, ignoringNotFound, type RunObjects } from "./run-objects.js";
import { followContainerLog } from "./workload-log-follower.js";

/** How long remove() lets the log follower finish before cutting it. */
const OUTPUT_TAIL_MS = 3_000;

export interface StartedRun {
  api: KubeApi;
  run: RunObjects;
  podName: string;
  tracker: PodTracker;
  /** How long results() waits for the sidecar's dump after the workload ended. */
  resultsTimeoutMs: number;
  /** The sidecar's (compressed) results budget, named when it left files out. */
  resultsMaxBytes: number;
  /** How long remove() waits for the Job (and namespace) to be gone. */
  removeTimeoutMs: number;
  /** Called once the run's objects are gone. */
  onRemoved(): void;
}

/**
 * The handle of a workload running as a Job's pod: output from the followed pod log, the exit from
 * the watched pod status, results from the sidecar's dump. stop() deletes the pod with the grace
 * period (whole seconds, at least 1: SIGTERM, SIGKILL after it) and the Job with propagationPolicy
 * Foreground; remove() deletes everything the run created and waits until it is gone.
 */
export function createKubernetesHandle(started: StartedRun): ExecutionHandle {
  const { api, run, podName, tracker } = started;
  const channel = createOutputChannel();
  const background = new AbortController();
  const following = followContainerLog({
    api,
    namespace: run.namespace,
    pod: podName,
    container: WORKLOAD_CONTAINER,
    tracker,
    onChunk: (chunk) => channel.push(chunk),
    signal: background.signal,
  })
    .then(reportLeftOutResults)
    .finally(() => channel.end());
  const dump: Promise<ResultsDump> = readResultsDump(api, run.namespace, podName, tracker, background.signal);

  let stopRequested = false;
  let ended = false;
  let removal: Promise<void> | undefined;

  const exited: Promise<ExecutionExit> = (async () => {
    let job: V1Job | undefined;
    for (;;) {
      const pod = tracker.pod;
      const terminated = pod && statusOf(pod, WORKLOAD_CONTAINER)?.state?.terminated;
      const takenAway = tracker.deleted || (terminated && beingDeleted(pod));
      if (takenAway && !stopRequested && !job)
        job = await api.readJob(run.namespace, run.runKey).catch(() => undefined);
      const exit = exitOf({ pod, deleted: tracker.deleted, stopRequested, job });
      if (exit) return exit;
      if (tracker.closed)
        return stopRequested
          ? { stopped: true }
          : { error: { reason: "EXECUTOR_UNAVAILABLE", message: "stopped watching the pod" } };
      await tracker.changed();
    }
  })();
  void exited.then(() => {
    ended = true;
  });

  /**
   * The port has no other way to say it: result files the sidecar left out (over its budget) or a
   * dump cut short end the output as `tstr:` lines on stderr, so the run's log says why a file is
   * missing. A cut dump of a stopped run is expected and not reported.
   */
  async function reportLeftOutResults(): Promise<void> {
    const exit = await exited;
    const left = await resultsDump();
    const notices = resultsDumpNotices(
      stopRequested || exit.error ? { ...left, complete: true } : left,
      started.resultsMaxBytes,
    );
    for (const notice of notices) {
      channel.push({ stream: "stderr", data: Buffer.from(`${notice}\n`), time: new Date() });
    }
  }

  async function stop(gracePeriodMs: number): Promise<void> {
    if (ended) return;
    stopRequested = true;
    const graceSeconds = Math.max(1, Math.ceil(gracePeriodMs / 1000));
    await ignoringNotFound(() => api.deletePod(run.namespace, podName, graceSeconds));
    await ignoringNotFound(() => api.deleteJob(run.namespace, run.runKey));
    await exited;
  }

  async function resultsDump(): Promise<ResultsDump> {
    await exited;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ResultsDump>((resolve) => {
      timer = setTimeout(() => resolve({ files: new Map(), skipped: [], complete: false }), started.resultsTimeoutMs);
    });
    try {
      return await Promise.race([dump, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    output: () => channel.read(),
    wait: () => exited,
    stop,
    async results(maxBytes: number): Promise<ResultFile[]> {
      const { files } = await resultsDump();
      const taken: ResultFile[] = [];
      let budget = maxBytes;
      for (const path of [...files.keys()].sort()) {
        const content = files.get(path)!;
        if (content.byteLength > budget) continue;
        budget -= content.byteLength;
        taken.push({ path, content });
      }
      return taken;
    },
    async openResult(path: string) {
      const wanted = workloadFilePath(path).join("/");
      const content = (await resultsDump()).files.get(wanted);
      if (!content) return undefined;
      return (async function* () {
        yield content;
      })();
    },
    remove() {
      removal ??= (async () => {
        if (!ended) stopRequested = true;
        try {
          await deleteRunObjects(api, run, {
            ...(ended ? {} : { podGraceSeconds: 1, podName }),
            waitMs: started.removeTimeoutMs,
          });
        } finally {
          tracker.close();
          await exited;
          // The log's tail is still being read after a remove() of a running workload: give it a moment.
          await Promise.race([following, delay(OUTPUT_TAIL_MS)]);
          background.abort();
        }
        started.onRemoved();
      })();
      return removal;
    },
  };
}
