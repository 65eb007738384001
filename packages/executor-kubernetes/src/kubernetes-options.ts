import { type ExecutionSpec, ExecutorError } from "@tstr/executor";

/** A Secret or ConfigMap reference for the workload's environment (proto KubernetesOptions.EnvFrom). */
export interface EnvFromOption {
  /** The variable to set from `key`; with no key, the prefix for every key of the object. */
  name?: string;
  secretName?: string;
  configMapName?: string;
  key?: string;
}

export interface TolerationOption {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export type VolumeSource =
  | { configMap: string }
  | { secret: string }
  | { persistentVolumeClaim: string }
  | { hostPath: string };

export interface VolumeOption {
  name: string;
  mountPath: string;
  readOnly: boolean;
  source: VolumeSource;
}

/** A test's pod details (run_config.kubernetes), validated. */
export interface KubernetesPodOptions {
  imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  envFrom: EnvFromOption[];
  nodeSelector: Record<string, string>;
  tolerations: TolerationOption[];
  serviceAccount?: string;
  volumes: VolumeOption[];
  /** Run in a fresh namespace, deleted afterwards. */
  isolatedNamespace: boolean;
  /** Strategic-merge patch for the generated pod spec. */
  podPatch?: Record<string, unknown>;
  cpuRequest?: string;
  memoryRequest?: string;
  cpuLimit?: string;
  memoryLimit?: string;
}

/**
 * What the Kubernetes backend reads from an ExecutionSpec beyond the port's fields. The runner
 * passes them on the spec object it builds; other backends ignore them.
 */
export interface KubernetesExecutionSpec extends ExecutionSpec {
  /** run_config.kubernetes: KubernetesOptions as proto JSON or as the protobuf-es message. */
  kubernetes?: unknown;
  /** The test's timeout; the Job's activeDeadlineSeconds is derived from it. */
  timeoutMs?: number;
  /** SIGTERM→SIGKILL grace; becomes the pod's terminationGracePeriodSeconds. */
  gracePeriodMs?: number;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"] as const;
const VOLUME_SOURCES = ["configMap", "secret", "persistentVolumeClaim", "hostPath"] as const;

/**
 * Validates run_config.kubernetes — the proto JSON of tstr.common.v1.KubernetesOptions
 * (`imagePullPolicy`, `envFrom`, `nodeSelector`, `tolerations`, `serviceAccount`, `volumes` with
 * one of `configMap`/`secret`/`persistentVolumeClaim`/`hostPath`, `isolatedNamespace`,
 * `podPatchJson`, `cpuRequest`…), or the protobuf-es message itself (oneof as `{case, value}`,
 * int64 as bigint). Throws ExecutorError CREATE_FAILED naming the field path.
 */
export function parseKubernetesOptions(value: unknown, path = "run_config.kubernetes"): KubernetesPodOptions {
  const input = record(value ?? {}, path);
  const fail = (field: string, message: string): never => {
    throw new ExecutorError("CREATE_FAILED", `${path}.${field}: ${message}`);
  };
  const text = (field: string): string | undefined => {
    const raw = input[field];
    if (raw === undefined || raw === null || raw === "") return undefined;
    if (typeof raw !== "string") fail(field, "must be a string");
    return raw as string;
  };
  const options: KubernetesPodOptions = {
    envFrom: [],
    nodeSelector: {},
    tolerations: [],
    volumes: [],
    isolatedNamespace: input.isolatedNamespace === true,
  };
  const pullPolicy = text("imagePullPolicy");
  if (pullPolicy !== undefined) {
    if (!PULL_POLICIES.includes(pullPolicy as never))
      fail("image_pull_policy", `must be one of ${PULL_POLICIES.join(", ")}`);
    options.imagePullPolicy = pullPolicy as KubernetesPodOptions["imagePullPolicy"];
  }
  for (const field of ["cpuRequest", "memoryRequest", "cpuLimit", "memoryLimit"] as const) {
    const quantity = text(field);
    if (quantity === undefined) continue;
    if (!QUANTITY.test(quantity))
      fail(snake(field), `${JSON.stringify(quantity)} is not a Kubernetes quantity (e.g. 500m, 1, 256Mi)`);
    options[field] = quantity;
  }
  const serviceAccount = text("serviceAccount");
  if (serviceAccount !== undefined) {
    if (!DNS_SUBDOMAIN.test(serviceAccount)) fail("service_account", "must be a DNS subdomain name");
    options.serviceAccount = serviceAccount;
  }
  for (const [key, selected] of Object.entries(record(input.nodeSelector ?? {}, `${path}.node_selector`))) {
    if (typeof selected !== "string") fail(`node_selector["${key}"]`, "must be a string");
    options.nodeSelector[key] = selected as string;
  }
  list(input.tolerations, `${path}.tolerations`).forEach((item, i) => {
    const toleration = record(item, `${path}.tolerations[${i}]`);
    const seconds = toleration.tolerationSeconds;
    options.tolerations.push({
      ...pick(toleration, ["key", "operator", "value", "effect"]),
      ...(seconds !== undefined && seconds !== null && Number(seconds) !== 0
        ? { tolerationSeconds: Number(seconds) }
        : {}),
    });
  });
  list(input.envFrom, `${path}.env_from`).forEach((item, i) => {
    const env = pick(record(item, `${path}.env_from[${i}]`), ["name", "secretName", "configMapName", "key"]);
    const at = `env_from[${i}]`;
    if (Boolean(env.secretName) === Boolean(env.configMapName))
      fail(at, "needs exactly one of secret_name and config_map_name");
    if (env.key && !env.name) fail(`${at}.name`, "is required when key is set (the variable to set)");
    if (env.key && !ENV_NAME.test(env.name ?? "")) fail(`${at}.name`, "must be a valid environment variable name");
    options.envFrom.push(env);
  });
  for (const [i, item] of list(input.volumes, `${path}.volumes`).entries()) {
    options.volumes.push(volumeOf(item, `${path}.volumes[${i}]`));
  }
  const patch = text("podPatchJson");
  if (patch !== undefined) {
    try {
      options.podPatch = record(JSON.parse(patch), "");
    } catch {
      fail("pod_patch_json", "must be a JSON object (a strategic-merge patch of the pod spec)");
    }
  }
  return options;
}

function volumeOf(item: unknown, path: string): VolumeOption {
  const volume = record(item, path);
  const fail = (field: string, message: string): never => {
    throw new ExecutorError("CREATE_FAILED", `${path}.${field}: ${message}`);
  };
  const name = String(volume.name ?? "");
  if (!DNS_LABEL.test(name) || name.startsWith("tstr-")) fail("name", "must be a DNS label not starting with tstr-");
  const mountPath = String(volume.mountPath ?? "");
  if (!mountPath.startsWith("/")) fail("mount_path", "must be an absolute path");
  const oneof = volume.source as { case?: string; value?: unknown } | undefined;
  const chosen = oneof?.case
    ? [[oneof.case, oneof.value] as const]
    : VOLUME_SOURCES.filter((key) => volume[key] !== undefined && volume[key] !== "").map(
        (key) => [key, volume[key]] as const,
      );
  const [source] = chosen;
  if (
    chosen.length !== 1 ||
    !source ||
    !VOLUME_SOURCES.includes(source[0] as never) ||
    typeof source[1] !== "string" ||
    !source[1]
  ) {
    fail("source", `needs exactly one of ${VOLUME_SOURCES.map(snake).join(", ")}`);
  }
  return { name, mountPath, readOnly: volume.readOnly === true, source: { [source![0]]: source![1] } as VolumeSource };
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ExecutorError("CREATE_FAILED", `${path}: must be an object`);
  }
  return value as Record<string, unknown>;
}

function list(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ExecutorError("CREATE_FAILED", `${path}: must be a list`);
  return value;
}

function pick<K extends string>(source: Record<string, unknown>, keys: K[]): Partial<Record<K, string>> {
  const picked: Partial<Record<K, string>> = {};
  for (const key of keys)
    if (typeof source[key] === "string" && source[key] !== "") picked[key] = source[key] as string;
  return picked;
}

function snake(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
