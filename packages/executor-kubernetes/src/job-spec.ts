import { posix } from "node:path";
import type {
  V1ConfigMap,
  V1Container,
  V1EnvFromSource,
  V1EnvVar,
  V1Job,
  V1Namespace,
  V1PodSpec,
  V1ResourceRequirements,
  V1Volume,
  V1VolumeMount,
} from "@kubernetes/client-node";
import {
  DEFAULT_FILE_MODE,
  type ExecutionSpec,
  ExecutorError,
  expandResultsDir,
  workloadFilePath,
} from "@tstr/executor";
import type { KubernetesPodOptions, VolumeOption } from "./kubernetes-options.js";
import { strategicMerge } from "./pod-patch.js";
import { RESULTS_CONTAINER, RESULTS_MOUNT, resultsDumpScript } from "./results-dump.js";

/** Name of the workload's container in the pod. */
export const WORKLOAD_CONTAINER = "workload";
/** Where spec.files land when the spec names no working directory (as with Docker). */
export const DEFAULT_WORKING_DIR = "/tstr/work";
const RESULTS_VOLUME = "tstr-results";
const FILES_VOLUME = "tstr-files";

/** What the backend decided for one attempt, beyond the spec. */
export interface JobContext {
  /** The Job's name, also the `tstr.dev/run-key` label. */
  runKey: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  options: KubernetesPodOptions;
  /** Name of the ConfigMap holding spec.files (when there are any). */
  filesConfigMap: string;
  resultsImage: string;
  resultsMaxBytes: number;
  ttlSecondsAfterFinished: number;
  /** From the test's timeout plus slack; none when the test has no timeout. */
  activeDeadlineSeconds?: number;
  terminationGracePeriodSeconds: number;
}

/**
 * The pure translation of an ExecutionSpec into a batch/v1 Job: backoffLimit 0 (tstr retries, not
 * Kubernetes), restartPolicy Never, the workload container, the results sidecar, the files
 * ConfigMap mounted at the working dir, the test's pod options, then its strategic-merge patch.
 * Throws ExecutorError CREATE_FAILED for specs the API would reject or we cannot honour.
 */
export function toJob(spec: ExecutionSpec, context: JobContext): V1Job {
  const workingDir = spec.workingDir ?? DEFAULT_WORKING_DIR;
  for (const [what, path] of [
    ["workingDir", workingDir],
    ["resultsPath", spec.resultsPath],
  ] as const) {
    if (!posix.isAbsolute(path))
      throw new ExecutorError("CREATE_FAILED", `${what} must be an absolute path, got ${path}`);
  }
  if (spec.files.length > 0 && posix.normalize(workingDir) === posix.normalize(spec.resultsPath)) {
    throw new ExecutorError("CREATE_FAILED", "workingDir and resultsPath must differ: both are mounted volumes");
  }
  const network = spec.network ?? "none";
  if (network !== "none" && network !== "host") {
    throw new ExecutorError("CREATE_FAILED", `network mode "${network}" is not supported on Kubernetes (none or host)`);
  }
  const { options } = context;
  const podSpec: V1PodSpec = {
    restartPolicy: "Never",
    terminationGracePeriodSeconds: context.terminationGracePeriodSeconds,
    enableServiceLinks: false,
    ...(network === "host" ? { hostNetwork: true } : {}),
    // No API token in the pod unless the test asked for an identity.
    ...(options.serviceAccount
      ? { serviceAccountName: options.serviceAccount }
      : { automountServiceAccountToken: false }),
    ...(Object.keys(options.nodeSelector).length > 0 ? { nodeSelector: options.nodeSelector } : {}),
    ...(options.tolerations.length > 0 ? { tolerations: options.tolerations } : {}),
    initContainers: [resultsSidecar(context)],
    containers: [workloadContainer(spec, workingDir, context)],
    volumes: [
      { name: RESULTS_VOLUME, emptyDir: {} },
      ...(spec.files.length > 0 ? [filesVolume(spec, context.filesConfigMap)] : []),
      ...options.volumes.map(toVolume),
    ],
  };
  const template = options.podPatch ? strategicMerge(podSpec, options.podPatch) : podSpec;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: context.runKey,
      namespace: context.namespace,
      labels: context.labels,
      annotations: context.annotations,
    },
    spec: {
      backoffLimit: 0,
      // A replacement only once the previous pod is fully gone: with backoffLimit 0, never.
      podReplacementPolicy: "Failed",
      ttlSecondsAfterFinished: context.ttlSecondsAfterFinished,
      ...(context.activeDeadlineSeconds ? { activeDeadlineSeconds: context.activeDeadlineSeconds } : {}),
      template: { metadata: { labels: context.labels, annotations: context.annotations }, spec: template },
    },
  };
}

/** The ConfigMap carrying spec.files (binaryData, keys f0, f1…), or undefined when there are none. */
export function toFilesConfigMap(spec: ExecutionSpec, context: JobContext): V1ConfigMap | undefined {
  if (spec.files.length === 0) return undefined;
  const binaryData: Record<string, string> = {};
  spec.files.forEach((file, index) => {
    binaryData[`f${index}`] = Buffer.from(file.content).toString("base64");
  });
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: context.filesConfigMap,
      namespace: context.namespace,
      labels: context.labels,
      annotations: context.annotations,
    },
    binaryData,
  };
}

/** The Pod Security level of namespaces created for a run: no privileged pods nor host paths. */
export const RUN_NAMESPACE_POD_SECURITY = { "pod-security.kubernetes.io/enforce": "baseline" } as const;

