import type { IncomingMessage } from "node:http";
import {
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1ConfigMap,
  type V1Job,
  type V1Namespace,
  type V1Pod,
} from "@kubernetes/client-node";
import { toKubeApiError } from "./kube-api-error.js";
import { jsonLines, openStream } from "./kube-stream.js";

/** One event of a pod watch (BOOKMARK events carry only a resourceVersion; ERROR a Status). */
export interface PodWatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: V1Pod & { code?: number; message?: string };
}

export interface PodLogQuery {
  container: string;
  follow: boolean;
  timestamps: boolean;
  /** RFC 3339; lines at or after it. */
  sinceTime?: string;
}

/**
 * Every Kubernetes API call the executor makes, and nothing else: the executor talks to the
 * cluster only through this, so API_CALL_RULES (one RBAC rule per method) is the complete list of
 * permissions it needs, and REQUIRED_RBAC_RULES follows from it.
 */
export interface KubeApi {
  createNamespace(body: V1Namespace): Promise<V1Namespace>;
  readNamespace(name: string): Promise<V1Namespace>;
  listNamespaces(labelSelector: string): Promise<V1Namespace[]>;
  deleteNamespace(name: string): Promise<void>;
  createConfigMap(namespace: string, body: V1ConfigMap): Promise<V1ConfigMap>;
  listConfigMaps(namespace: string, labelSelector: string): Promise<V1ConfigMap[]>;
  deleteConfigMap(namespace: string, name: string): Promise<void>;
  createJob(namespace: string, body: V1Job): Promise<V1Job>;
  readJob(namespace: string, name: string): Promise<V1Job>;
  listJobs(namespace: string, labelSelector: string): Promise<V1Job[]>;
  /** Deletes with propagationPolicy Foreground: the Job goes once its pods are gone. */
  deleteJob(namespace: string, name: string): Promise<void>;
  listPods(namespace: string, labelSelector: string): Promise<{ pods: V1Pod[]; resourceVersion: string }>;
  watchPods(
    namespace: string,
    labelSelector: string,
    resourceVersion: string,
    signal: AbortSignal,
  ): Promise<AsyncIterable<PodWatchEvent>>;
  /** Graceful deletion: SIGTERM, SIGKILL after `gracePeriodSeconds`. */
  deletePod(namespace: string, name: string, gracePeriodSeconds: number): Promise<void>;
  streamPodLog(namespace: string, pod: string, query: PodLogQuery, signal: AbortSignal): Promise<IncomingMessage>;
}

/** An RBAC attribute: what the API server authorises one call as. */
export interface ApiCallRule {
  apiGroup: "" | "batch";
  resource: string;
  verb: "create" | "get" | "list" | "watch" | "delete";
}

/** The RBAC attribute of each KubeApi method; `satisfies` makes a method without one a type error. */
export const API_CALL_RULES = {
  createNamespace: { apiGroup: "", resource: "namespaces", verb: "create" },
  readNamespace: { apiGroup: "", resource: "namespaces", verb: "get" },
  listNamespaces: { apiGroup: "", resource: "namespaces", verb: "list" },
  deleteNamespace: { apiGroup: "", resource: "namespaces", verb: "delete" },
  createConfigMap: { apiGroup: "", resource: "configmaps", verb: "create" },
  listConfigMaps: { apiGroup: "", resource: "configmaps", verb: "list" },
  deleteConfigMap: { apiGroup: "", resource: "configmaps", verb: "delete" },
  createJob: { apiGroup: "batch", resource: "jobs", verb: "create" },
  readJob: { apiGroup: "batch", resource: "jobs", verb: "get" },
  listJobs: { apiGroup: "batch", resource: "jobs", verb: "list" },
  deleteJob: { apiGroup: "batch", resource: "jobs", verb: "delete" },
  listPods: { apiGroup: "", resource: "pods", verb: "list" },
  watchPods: { apiGroup: "", resource: "pods", verb: "watch" },
  deletePod: { apiGroup: "", resource: "pods", verb: "delete" },
  streamPodLog: { apiGroup: "", resource: "pods/log", verb: "get" },
} as const satisfies Record<keyof KubeApi, ApiCallRule>;

/** The KubeApi over @kubernetes/client-node's typed clients (and node:http for streams). */
export function createKubeApi(kubeConfig: KubeConfig): KubeApi {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const call = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw toKubeApiError(err, what);
    }
  };
  return {
    createNamespace: (body) => call(`creating namespace ${body.metadata?.name}`, () => core.createNamespace({ body })),
    readNamespace: (name) => call(`reading namespace ${name}`, () => core.readNamespace({ name })),
    listNamespaces: (labelSelector) =>
      call("listing namespaces", async () => (await core.listNamespace({ labelSelector })).items),
    deleteNamespace: (name) =>
      call(`deleting namespace ${name}`, async () => void (await core.deleteNamespace({ name }))),
    createConfigMap: (namespace, body) =>
      call(`creating ConfigMap ${namespace}/${body.metadata?.name}`, () =>
        core.createNamespacedConfigMap({ namespace, body }),
      ),
    listConfigMaps: (namespace, labelSelector) =>
      call(
        `listing ConfigMaps in ${namespace}`,
        async () => (await core.listNamespacedConfigMap({ namespace, labelSelector })).items,
      ),
    deleteConfigMap: (namespace, name) =>
      call(
        `deleting ConfigMap ${namespace}/${name}`,
        async () => void (await core.deleteNamespacedConfigMap({ name, namespace })),
      ),
    createJob: (namespace, body) =>
      call(`creating Job ${namespace}/${body.metadata?.name}`, () => batch.createNamespacedJob({ namespace, body })),
    readJob: (namespace, name) =>
      call(`reading Job ${namespace}/${name}`, () => batch.readNamespacedJob({ name, namespace })),
    listJobs: (namespace, labelSelector) =>
      call(
        `listing Jobs in ${namespace}`,
        async () => (await batch.listNamespacedJob({ namespace, labelSelector })).items,
      ),
    deleteJob: (namespace, name) =>
      call(`deleting Job ${namespace}/${name}`, async () => {
        await batch.deleteNamespacedJob({ name, namespace, propagationPolicy: "Foreground" });
      }),
    listPods: (namespace, labelSelector) =>
      call(`listing pods in ${namespace}`, async () => {
        const list = await core.listNamespacedPod({ namespace, labelSelector });
        return { pods: list.items, resourceVersion: list.metadata?.resourceVersion ?? "" };
      }),
    async watchPods(namespace, labelSelector, resourceVersion, signal) {
      const query = {
        watch: "true",
        labelSelector,
        resourceVersion,
        allowWatchBookmarks: "true",
        timeoutSeconds: "300",
      };
      const response = await call(`watching pods in ${namespace}`, () =>
        openStream(kubeConfig, `/api/v1/namespaces/${namespace}/pods`, query, signal),
      );
      response.setEncoding("utf8");
      return jsonLines<PodWatchEvent>(response);
    },
    deletePod: (namespace, name, gracePeriodSeconds) =>
      call(`deleting pod ${namespace}/${name}`, async () => {
        await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds });
      }),
    streamPodLog: (namespace, pod, query, signal) =>
      call(`reading the log of ${namespace}/${pod}`, () =>
        openStream(
          kubeConfig,
          `/api/v1/namespaces/${namespace}/pods/${pod}/log`,
          {
            container: query.container,
            follow: String(query.follow),
            timestamps: String(query.timestamps),
            sinceTime: query.sinceTime,
          },
          signal,
        ),
      ),
  };
}
