import { rm } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { notFound } from "./api-error.js";
import { resolveContainerEnv } from "./container-env.js";
import type { DockerEngine } from "./docker-engine.js";
import type { KubeObject, ObjectStore } from "./object-store.js";
import { apiTime, createPodStatusWriter, type PodStatusWriter, pendingStatus } from "./pod-status.js";
import { type HostVolume, prepareVolumes } from "./pod-volumes.js";
import { parseQuantity } from "./quantity.js";
import { type EmulatedNode, schedulingProblem } from "./scheduling.js";
import { expandVariables } from "./variable-expansion.js";

/** Docker label keys of the emulator's containers (the pod's own labels go under `POD_LABEL_PREFIX`). */
export const CONTAINER_LABELS = { emulator: "k8s-emulator", podUid: "k8s-emulator/pod-uid" } as const;
export const POD_LABEL_PREFIX = "k8s-emulator.label/";

/** Retry period of a pod that waits (missing image, ConfigMap, Secret). */
const RETRY_MS = 500;
/** Sidecars get at least this long after the main containers, as in the kubelet. */
const MIN_SIDECAR_GRACE_MS = 2_000;

interface ContainerRun {
  name: string;
  sidecar: boolean;
  id?: string;
  /** Set once it was started; resolves with its exit status. */
  exited?: Promise<number>;
}

interface PodRun {
  pod: KubeObject;
  status: PodStatusWriter;
  containers: Map<string, ContainerRun>;
  volumes: Map<string, HostVolume>;
  /** Deletion requested: nothing more is started. */
  terminating: boolean;
  evicted: boolean;
  /** When running containers get SIGKILL; a shorter grace on a later delete moves it earlier. */
  killAt: number;
  wakeKill?: () => void;
  finished?: Promise<void>;
}

export interface PodRuntimeDeps {
  store: ObjectStore;
  docker: DockerEngine;
  node: EmulatedNode;
  /** Host directory for volumes. */
  root: string;
  emulatorId: string;
}

/**
 * The emulated kubelet (with scheduler and container runtime): runs each admitted pod as Docker
 * containers with network none — regular init containers in order, native sidecars
 * (`restartPolicy: Always` init containers) started before and terminated after the main
 * containers, volumes as bind mounts — and writes the pod status the real kubelet would:
 * Unschedulable, ErrImagePull/ImagePullBackOff for images the engine lacks (nothing is pulled),
 * CreateContainerConfigError, StartError (exit 128), exit codes, Succeeded/Failed, Evicted.
 * Graceful deletion sends SIGTERM, then SIGKILL after the grace period, then removes the pod.
 */