/** A fresh namespace for one run (isolated_namespace), enforcing the baseline Pod Security level. */
export function toRunNamespace(
  name: string,
  labels: Record<string, string>,
  annotations: Record<string, string>,
): V1Namespace {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { ...labels, ...RUN_NAMESPACE_POD_SECURITY }, annotations },
  };
}

/**
 * Kubernetes expands `$(VAR)` in command, args and env values and turns `$$` into `$`; the port
 * wants them verbatim except `$(TSTR_RESULTS_DIR)`, so that is expanded here and every `$` doubled.
 */
function verbatim(value: string, resultsPath: string): string {
  return expandResultsDir(value, resultsPath).replaceAll("$", "$$$$");
}

function workloadContainer(spec: ExecutionSpec, workingDir: string, context: JobContext): V1Container {
  const { options } = context;
  const command = spec.command.map((part) => verbatim(part, spec.resultsPath));
  const [first, ...rest] = command;
  const argv =
    spec.entrypointOverride && first !== undefined
      ? { command: [first], ...(rest.length > 0 ? { args: rest } : {}) }
      : command.length > 0
        ? { args: command }
        : {};
  const env: V1EnvVar[] = Object.entries(spec.env).map(([name, value]) => ({
    name,
    value: verbatim(value, spec.resultsPath),
  }));
  const envFrom: V1EnvFromSource[] = [];
  for (const ref of options.envFrom) {
    if (ref.key) {
      const keyRef = { name: (ref.secretName ?? ref.configMapName)!, key: ref.key };
      env.push({ name: ref.name!, valueFrom: ref.secretName ? { secretKeyRef: keyRef } : { configMapKeyRef: keyRef } });
    } else {
      const source = ref.secretName
        ? { secretRef: { name: ref.secretName } }
        : { configMapRef: { name: ref.configMapName! } };
      envFrom.push({ ...source, ...(ref.name ? { prefix: ref.name } : {}) });
    }
  }
  const mounts: V1VolumeMount[] = [{ name: RESULTS_VOLUME, mountPath: spec.resultsPath }];
  if (spec.files.length > 0) mounts.push({ name: FILES_VOLUME, mountPath: workingDir, readOnly: true });
  for (const volume of options.volumes)
    mounts.push({ name: volume.name, mountPath: volume.mountPath, readOnly: volume.readOnly });
  const pullPolicy = options.imagePullPolicy ?? PULL_POLICY[spec.pullPolicy ?? "if-not-present"];
  return {
    name: WORKLOAD_CONTAINER,
    image: spec.image,
    imagePullPolicy: pullPolicy,
    ...argv,
    workingDir,
    env,
    ...(envFrom.length > 0 ? { envFrom } : {}),
    ...resources(spec, options),
    volumeMounts: mounts,
  };
}

const PULL_POLICY = { always: "Always", "if-not-present": "IfNotPresent", never: "Never" } as const;

function resources(spec: ExecutionSpec, options: KubernetesPodOptions): { resources?: V1ResourceRequirements } {
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  const cpu =
    options.cpuLimit ?? (spec.resources?.cpuCores ? `${Math.ceil(spec.resources.cpuCores * 1000)}m` : undefined);
  const memory = options.memoryLimit ?? (spec.resources?.memoryBytes ? String(spec.resources.memoryBytes) : undefined);
  if (cpu) limits.cpu = cpu;
  if (memory) limits.memory = memory;
  if (options.cpuRequest) requests.cpu = options.cpuRequest;
  if (options.memoryRequest) requests.memory = options.memoryRequest;
  if (Object.keys(limits).length === 0 && Object.keys(requests).length === 0) return {};
  return {
    resources: {
      ...(Object.keys(limits).length > 0 ? { limits } : {}),
      ...(Object.keys(requests).length > 0 ? { requests } : {}),
    },
  };
}

function resultsSidecar(context: JobContext): V1Container {
  return {
    name: RESULTS_CONTAINER,
    image: context.resultsImage,
    imagePullPolicy: "IfNotPresent",
    // A native sidecar: started before the workload, sent SIGTERM once the workload has exited.
    restartPolicy: "Always",
    command: ["sh", "-c", resultsDumpScript(context.resultsMaxBytes).replaceAll("$", "$$$$")],
    resources: { requests: { cpu: "10m", memory: "16Mi" } },
    volumeMounts: [{ name: RESULTS_VOLUME, mountPath: RESULTS_MOUNT, readOnly: true }],
  };
}

function filesVolume(spec: ExecutionSpec, configMap: string): V1Volume {
  return {
    name: FILES_VOLUME,
    configMap: {
      name: configMap,
      defaultMode: 0o644,
      items: spec.files.map((file, index) => ({
        key: `f${index}`,
        path: workloadFilePath(file.path).join("/"),
        mode: file.mode ?? DEFAULT_FILE_MODE,
      })),
    },
  };
}

function toVolume(volume: VolumeOption): V1Volume {
  const source = volume.source;
  if ("configMap" in source) return { name: volume.name, configMap: { name: source.configMap } };
  if ("secret" in source) return { name: volume.name, secret: { secretName: source.secret } };
  if ("persistentVolumeClaim" in source) {
    return {
      name: volume.name,
      persistentVolumeClaim: { claimName: source.persistentVolumeClaim, readOnly: volume.readOnly },
    };
  }
  return { name: volume.name, hostPath: { path: source.hostPath } };
}
