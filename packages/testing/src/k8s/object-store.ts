import { randomUUID } from "node:crypto";
import { ApiError, alreadyExists, notFound } from "./api-error.js";
import { parseLabelSelector } from "./label-selector.js";

/** The resources the emulator serves, by their URL name. */
export type ResourceName = "namespaces" | "configmaps" | "secrets" | "jobs" | "pods";

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
}

/** Any stored API object; controllers narrow `spec`/`status` themselves. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  // biome-ignore lint/suspicious/noExplicitAny: API objects are free-form JSON; each controller reads its own fields.
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: see spec.
  status?: any;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export interface StoreEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  resource: ResourceName;
  object: KubeObject;
  resourceVersion: number;
}

/** Events kept for watches that resume from a resourceVersion by default; older ones answer 410 Gone. */
const HISTORY = 10_000;

/** Group of each resource, for error messages (`jobs.batch "x" not found`). */
export const RESOURCE_GROUP: Record<ResourceName, string> = {
  namespaces: "",
  configmaps: "",
  secrets: "",
  pods: "",
  jobs: "batch",
};

/**
 * The emulated etcd: objects by resource, namespace and name, one resourceVersion counter for
 * everything (as etcd's revision), and a bounded event history so watches can resume. Reads hand
 * out copies, so no caller can change stored state without a write that bumps the version.
 */
export function createObjectStore(historyLimit = HISTORY) {
  const objects = new Map<string, KubeObject>();
  const history: StoreEvent[] = [];
  const listeners = new Set<(event: StoreEvent) => void>();
  let revision = 1;

  const keyOf = (resource: ResourceName, namespace: string | undefined, name: string) =>
    `${resource}/${namespace ?? ""}/${name}`;

  const queue: StoreEvent[] = [];
  let dispatching = false;

  // Listeners (controllers) write to the store while handling an event; queueing those writes'
  // events keeps every listener seeing events in resourceVersion order.
  function emit(type: StoreEvent["type"], resource: ResourceName, object: KubeObject) {
    const event = { type, resource, object: structuredClone(object), resourceVersion: revision };
    history.push(event);
    if (history.length > historyLimit) history.shift();
    queue.push(event);
    if (dispatching) return;
    dispatching = true;
    try {
      for (let next = queue.shift(); next; next = queue.shift()) {
        for (const listener of [...listeners]) {
          try {
            listener(next);
          } catch (err) {
            // A broken controller must not stop the others (or the watches) from seeing events.
            console.error("k8s emulator: a store listener failed", err);
          }
        }
      }
    } finally {
      dispatching = false;
    }
  }

  function bump(object: KubeObject) {
    revision++;
    object.metadata.resourceVersion = String(revision);
  }

  return {
    resourceVersion: () => String(revision),

    get(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined {
      const found = objects.get(keyOf(resource, namespace, name));
      return found && structuredClone(found);
    },

    /** Objects of a resource, in one namespace or all, filtered by a label selector. */
    list(resource: ResourceName, namespace?: string, labelSelector?: string | null): KubeObject[] {
      const matches = parseLabelSelector(labelSelector);
      return [...objects.values()]
        .filter((object) => kindMatches(resource, object, namespace))
        .filter((object) => matches(object.metadata.labels ?? {}))
        .map((object) => structuredClone(object));
    },

    /** Stores a new object: uid, resourceVersion and creationTimestamp are the store's. */
    create(resource: ResourceName, object: KubeObject): KubeObject {
      const key = keyOf(resource, object.metadata.namespace, object.metadata.name);
      if (objects.has(key)) throw alreadyExists(resource, RESOURCE_GROUP[resource], object.metadata.name);
      const stored = structuredClone(object);
      stored.metadata.uid = randomUUID();
      stored.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      bump(stored);
      objects.set(key, stored);
      emit("ADDED", resource, stored);
      return structuredClone(stored);
    },

    /** Changes a stored object in place (MODIFIED); undefined when it is gone. */
    mutate(
      resource: ResourceName,
      namespace: string | undefined,
      name: string,
      change: (object: KubeObject) => void,
    ): KubeObject | undefined {
      const key = keyOf(resource, namespace, name);
      const current = objects.get(key);
      if (!current) return undefined;
      const next = structuredClone(current);
      change(next);
      bump(next);
      objects.set(key, next);
      emit("MODIFIED", resource, next);
      return structuredClone(next);
    },

    /** Removes an object for good (DELETED); undefined when it was not there. */
    remove(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined {
      const key = keyOf(resource, namespace, name);
      const current = objects.get(key);
      if (!current) return undefined;
      objects.delete(key);
      bump(current);
      emit("DELETED", resource, current);
      return structuredClone(current);
    },

    /** Events after `resourceVersion`, or 410 Gone when history no longer reaches back that far. */
    eventsSince(resourceVersion: number): StoreEvent[] {
      const oldest = history[0]?.resourceVersion;
      if (oldest !== undefined && resourceVersion < oldest - 1) {
        throw new ApiError(410, "Expired", `too old resource version: ${resourceVersion} (${oldest - 1})`);
      }
      return history.filter((event) => event.resourceVersion > resourceVersion);
    },

    subscribe(listener: (event: StoreEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /** Throws 404 unless the object exists. */
    require(resource: ResourceName, namespace: string | undefined, name: string): KubeObject {
      const found = objects.get(keyOf(resource, namespace, name));
      if (!found) throw notFound(resource, RESOURCE_GROUP[resource], name);
      return structuredClone(found);
    },
  };
}

export type ObjectStore = ReturnType<typeof createObjectStore>;

const KIND_OF: Record<ResourceName, string> = {
  namespaces: "Namespace",
  configmaps: "ConfigMap",
  secrets: "Secret",
  jobs: "Job",
  pods: "Pod",
};

/** The `kind` stored objects of a resource carry. */
export function kindOf(resource: ResourceName): string {
  return KIND_OF[resource];
}

function kindMatches(resource: ResourceName, object: KubeObject, namespace: string | undefined): boolean {
  return object.kind === KIND_OF[resource] && (namespace === undefined || object.metadata.namespace === namespace);
}