export function createPodRuntime(deps: PodRuntimeDeps) {
  const { store, docker } = deps;
  const runs = new Map<string, PodRun>();
  const key = (namespace: string | undefined, name: string) => `${namespace}/${name}`;

  async function run(podRun: PodRun): Promise<void> {
    const { pod, status } = podRun;
    const problem = schedulingProblem(pod.spec, deps.node);
    if (problem) {
      status.condition("PodScheduled", "False", "Unschedulable", problem);
      return;
    }
    status.mutate((stored) => {
      stored.spec.nodeName = deps.node.name;
      stored.status.startTime = apiTime();
      stored.status.hostIP = "127.0.0.1";
    });
    status.condition("PodScheduled", "True");
    const volumes = await until(
      podRun,
      () => prepareVolumes(pod, store, deps.root),
      (result) => {
        if ("waiting" in result) return result.waiting;
      },
    );
    if (!volumes || "waiting" in volumes) return;
    podRun.volumes = volumes.volumes;
    const initContainers = pod.spec.initContainers ?? [];
    for (const container of [...initContainers, ...pod.spec.containers]) {
      if (!(await imageReady(podRun, container))) return;
    }
    for (const container of initContainers) {
      const sidecar = container.restartPolicy === "Always";
      const started = await startContainer(podRun, container, sidecar);
      if (!started) return;
      if (sidecar) continue;
      const exitCode = await started.exited;
      if (exitCode !== 0) return finish(podRun, "Failed");
    }
    status.condition("Initialized", "True");
    const mains: Promise<number>[] = [];
    for (const container of pod.spec.containers) {
      const started = await startContainer(podRun, container, false);
      if (!started) break;
      mains.push(started.exited);
    }
    status.mutate((stored) => {
      if (stored.status.phase === "Pending") stored.status.phase = "Running";
    });
    status.condition("Ready", "True");
    const exitCodes = await Promise.all(mains);
    const failed = exitCodes.some((code) => code !== 0) || mains.length < pod.spec.containers.length;
    if (!podRun.terminating) await stopContainers(podRun, true, Date.now() + graceMs(pod));
    await finish(podRun, failed ? "Failed" : "Succeeded");
  }

  /** Retries `attempt` while it reports a waiting message (shown as ContainerCreating). */
  async function until<T>(podRun: PodRun, attempt: () => Promise<T>, waiting: (result: T) => string | undefined) {
    for (;;) {
      if (podRun.terminating) return undefined;
      const result = await attempt();
      if (waiting(result) === undefined) return result;
      await delay(RETRY_MS);
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: a Container.
  async function imageReady(podRun: PodRun, container: any): Promise<boolean> {
    let attempts = 0;
    while (!podRun.terminating) {
      if (await docker.imageExists(container.image)) return true;
      const never = container.imagePullPolicy === "Never";
      const reason = never ? "ErrImageNeverPull" : attempts % 2 === 0 ? "ErrImagePull" : "ImagePullBackOff";
      const message = never
        ? `Container image "${container.image}" is not present with pull policy of Never`
        : attempts % 2 === 0
          ? `failed to pull and unpack image "${container.image}": failed to resolve reference "${container.image}": not found`
          : `Back-off pulling image "${container.image}"`;
      podRun.status.container(container.name, { waiting: { reason, message } });
      attempts++;
      await delay(RETRY_MS * 2);
    }
    return false;
  }

  /** Creates and starts one container: its exit (a start failure is exit 128), or undefined when the pod must stop. */
  // biome-ignore lint/suspicious/noExplicitAny: a Container.
  async function startContainer(podRun: PodRun, container: any, sidecar: boolean) {
    const { pod, status } = podRun;
    const env = await until(
      podRun,
      async () => resolveContainerEnv(container, pod, store),
      (result) => {
        if ("error" in result) {
          status.container(container.name, {
            waiting: { reason: "CreateContainerConfigError", message: result.error },
          });
          return result.error;
        }
      },
    );
    if (!env || "error" in env || podRun.terminating) return undefined;
    const lookup = (name: string) => env.env.get(name);
    const entry: ContainerRun = { name: container.name, sidecar };
    podRun.containers.set(container.name, entry);
    entry.id = await docker.createContainer({
      Image: container.image,
      ...(container.command
        ? { Entrypoint: container.command.map((part: string) => expandVariables(part, lookup)) }
        : {}),
      ...(container.args ? { Cmd: container.args.map((part: string) => expandVariables(part, lookup)) } : {}),
      Env: [...env.env].map(([name, value]) => `${name}=${value}`),
      ...(container.workingDir ? { WorkingDir: container.workingDir } : {}),
      Labels: dockerLabels(pod, container.name, deps.emulatorId),
      Tty: false,
      HostConfig: {
        NetworkMode: pod.spec.hostNetwork ? "host" : "none",
        Binds: mounts(container, podRun.volumes),
        ...limits(container.resources?.limits),
      },
    });
    if (podRun.terminating) return undefined;
    const startedAt = apiTime();
    try {
      await docker.startContainer(entry.id);
    } catch (err) {
      const terminated = {
        exitCode: 128,
        reason: "StartError",
        message: (err as Error).message,
        startedAt,
        finishedAt: apiTime(),
      };
      status.container(container.name, { terminated }, { containerID: `docker://${entry.id}` });
      entry.exited = Promise.resolve(128);
      return sidecar ? undefined : { exited: entry.exited };
    }
    status.container(container.name, { running: { startedAt } }, { containerID: `docker://${entry.id}` });
    const id = entry.id;
    // A deletion that came while this container was starting did not see it: stop it now.
    if (podRun.terminating) void docker.killContainer(id, "SIGKILL");
    entry.exited = docker.waitContainer(id).then((exitCode) => {
      const reason = exitCode === 0 ? "Completed" : "Error";
      const terminated = { exitCode, reason, startedAt, finishedAt: apiTime(), containerID: `docker://${id}` };
      status.container(container.name, { terminated });
      return exitCode;
    });
    return { exited: entry.exited };
  }

  /** SIGTERM then SIGKILL at `killAt`: the main containers, or the sidecars (after the mains). */
  async function stopContainers(podRun: PodRun, sidecars: boolean, killAt: number): Promise<void> {
    const targets = [...podRun.containers.values()].filter((c) => c.sidecar === sidecars && c.id && c.exited);
    if (targets.length === 0) return;
    podRun.killAt = Math.min(podRun.killAt, killAt);
    const allExited = Promise.all(targets.map((c) => c.exited));
    await Promise.all(targets.map((c) => docker.killContainer(c.id!, "SIGTERM")));
    while (!(await Promise.race([allExited.then(() => true), killDeadline(podRun).then(() => false)]))) {
      if (Date.now() >= podRun.killAt) {
        await Promise.all(targets.map((c) => docker.killContainer(c.id!, "SIGKILL")));
        break;
      }
    }
    await allExited;
  }

  function killDeadline(podRun: PodRun): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, podRun.killAt - Date.now())).unref();
      podRun.wakeKill = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async function finish(podRun: PodRun, phase: "Succeeded" | "Failed"): Promise<void> {
    podRun.status.mutate((stored) => {
      if (!podRun.evicted) stored.status.phase = phase;
    });
    podRun.status.condition("Ready", "False", "PodCompleted");
  }

  /** Removes the containers and owned volume directories, then the pod object itself. */
  async function finalize(podRun: PodRun): Promise<void> {
    const { namespace, name } = podRun.pod.metadata;
    await Promise.all([...podRun.containers.values()].map((c) => c.id && docker.removeContainer(c.id)));
    for (const volume of podRun.volumes.values()) {
      if (volume.owned) await rm(volume.hostPath, { recursive: true, force: true });
    }
    runs.delete(key(namespace, name));
    store.remove("pods", namespace, name);
  }

  return {
    /** Starts running a pod the API has just stored. */
    admit(pod: KubeObject): void {
      const { namespace, name } = pod.metadata;
      const status = createPodStatusWriter(store, namespace!, name);
      status.mutate((stored) => {
        stored.status = pendingStatus(stored.spec);
      });
      const podRun: PodRun = {
        pod,
        status,
        containers: new Map(),
        volumes: new Map(),
        terminating: false,
        evicted: false,
        killAt: Number.POSITIVE_INFINITY,
      };
      runs.set(key(namespace, name), podRun);
      podRun.finished = run(podRun).catch((err) => {
        status.mutate((stored) => {
          stored.status.phase = "Failed";
          stored.status.message = `emulated kubelet: ${(err as Error).message}`;
        });
      });
    },

    /**
     * Graceful deletion: deletionTimestamp set at once, SIGTERM, SIGKILL after `graceSeconds`
     * (default the pod's terminationGracePeriodSeconds), sidecars after the main containers, then
     * the pod object is removed. A second deletion may only shorten the grace period.
     */
    delete(namespace: string, name: string, graceSeconds?: number): KubeObject {
      const pod = store.get("pods", namespace, name);
      if (!pod) throw notFound("pods", "", name);
      const grace = graceSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      const podRun = runs.get(key(namespace, name));
      const killAt = Date.now() + grace * 1000;
      if (podRun?.terminating) {
        if (killAt < podRun.killAt) {
          podRun.killAt = killAt;
          podRun.wakeKill?.();
        }
        return pod;
      }
      const updated = store.mutate("pods", namespace, name, (stored) => {
        stored.metadata.deletionTimestamp = apiTime(new Date(killAt));
        stored.metadata.deletionGracePeriodSeconds = grace;
      })!;
      if (!podRun) {
        store.remove("pods", namespace, name);
        return updated;
      }
      podRun.terminating = true;
      podRun.killAt = killAt;
      void (async () => {
        await stopContainers(podRun, false, killAt);
        await stopContainers(podRun, true, Math.max(podRun.killAt, Date.now() + MIN_SIDECAR_GRACE_MS));
        await podRun.finished;
        await finalize(podRun);
      })();
      return updated;
    },

    /** Node-pressure eviction: containers killed, the pod Failed with reason Evicted (and kept). */
    async evict(namespace: string, name: string, message: string): Promise<void> {
      const podRun = runs.get(key(namespace, name));
      if (!podRun) throw notFound("pods", "", name);
      podRun.evicted = true;
      podRun.status.mutate((stored) => {
        stored.status.phase = "Failed";
        stored.status.reason = "Evicted";
        stored.status.message = message;
      });
      podRun.status.condition("DisruptionTarget", "True", "TerminationByKubelet", message);
      await Promise.all([...podRun.containers.values()].map((c) => c.id && docker.killContainer(c.id, "SIGKILL")));
    },

    /** The Docker container behind a pod's container, once it has been created. */
    containerOf(namespace: string, pod: string, container: string): { id: string; started: boolean } | undefined {
      const entry = runs.get(key(namespace, pod))?.containers.get(container);
      return entry?.id ? { id: entry.id, started: entry.exited !== undefined } : undefined;
    },

    /** Kills and removes everything (emulator shutdown). */
    async shutdown(): Promise<void> {
      const all = [...runs.values()];
      for (const podRun of all) podRun.terminating = true;
      await Promise.all(all.map((podRun) => finalize(podRun).catch(() => {})));
    },
  };
}

