import { setTimeout as delay } from "node:timers/promises";
import type { V1Pod } from "@kubernetes/client-node";
import type { KubeApi, PodWatchEvent } from "./kube-api.js";
import { runKeySelector } from "./run-labels.js";

/** The pod of one attempt, as the watch last reported it. */
export interface PodTracker {
  /** The run's pod (the first one the Job created), undefined until it appears. */
  readonly pod: V1Pod | undefined;
  /** The pod has been deleted (a DELETED event, or it vanished from a relist). */
  readonly deleted: boolean;
  /** Closed by the handle: nothing more will be reported. */
  readonly closed: boolean;
  /** Resolves on the next change (pod update, deletion, close). */
  changed(): Promise<void>;
  close(): void;
}

/** Pause before re-watching after a broken watch. */
const REWATCH_MS = 250;

/**
 * Lists, then watches the pods labelled with the run key, keeping the latest state of the first
 * one. A watch that ends or breaks is resumed from the last resourceVersion; 410 Gone (history
 * compacted) relists, as client-go's reflector does. Errors never escape: the tracker keeps
 * trying until closed, and a pod that disappears between lists counts as deleted.
 */
export function trackRunPod(api: KubeApi, namespace: string, runKey: string): PodTracker {
  const abort = new AbortController();
  const selector = runKeySelector(runKey);
  let pod: V1Pod | undefined;
  let podName: string | undefined;
  let deleted = false;
  let waiters: (() => void)[] = [];

  const notify = () => {
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };

  function observe(next: V1Pod, gone: boolean): void {
    const name = next.metadata?.name;
    if (podName === undefined) podName = name;
    if (name !== podName) return;
    pod = next;
    if (gone) deleted = true;
    notify();
  }

  async function relist(): Promise<string> {
    const { pods, resourceVersion } = await api.listPods(namespace, selector);
    const created = (p: V1Pod) => new Date(p.metadata?.creationTimestamp ?? 0).getTime();
    const sorted = [...pods].sort((a, b) => created(a) - created(b));
    const current = podName === undefined ? sorted[0] : sorted.find((p) => p.metadata?.name === podName);
    if (current) observe(current, false);
    else if (podName !== undefined) {
      deleted = true;
      notify();
    }
    return resourceVersion;
  }

  async function run(): Promise<void> {
    let resourceVersion: string | undefined;
    while (!abort.signal.aborted && !deleted) {
      try {
        resourceVersion ??= await relist();
        if (deleted) break;
        const events = await api.watchPods(namespace, selector, resourceVersion, abort.signal);
        for await (const event of events as AsyncIterable<PodWatchEvent>) {
          if (event.type === "ERROR") {
            // 410 Gone: the resourceVersion is too old; anything else, start over too.
            resourceVersion = undefined;
            break;
          }
          resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
          if (event.type !== "BOOKMARK") observe(event.object, event.type === "DELETED");
          if (deleted) break;
        }
      } catch {
        if (abort.signal.aborted) break;
        resourceVersion = undefined;
      }
      if (!deleted) await delay(REWATCH_MS, undefined, { signal: abort.signal }).catch(() => {});
    }
    notify();
  }

  void run();

  return {
    get pod() {
      return pod;
    },
    get deleted() {
      return deleted;
    },
    get closed() {
      return abort.signal.aborted;
    },
    changed() {
      if (abort.signal.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    close() {
      abort.abort();
      notify();
    },
  };
}
