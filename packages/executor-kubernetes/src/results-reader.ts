import { setTimeout as delay } from "node:timers/promises";
import type { KubeApi } from "./kube-api.js";
import { KubeApiError } from "./kube-api-error.js";
import { containerFinished } from "./pod-state.js";
import type { PodTracker } from "./pod-tracker.js";
import { parseResultsDump, RESULTS_CONTAINER, type ResultsDump } from "./results-dump.js";

const RETRY_MS = 250;
const EMPTY: ResultsDump = { files: new Map(), skipped: [], complete: false };

/**
 * Reads the results sidecar's log until its dump is complete: following it from the start (the
 * dump appears when the workload has ended, even when the pod is being deleted), and reading it
 * whole again if a stream broke before the end marker. The pod gone, or the sidecar ended without
 * a complete dump, yields what was there (possibly nothing).
 */
export async function readResultsDump(
  api: KubeApi,
  namespace: string,
  pod: string,
  tracker: PodTracker,
  signal: AbortSignal,
): Promise<ResultsDump> {
  let last = EMPTY;
  let finalReads = 0;
  while (!signal.aborted) {
    const final = containerFinished(tracker.pod, tracker.deleted, RESULTS_CONTAINER);
    if (final && ++finalReads > 3) return last;
    try {
      const response = await api.streamPodLog(
        namespace,
        pod,
        { container: RESULTS_CONTAINER, follow: !final, timestamps: false },
        signal,
      );
      response.setEncoding("utf8");
      let log = "";
      try {
        for await (const text of response) log += text;
      } catch {
        // Broken: read it again.
      }
      last = parseResultsDump(log);
      if (last.complete) return last;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return last;
    }
    await delay(RETRY_MS, undefined, { signal }).catch(() => {});
  }
  return last;
}
