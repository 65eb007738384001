import type { KubeObject, ObjectStore } from "./object-store.js";
import { expandVariables } from "./variable-expansion.js";

/** The environment the kubelet gives a container, or why it cannot (CreateContainerConfigError). */
export type ContainerEnv = { env: Map<string, string> } | { error: string };

interface KeyRef {
  name: string;
  key: string;
  optional?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: container specs are free-form API JSON.
type Container = any;

/**
 * Resolves `envFrom` (ConfigMaps/Secrets, with prefixes) then `env` (values with `$(VAR)`
 * expansion over the variables defined before, ConfigMap/Secret key references, and the pod
 * fields the executor may reference), as the kubelet does. A missing object or key that is not
 * optional is the kubelet's CreateContainerConfigError message.
 */
export function resolveContainerEnv(container: Container, pod: KubeObject, store: ObjectStore): ContainerEnv {
  const namespace = pod.metadata.namespace;
  const env = new Map<string, string>();
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    const resource = source.configMapRef ? "configmaps" : "secrets";
    const object = store.get(resource, namespace, ref?.name ?? "");
    if (!object) {
      if (ref?.optional) continue;
      return { error: `${resource === "configmaps" ? "configmap" : "secret"} "${ref?.name}" not found` };
    }
    for (const [key, value] of Object.entries(valuesOf(object))) env.set(`${source.prefix ?? ""}${key}`, value);
  }
  for (const variable of container.env ?? []) {
    if (variable.valueFrom === undefined) {
      env.set(
        variable.name,
        expandVariables(variable.value ?? "", (name) => env.get(name)),
      );
      continue;
    }
    const resolved = resolveReference(variable.valueFrom, pod, store);
    if (typeof resolved === "object") {
      if (resolved.optional) continue;
      return { error: resolved.error };
    }
    env.set(variable.name, resolved);
  }
  return { env };
}

function resolveReference(
  // biome-ignore lint/suspicious/noExplicitAny: an EnvVarSource.
  source: any,
  pod: KubeObject,
  store: ObjectStore,
): string | { error: string; optional: boolean } {
  const namespace = pod.metadata.namespace;
  if (source.configMapKeyRef || source.secretKeyRef) {
    const ref: KeyRef = source.configMapKeyRef ?? source.secretKeyRef;
    const isConfigMap = Boolean(source.configMapKeyRef);
    const object = store.get(isConfigMap ? "configmaps" : "secrets", namespace, ref.name);
    const what = isConfigMap ? "configmap" : "secret";
    if (!object) return { error: `${what} "${ref.name}" not found`, optional: Boolean(ref.optional) };
    const value = valuesOf(object)[ref.key];
    if (value === undefined) {
      const kind = isConfigMap ? "ConfigMap" : "Secret";
      return {
        error: `couldn't find key ${ref.key} in ${kind} ${namespace}/${ref.name}`,
        optional: Boolean(ref.optional),
      };
    }
    return value;
  }
  const fields: Record<string, string | undefined> = {
    "metadata.name": pod.metadata.name,
    "metadata.namespace": namespace,
    "metadata.uid": pod.metadata.uid,
    "spec.nodeName": pod.spec?.nodeName,
    "spec.serviceAccountName": pod.spec?.serviceAccountName,
  };
  const path: string | undefined = source.fieldRef?.fieldPath;
  const value = path === undefined ? undefined : fields[path];
  return value ?? { error: `unsupported env source ${JSON.stringify(source)}`, optional: false };
}

/** A ConfigMap's or Secret's values as text (Secret data and binaryData are base64). */
export function valuesOf(object: KubeObject): Record<string, string> {
  const values: Record<string, string> = {};
  const decode = (text: string) => Buffer.from(text, "base64").toString("utf8");
  const encoded = object.kind === "Secret" ? object.data : object.binaryData;
  for (const [key, value] of Object.entries(encoded ?? {})) values[key] = decode(value);
  if (object.kind !== "Secret") Object.assign(values, object.data ?? {});
  // biome-ignore lint/suspicious/noExplicitAny: Secrets may also carry stringData when seeded by tests.
  for (const [key, value] of Object.entries((object as any).stringData ?? {})) values[key] = String(value);
  return values;
}

/** A ConfigMap's or Secret's entries as bytes, for volume files. */
export function bytesOf(object: KubeObject): Record<string, Buffer> {
  const bytes: Record<string, Buffer> = {};
  if (object.kind === "Secret") {
    for (const [key, value] of Object.entries(object.data ?? {})) bytes[key] = Buffer.from(value, "base64");
    // biome-ignore lint/suspicious/noExplicitAny: see valuesOf.
    for (const [key, value] of Object.entries((object as any).stringData ?? {}))
      bytes[key] = Buffer.from(String(value));
    return bytes;
  }
  for (const [key, value] of Object.entries(object.data ?? {})) bytes[key] = Buffer.from(value, "utf8");
  for (const [key, value] of Object.entries(object.binaryData ?? {})) bytes[key] = Buffer.from(value, "base64");
  return bytes;
}
