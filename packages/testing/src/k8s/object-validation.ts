import { invalid } from "./api-error.js";
import type { KubeObject, ResourceName } from "./object-store.js";

type Cause = { field: string; message: string };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
/** Size limit of a ConfigMap's data, as etcd's object limit makes the API enforce. */
export const CONFIG_MAP_MAX_BYTES = 1024 * 1024;

const GROUP_OF: Partial<Record<ResourceName, string>> = { jobs: "batch" };

/**
 * Rejects what the real API server rejects for the objects the executor creates, with the same
 * 422 shape: names (DNS labels/subdomains), label keys and values, ConfigMap keys and size, and a
 * Job's pod template (restartPolicy, containers, volumes and mounts, deadlines).
 */
export function validateObject(resource: ResourceName, object: KubeObject): void {
  const causes: Cause[] = [];
  const name = object.metadata?.name ?? "";
  const nameRule = resource === "namespaces" || resource === "jobs" ? DNS_LABEL : DNS_SUBDOMAIN;
  if (!name) causes.push({ field: "metadata.name", message: "Required value: name or generateName is required" });
  else if (!nameRule.test(name) || name.length > (nameRule === DNS_LABEL ? 63 : 253)) {
    causes.push({
      field: "metadata.name",
      message: `Invalid value: "${name}": a lowercase RFC 1123 name must consist of lower case alphanumeric characters or '-'`,
    });
  }
  causes.push(...labelCauses("metadata.labels", object.metadata?.labels));
  for (const key of Object.keys(object.metadata?.annotations ?? {})) {
    if (!validKey(key))
      causes.push({
        field: "metadata.annotations",
        message: `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
      });
  }
  if (resource === "configmaps") causes.push(...configMapCauses(object));
  if (resource === "jobs") causes.push(...jobCauses(object));
  if (causes.length > 0) throw invalid(object.kind, GROUP_OF[resource] ?? "", name, causes);
}

function validKey(key: string): boolean {
  const [prefix, namepart] = key.includes("/") ? key.split("/", 2) : [undefined, key];
  if (prefix !== undefined && (!DNS_SUBDOMAIN.test(prefix) || prefix.length > 253)) return false;
  return namepart !== undefined && namepart.length <= 63 && LABEL_NAME.test(namepart);
}

function labelCauses(field: string, labels: Record<string, string> | undefined): Cause[] {
  const causes: Cause[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (!validKey(key))
      causes.push({
        field,
        message: `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
      });
    if (typeof value !== "string" || value.length > 63 || (value !== "" && !LABEL_NAME.test(value))) {
      causes.push({
        field,
        message: `Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63)`,
      });
    }
  }
  return causes;
}

function configMapCauses(object: KubeObject): Cause[] {
  const causes: Cause[] = [];
  let size = 0;
  for (const [key, value] of [...Object.entries(object.data ?? {}), ...Object.entries(object.binaryData ?? {})]) {
    if (!CONFIG_KEY.test(key))
      causes.push({
        field: `data[${key}]`,
        message: `Invalid value: "${key}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`,
      });
    size +=
      key.length +
      (object.binaryData?.[key] === value ? Buffer.from(value, "base64").length : Buffer.byteLength(value));
  }
  if (size > CONFIG_MAP_MAX_BYTES)
    causes.push({ field: "[]", message: `Too long: must have at most ${CONFIG_MAP_MAX_BYTES} bytes` });
  return causes;
}

function jobCauses(job: KubeObject): Cause[] {
  const causes: Cause[] = [];
  const spec = job.spec ?? {};
  const pod = spec.template?.spec;
  if (!pod) return [{ field: "spec.template.spec", message: "Required value" }];
  causes.push(...labelCauses("spec.template.metadata.labels", spec.template.metadata?.labels));
  if (pod.restartPolicy !== "Never" && pod.restartPolicy !== "OnFailure") {
    causes.push({
      field: "spec.template.spec.restartPolicy",
      message: `Required value: valid values: "OnFailure", "Never"`,
    });
  }
  for (const [field, value] of [
    ["spec.backoffLimit", spec.backoffLimit],
    ["spec.ttlSecondsAfterFinished", spec.ttlSecondsAfterFinished],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0))
      causes.push({ field, message: `Invalid value: ${value}: must be greater than or equal to 0` });
  }
  if (
    spec.activeDeadlineSeconds !== undefined &&
    !(Number.isInteger(spec.activeDeadlineSeconds) && spec.activeDeadlineSeconds > 0)
  ) {
    causes.push({
      field: "spec.activeDeadlineSeconds",
      message: `Invalid value: ${spec.activeDeadlineSeconds}: must be greater than 0`,
    });
  }
  const volumes = new Set<string>();
  for (const [index, volume] of (pod.volumes ?? []).entries()) {
    if (volumes.has(volume.name))
      causes.push({ field: `spec.template.spec.volumes[${index}].name`, message: `Duplicate value: "${volume.name}"` });
    volumes.add(volume.name);
  }
  if (!Array.isArray(pod.containers) || pod.containers.length === 0) {
    causes.push({ field: "spec.template.spec.containers", message: "Required value" });
  }
  const names = new Set<string>();
  for (const [list, containers] of [
    ["initContainers", pod.initContainers ?? []],
    ["containers", pod.containers ?? []],
  ] as const) {
    for (const [index, container] of containers.entries()) {
      const at = `spec.template.spec.${list}[${index}]`;
      if (!container.name || !DNS_LABEL.test(container.name))
        causes.push({ field: `${at}.name`, message: `Invalid value: "${container.name}"` });
      else if (names.has(container.name))
        causes.push({ field: `${at}.name`, message: `Duplicate value: "${container.name}"` });
      names.add(container.name);
      if (!container.image) causes.push({ field: `${at}.image`, message: "Required value" });
      const paths = new Set<string>();
      for (const [m, mount] of (container.volumeMounts ?? []).entries()) {
        if (!volumes.has(mount.name))
          causes.push({ field: `${at}.volumeMounts[${m}].name`, message: `Not found: "${mount.name}"` });
        if (paths.has(mount.mountPath))
          causes.push({
            field: `${at}.volumeMounts[${m}].mountPath`,
            message: `Invalid value: "${mount.mountPath}": must be unique`,
          });
        paths.add(mount.mountPath);
      }
    }
  }
  return causes;
}

/** What the API server fills in on a Job it stores (the fields the emulator's controllers read). */
export function defaultJob(job: KubeObject): void {
  job.spec.backoffLimit ??= 6;
  job.spec.completions ??= 1;
  job.spec.parallelism ??= 1;
  const pod = job.spec.template.spec;
  pod.terminationGracePeriodSeconds ??= 30;
  pod.dnsPolicy ??= "ClusterFirst";
  pod.schedulerName ??= "default-scheduler";
  for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
    const tag = /:[^/]+$/.exec(container.image)?.[0];
    container.imagePullPolicy ??= !tag || tag === ":latest" ? "Always" : "IfNotPresent";
    container.terminationMessagePath ??= "/dev/termination-log";
  }
  job.status ??= {};
}
