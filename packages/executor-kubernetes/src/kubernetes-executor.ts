import { randomBytes } from "node:crypto";
import type { KubeConfig } from "@kubernetes/client-node";
import { type ExecutionHandle, type ExecutionSpec, type Executor, workloadFilePath } from "@tstr/executor";
import { type JobContext, toFilesConfigMap, toJob, toRunNamespace } from "./job-spec.js";
import { createKubeApi, type KubeApi } from "./kube-api.js";
import { toCreateFailure } from "./kube-api-error.js";
import { contextNamespace, type KubeConfigSource, loadKubeConfig } from "./kube-config.js";
import { createKubernetesHandle } from "./kubernetes-handle.js";
import { type KubernetesExecutionSpec, parseKubernetesOptions } from "./kubernetes-options.js";
import { sweepOrphans } from "./orphan-sweeper.js";
import { type PodTracker, trackRunPod } from "./pod-tracker.js";
import { runAnnotations, runKeyFor, runLabels } from "./run-labels.js";
import { deleteRunObjects, type RunObjects } from "./run-objects.js";
import { awaitWorkloadStart } from "./workload-start.js";

/** Options of the Kubernetes backend; the composition root passes them, nothing is read from env. */
export interface KubernetesExecutorOptions extends KubeConfigSource {
  /** This runner's identity, on every object, so a restarted runner's sweeper finds its leftovers. */
  runnerId: string;
  /** A loaded configuration (tests, embedding); otherwise loaded from `kubeconfigPath`/`inCluster`/defaults. */
  kubeConfig?: KubeConfig;
  /** Namespace of the Jobs (default: the context's namespace, else "default"). */
  namespace?: string;
  /** Image of the results sidecar: needs sh, find, sort, wc, gzip, base64 (default busybox:1.37). */
  resultsImage?: string;
  /** Largest total size of results, gzip-compressed, handed back through the sidecar's log (default 6 MiB). */
  resultsMaxBytes?: number;
  /** ttlSecondsAfterFinished of the Jobs: how long finished Jobs outlive a runner that died (default 600). */
  jobTtlSeconds?: number;
  /**
   * activeDeadlineSeconds = the test's timeout + the start timeout + this: the deadline counts from
   * the Job's start, scheduling and image pulls included, and is only a backstop — the runner
   * enforces the real timeout (default 60).
   */
  deadlineSlackSeconds?: number;
  /** The pod's terminationGracePeriodSeconds when the spec carries no grace period (default 10 s). */
  defaultGracePeriodMs?: number;
  /** How long a pod may stay Unschedulable before the run ends ERROR (default 60 s). */
  unschedulableTimeoutMs?: number;
  /** How long a pod may take to start (default 10 min). */
  startTimeoutMs?: number;
  /** How long results() waits for the sidecar's dump (default 60 s). */
  resultsTimeoutMs?: number;
  /** How long remove() and the sweeper wait for objects to be gone (default 60 s). */
  removeTimeoutMs?: number;
}

const DEFAULT_START_TIMEOUT_MS = 600_000;

/**
 * The Job's activeDeadlineSeconds for a test timeout: it counts from the Job's start, so pod
 * scheduling and image pulls (up to the start timeout) come on top of the test's own time, plus
 * slack so the runner's timeout (which stops the workload gracefully) always acts first.
 */
export function activeDeadlineSeconds(
  timeoutMs: number,
  options: Pick<KubernetesExecutorOptions, "startTimeoutMs" | "deadlineSlackSeconds">,
): number {
  const startSeconds = Math.ceil((options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS) / 1000);
  return Math.ceil(timeoutMs / 1000) + startSeconds + (options.deadlineSlackSeconds ?? 60);
}

/**
 * Runs workloads as Kubernetes Jobs (one pod, backoffLimit 0): files from a per-run ConfigMap,
 * results through a native sidecar's log, output from the followed pod log (stdout and stderr
 * merged — Kubernetes does not keep them apart), the exit from the watched pod. Start failures
 * throw ExecutorError: CREATE_FAILED (invalid spec or options, refused by the API),
 * IMAGE_PULL_FAILED / IMAGE_NOT_FOUND, START_FAILED (a missing command: the runtime's StartError),
 * UNSCHEDULABLE, EVICTED, EXECUTOR_UNAVAILABLE (cluster unreachable). Runs may ask for a namespace
 * of their own (run_config.kubernetes.isolated_namespace), created and deleted with the run.
 */
