import type { KubeApi } from "./kube-api.js";
import { KubeApiError } from "./kube-api-error.js";
import { RUN_LABELS, runnerSelector } from "./run-labels.js";
import { deleteRunObjects, ignoringNotFound } from "./run-objects.js";

export interface SweepOptions {
  /** The namespace runs are created in (when not in a namespace of their own). */
  namespace: string;
  runnerId: string;
  /** Run keys of the attempts this executor has running: never swept. */
  active: ReadonlySet<string>;
  waitMs: number;
}

/**
 * Removes what earlier processes of this runner left behind — Jobs (their pods killed with a
 * one-second grace), files ConfigMaps and per-run namespaces labelled with this runner id — while
 * sparing the runs this executor has active. Objects already being deleted are left to finish.
 * Returns how many runs were reclaimed (a run's Job, ConfigMap and namespace count once).
 */
export async function sweepOrphans(api: KubeApi, options: SweepOptions): Promise<number> {
  const selector = runnerSelector(options.runnerId);
  const reclaimed = new Set<string>();
  const orphaned = (object: { metadata?: { labels?: Record<string, string>; deletionTimestamp?: unknown } }) => {
    const runKey = object.metadata?.labels?.[RUN_LABELS.runKey];
    return runKey !== undefined && !options.active.has(runKey) && !object.metadata?.deletionTimestamp
      ? runKey
      : undefined;
  };
  const deletions: Promise<void>[] = [];
  for (const job of await api.listJobs(options.namespace, selector)) {
    const runKey = orphaned(job);
    if (!runKey) continue;
    reclaimed.add(runKey);
    deletions.push(
      deleteRunObjects(
        api,
        { namespace: options.namespace, runKey, isolatedNamespace: false },
        { podGraceSeconds: 1, waitMs: options.waitMs },
      ),
    );
  }
  for (const configMap of await api.listConfigMaps(options.namespace, selector)) {
    const runKey = orphaned(configMap);
    if (!runKey) continue;
    reclaimed.add(runKey);
    deletions.push(ignoringNotFound(() => api.deleteConfigMap(options.namespace, configMap.metadata?.name ?? "")));
  }
  for (const namespace of await listRunNamespaces(api, selector)) {
    const runKey = orphaned(namespace);
    if (!runKey) continue;
    reclaimed.add(runKey);
    const run = { namespace: namespace.metadata?.name ?? "", runKey, isolatedNamespace: true };
    deletions.push(deleteRunObjects(api, run, { podGraceSeconds: 1, waitMs: options.waitMs }));
  }
  await Promise.all(deletions);
  return reclaimed.size;
}

/**
 * The per-run namespaces of this runner. A runner allowed only a Role in its own namespace cannot
 * list namespaces (403) — and so cannot have created any: there is nothing to sweep.
 */
async function listRunNamespaces(api: KubeApi, selector: string) {
  try {
    return await api.listNamespaces(selector);
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 403) return [];
    throw err;
  }
}
