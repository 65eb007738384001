import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DOCKER_SOCKET } from "../docker/ensure-test-image.js";
import { handleApiRequest, type RecordedRequest } from "./api-server.js";
import { createDockerEngine } from "./docker-engine.js";
import { createJobController } from "./job-controller.js";
import { parseLabelSelector } from "./label-selector.js";
import { createNamespaceController } from "./namespace-controller.js";
import { createObjectStore, type KubeObject, type ResourceName } from "./object-store.js";
import type { LogStreamDrop } from "./pod-logs.js";
import { CONTAINER_LABELS, createPodRuntime, POD_LABEL_PREFIX } from "./pod-runtime.js";
import type { EmulatedNode } from "./scheduling.js";

export interface KubernetesEmulatorOptions {
  /** Docker engine that runs the pods (default /var/run/docker.sock). */
  dockerSocket?: string;
  /** The single node's labels and taints (name `emulator-node`, `kubernetes.io/os=linux`). */
  node?: Partial<EmulatedNode>;
  /** Events kept for resuming watches (default 10 000); a smaller history makes 410 Gone testable. */
  watchHistory?: number;
}

/** The kubeconfig of the emulator in the shape `KubeConfig.loadFromOptions` takes (no auth, plain HTTP). */
export interface EmulatorKubeConfig {
  clusters: { name: string; server: string; skipTLSVerify: boolean }[];
  users: { name: string }[];
  contexts: { name: string; cluster: string; user: string; namespace: string }[];
  currentContext: string;
}

/**
 * A stand-in for a Kubernetes API server (no real one can run on these machines) serving exactly
 * the paths tstr's Kubernetes executor uses, backed by the local Docker engine so pods really run:
 * namespaces, configmaps, jobs (create/get/list/watch/delete with propagationPolicy), pods
 * (get/list/watch/delete) and pods/log (follow, timestamps, sinceTime). It is a test double and
 * says so: what it does not model (scheduling beyond one node, RBAC, admission, pulls) is in the
 * executor's README.
 */
export interface KubernetesEmulator {
  readonly url: string;
  readonly kubeConfig: EmulatorKubeConfig;
  /** Writes a kubeconfig file (JSON, which is valid YAML) pointing at the emulator. */
  writeKubeconfig(path: string): Promise<void>;
  /** Every API call received, as RBAC attributes. */
  readonly requests: readonly RecordedRequest[];
  /** Cuts the next follow stream of `container`'s log mid-line after `afterLines` lines (once). */
  dropLogStreamOnce(drop: LogStreamDrop): void;
  /** Evicts a pod the way node pressure does: killed, Failed with reason Evicted. */
  evictPod(namespace: string, name: string, message?: string): Promise<void>;
  /** Stores an object directly (Secrets and ConfigMaps a test's pods reference), bypassing the API. */
  seed(
    resource: ResourceName,
    object: Omit<KubeObject, "metadata"> & { metadata: { name: string; namespace?: string } },
  ): KubeObject;
  list(resource: ResourceName, namespace?: string, labelSelector?: string): KubeObject[];
  /** Objects and Docker containers still there whose labels match `labelSelector`. */
  leftovers(labelSelector: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Starts an emulator on 127.0.0.1 (a free port). */
export async function startKubernetesEmulator(options: KubernetesEmulatorOptions = {}): Promise<KubernetesEmulator> {
  const emulatorId = randomUUID();
  const root = await mkdtemp(join(tmpdir(), "tstr-k8s-emulator-"));
  const docker = createDockerEngine(options.dockerSocket ?? DOCKER_SOCKET);
  const store = createObjectStore(options.watchHistory);
  const node: EmulatedNode = {
    name: options.node?.name ?? "emulator-node",
    labels: options.node?.labels ?? { "kubernetes.io/os": "linux", "kubernetes.io/hostname": "emulator-node" },
    taints: options.node?.taints ?? [],
  };
  const runtime = createPodRuntime({ store, docker, node, root, emulatorId });
  const jobs = createJobController(store, runtime);
  const namespaces = createNamespaceController(store, jobs, runtime);
  const requests: RecordedRequest[] = [];
  const drops: LogStreamDrop[] = [];
  for (const name of ["default", "kube-system"]) {
    store.create("namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name } as KubeObject["metadata"],
      status: { phase: "Active" },
    });
  }
  const deps = { store, runtime, docker, drops, jobs, namespaces, requests };
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => void handleApiRequest(deps, request, response));
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const kubeConfig: EmulatorKubeConfig = {
    clusters: [{ name: "emulator", server: url, skipTLSVerify: true }],
    users: [{ name: "emulator" }],
    contexts: [{ name: "emulator", cluster: "emulator", user: "emulator", namespace: "default" }],
    currentContext: "emulator",
  };

  return {
    url,
    kubeConfig,
    requests,
    async writeKubeconfig(path) {
      const file = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "emulator", cluster: { server: url, "insecure-skip-tls-verify": true } }],
        users: [{ name: "emulator", user: {} }],
        contexts: [{ name: "emulator", context: { cluster: "emulator", user: "emulator", namespace: "default" } }],
        "current-context": "emulator",
      };
      await writeFile(path, JSON.stringify(file, null, 2));
    },
    dropLogStreamOnce: (drop) => void drops.push(drop),
    evictPod: (namespace, name, message = "The node was low on resource: memory.") =>
      runtime.evict(namespace, name, message),
    seed: (resource, object) => store.create(resource, object as KubeObject),
    list: (resource, namespace, labelSelector) => store.list(resource, namespace, labelSelector),
    async leftovers(labelSelector) {
      const found: string[] = [];
      for (const resource of ["namespaces", "jobs", "pods", "configmaps"] as const) {
        for (const object of store.list(resource, undefined, labelSelector)) {
          found.push(`${resource} ${object.metadata.namespace ?? ""}/${object.metadata.name}`);
        }
      }
      const matches = parseLabelSelector(labelSelector);
      for (const container of await docker.listContainers(`${CONTAINER_LABELS.emulator}=${emulatorId}`)) {
        const podLabels = Object.fromEntries(
          Object.entries(container.Labels)
            .filter(([key]) => key.startsWith(POD_LABEL_PREFIX))
            .map(([key, value]) => [key.slice(POD_LABEL_PREFIX.length), value]),
        );
        if (matches(podLabels))
          found.push(`container ${container.Labels["k8s-emulator/pod"]}/${container.Labels["k8s-emulator/container"]}`);
      }
      return found;
    },
    async close() {
      jobs.stop();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.shutdown();
      for (const container of await docker.listContainers(`${CONTAINER_LABELS.emulator}=${emulatorId}`)) {
        await docker.removeContainer(container.Id);
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}