export function createKubernetesExecutor(options: KubernetesExecutorOptions): Executor {
  const kubeConfig = options.kubeConfig ?? loadKubeConfig(options);
  const api: KubeApi = createKubeApi(kubeConfig);
  const namespace = options.namespace ?? contextNamespace(kubeConfig) ?? "default";
  const removeTimeoutMs = options.removeTimeoutMs ?? 60_000;
  /** Run keys of the attempts this executor started and has not removed: never orphans. */
  const active = new Set<string>();

  async function start(spec: ExecutionSpec, signal: AbortSignal): Promise<ExecutionHandle> {
    signal.throwIfAborted();
    for (const file of spec.files) workloadFilePath(file.path);
    const extended = spec as KubernetesExecutionSpec;
    const podOptions = parseKubernetesOptions(extended.kubernetes);
    const runKey = runKeyFor(spec, randomBytes(3).toString("hex"));
    const labels = runLabels(spec, options.runnerId, runKey);
    const annotations = runAnnotations(spec, options.runnerId);
    const context: JobContext = {
      runKey,
      namespace: podOptions.isolatedNamespace ? runKey : namespace,
      labels,
      annotations,
      options: podOptions,
      filesConfigMap: `${runKey}-files`,
      resultsImage: options.resultsImage ?? "busybox:1.37",
      resultsMaxBytes: options.resultsMaxBytes ?? 6 * 1024 * 1024,
      ttlSecondsAfterFinished: options.jobTtlSeconds ?? 600,
      ...(extended.timeoutMs ? { activeDeadlineSeconds: activeDeadlineSeconds(extended.timeoutMs, options) } : {}),
      terminationGracePeriodSeconds: Math.ceil(
        (extended.gracePeriodMs ?? options.defaultGracePeriodMs ?? 10_000) / 1000,
      ),
    };
    const job = toJob(spec, context);
    const configMap = toFilesConfigMap(spec, context);
    const run: RunObjects = {
      namespace: context.namespace,
      runKey,
      isolatedNamespace: podOptions.isolatedNamespace,
      ...(configMap ? { filesConfigMap: context.filesConfigMap } : {}),
    };
    active.add(runKey);
    let tracker: PodTracker | undefined;
    // Only what this start created is deleted when it fails (never a namespace that was there).
    const created: RunObjects = { namespace: run.namespace, runKey, isolatedNamespace: false };
    try {
      if (run.isolatedNamespace) {
        await api.createNamespace(toRunNamespace(run.namespace, labels, annotations));
        created.isolatedNamespace = true;
      }
      signal.throwIfAborted();
      if (configMap) {
        await api.createConfigMap(run.namespace, configMap);
        created.filesConfigMap = context.filesConfigMap;
      }
      signal.throwIfAborted();
      await api.createJob(run.namespace, job);
      tracker = trackRunPod(api, run.namespace, runKey);
      const podName = await awaitWorkloadStart(
        tracker,
        {
          unschedulableTimeoutMs: options.unschedulableTimeoutMs ?? 60_000,
          startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
        },
        signal,
      );
      return createKubernetesHandle({
        api,
        run,
        podName,
        tracker,
        resultsTimeoutMs: options.resultsTimeoutMs ?? 60_000,
        resultsMaxBytes: context.resultsMaxBytes,
        removeTimeoutMs,
        onRemoved: () => active.delete(runKey),
      });
    } catch (err) {
      tracker?.close();
      await deleteRunObjects(api, created, { podGraceSeconds: 1, waitMs: removeTimeoutMs }).catch(() => {});
      active.delete(runKey);
      throw toCreateFailure(err);
    }
  }

  return {
    name: "kubernetes",
    start,
    cleanupOrphans: () => sweepOrphans(api, { namespace, runnerId: options.runnerId, active, waitMs: removeTimeoutMs }),
  };
}