export type PodRuntime = ReturnType<typeof createPodRuntime>;

// biome-ignore lint/suspicious/noExplicitAny: a Pod.
function graceMs(pod: any): number {
  return (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
}

function dockerLabels(pod: KubeObject, container: string, emulatorId: string): Record<string, string> {
  const labels: Record<string, string> = {
    [CONTAINER_LABELS.emulator]: emulatorId,
    [CONTAINER_LABELS.podUid]: pod.metadata.uid,
    "k8s-emulator/pod": `${pod.metadata.namespace}/${pod.metadata.name}`,
    "k8s-emulator/container": container,
  };
  for (const [name, value] of Object.entries(pod.metadata.labels ?? {})) labels[`${POD_LABEL_PREFIX}${name}`] = value;
  return labels;
}

// biome-ignore lint/suspicious/noExplicitAny: a Container.
function mounts(container: any, volumes: Map<string, HostVolume>): string[] {
  const binds: string[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = volumes.get(mount.name);
    if (!volume) continue;
    const source = mount.subPath ? `${volume.hostPath}/${mount.subPath}` : volume.hostPath;
    binds.push(`${source}:${mount.mountPath}:${mount.readOnly ? "ro" : "rw"}`);
  }
  return binds;
}

function limits(resourceLimits: Record<string, string> | undefined): Record<string, number> {
  const cpu = parseQuantity(resourceLimits?.cpu);
  const memory = parseQuantity(resourceLimits?.memory);
  return {
    ...(cpu !== undefined ? { NanoCpus: Math.round(cpu * 1e9) } : {}),
    ...(memory !== undefined ? { Memory: Math.round(memory), MemorySwap: Math.round(memory) } : {}),
  };
}
