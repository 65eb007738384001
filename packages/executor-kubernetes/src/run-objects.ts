import { setTimeout as delay } from "node:timers/promises";
import type { KubeApi } from "./kube-api.js";
import { isNotFound } from "./kube-api-error.js";
import { runKeySelector } from "./run-labels.js";

/** Where one attempt's objects live. */
export interface RunObjects {
  namespace: string;
  /** The Job's name and run-key label. */
  runKey: string;
  /** The namespace was created for this run and goes with it. */
  isolatedNamespace: boolean;
  /** Name of the files ConfigMap, when one was created. */
  filesConfigMap?: string;
}

const POLL_MS = 200;

/** Runs a deletion whose 404 (already gone) is success. */
export async function ignoringNotFound(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/**
 * Deletes one attempt's objects: its pods first when `podGraceSeconds` is given (SIGTERM, SIGKILL
 * after that grace — deleting only the Job would give them the pod's full termination grace), the
 * Job with propagationPolicy Foreground, the files ConfigMap, the run's own namespace. Every
 * deletion is attempted whatever the others did; their failures are thrown together afterwards
 * (an AggregateError naming each object). Then waits up to `waitMs` until the Job (and namespace)
 * are really gone, so "removed" means removed; a cluster slower than that leaves the rest to
 * Kubernetes (and the sweeper).
 */
export async function deleteRunObjects(
  api: KubeApi,
  run: RunObjects,
  options: { podGraceSeconds?: number; podName?: string; waitMs: number },
): Promise<void> {
  const errors: Error[] = [];
  const attempt = async (what: string, call: () => Promise<unknown>) => {
    try {
      await ignoringNotFound(call);
    } catch (err) {
      errors.push(
        new Error(`deleting ${what} in namespace ${run.namespace}: ${(err as Error).message}`, { cause: err }),
      );
    }
  };
  if (options.podGraceSeconds !== undefined) {
    let names: string[] = options.podName ? [options.podName] : [];
    if (!options.podName) {
      await attempt(`the pods of ${run.runKey}`, async () => {
        names = (await api.listPods(run.namespace, runKeySelector(run.runKey))).pods.map(
          (pod) => pod.metadata?.name ?? "",
        );
      });
    }
    for (const name of names)
      await attempt(`pod ${name}`, () => api.deletePod(run.namespace, name, options.podGraceSeconds!));
  }
  await attempt(`job ${run.runKey}`, () => api.deleteJob(run.namespace, run.runKey));
  const configMap = run.filesConfigMap;
  if (configMap) await attempt(`configmap ${configMap}`, () => api.deleteConfigMap(run.namespace, configMap));
  if (run.isolatedNamespace) await attempt(`namespace ${run.namespace}`, () => api.deleteNamespace(run.namespace));
  if (errors.length > 0) {
    throw new AggregateError(errors, `removing run ${run.runKey}: ${errors.map((e) => e.message).join("; ")}`);
  }
  await untilGone(() => api.readJob(run.namespace, run.runKey), options.waitMs);
  if (run.isolatedNamespace) await untilGone(() => api.readNamespace(run.namespace), options.waitMs);
}

/** Polls `read` until it answers 404, at most `waitMs`. */
export async function untilGone(read: () => Promise<unknown>, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await read();
    } catch (err) {
      if (isNotFound(err)) return true;
    }
    if (Date.now() >= deadline) return false;
    await delay(POLL_MS);
  }
}
