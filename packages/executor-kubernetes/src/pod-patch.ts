/**
 * The merge keys of the pod spec's lists, as Kubernetes' strategic merge patch defines them
 * (`patchMergeKey` in core/v1). Lists not named here whose items all have a `name` are merged by
 * name too; every other list is replaced.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  env: "name",
  ports: "containerPort",
  imagePullSecrets: "name",
  hostAliases: "ip",
  resourceClaims: "name",
  readinessGates: "conditionType",
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Applies a strategic-merge patch to a pod spec, the small documented subset tstr supports:
 * objects are merged key by key (a `null` value deletes the key); lists of keyed items
 * (containers, volumes, env… see MERGE_KEYS, or any list of items that all have `name`) are
 * merged item by item on that key — a matching item is merged, a new one appended, and
 * `{"name": "x", "$patch": "delete"}` removes one; any other list, and any scalar, is replaced.
 * Pure: returns a new value and leaves both arguments as they were.
 */
export function strategicMerge<T>(target: T, patch: unknown): T {
  return mergeValue(target as Json, patch as Json, undefined) as T;
}

function mergeValue(target: Json | undefined, patch: Json, field: string | undefined): Json {
  if (isObject(patch) && isObject(target)) {
    const merged: { [key: string]: Json } = { ...target };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key];
      else merged[key] = mergeValue(target[key], value, key);
    }
    return merged;
  }
  if (Array.isArray(patch) && Array.isArray(target)) {
    const key = mergeKeyOf(field, target, patch);
    if (key) return mergeList(target, patch, key);
  }
  return structuredClone(withoutDirectives(patch));
}

function mergeKeyOf(field: string | undefined, target: Json[], patch: Json[]): string | undefined {
  const known = field === undefined ? undefined : MERGE_KEYS[field];
  if (known) return known;
  const named = (items: Json[]) => items.every((item) => isObject(item) && typeof item.name === "string");
  return target.length > 0 && named(target) && named(patch) ? "name" : undefined;
}

function mergeList(target: Json[], patch: Json[], key: string): Json[] {
  const merged = [...target];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const index = merged.findIndex((existing) => isObject(existing) && existing[key] === item[key]);
    if (item.$patch === "delete") {
      if (index !== -1) merged.splice(index, 1);
    } else if (index === -1) merged.push(withoutDirectives(item));
    else merged[index] = mergeValue(merged[index], item, undefined);
  }
  return merged;
}

function withoutDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutDirectives);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "$patch")
      .map(([key, inner]) => [key, withoutDirectives(inner)]),
  );
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
