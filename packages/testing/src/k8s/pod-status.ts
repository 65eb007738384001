import type { KubeObject, ObjectStore } from "./object-store.js";

/** RFC 3339 at second precision, as the API server renders metav1.Time. */
export const apiTime = (date = new Date()) => date.toISOString().replace(/\.\d+Z$/, "Z");

// biome-ignore lint/suspicious/noExplicitAny: a ContainerState (waiting | running | terminated).
export type ContainerState = Record<string, any>;

/** Writes the status parts the kubelet owns onto a stored pod; a pod already gone is ignored. */
export function createPodStatusWriter(store: ObjectStore, namespace: string, name: string) {
  const mutate = (change: (pod: KubeObject) => void) => store.mutate("pods", namespace, name, change);

  return {
    mutate,
    /** Sets one container's state (and ready/started flags) in containerStatuses or initContainerStatuses. */
    container(containerName: string, state: ContainerState, extra: { containerID?: string } = {}) {
      mutate((pod) => {
        for (const list of [pod.status.initContainerStatuses, pod.status.containerStatuses]) {
          const entry = list?.find((status: { name: string }) => status.name === containerName);
          if (!entry) continue;
          entry.state = state;
          entry.started = "running" in state;
          entry.ready = "running" in state;
          if (extra.containerID) entry.containerID = extra.containerID;
        }
      });
    },
    condition(type: string, status: "True" | "False", reason?: string, message?: string) {
      mutate((pod) => {
        pod.status.conditions ??= [];
        const conditions = pod.status.conditions as { type: string }[];
        const entry = {
          type,
          status,
          lastTransitionTime: apiTime(),
          ...(reason ? { reason } : {}),
          ...(message ? { message } : {}),
        };
        const index = conditions.findIndex((condition) => condition.type === type);
        if (index === -1) conditions.push(entry);
        else conditions[index] = entry;
      });
    },
  };
}

export type PodStatusWriter = ReturnType<typeof createPodStatusWriter>;

/** The initial status of an admitted pod: Pending, every container waiting. */
// biome-ignore lint/suspicious/noExplicitAny: a PodSpec.
export function pendingStatus(spec: any) {
  // biome-ignore lint/suspicious/noExplicitAny: a Container.
  const waiting = (container: any, reason: string) => ({
    name: container.name,
    image: container.image,
    imageID: "",
    ready: false,
    restartCount: 0,
    started: false,
    state: { waiting: { reason } },
  });
  const hasInit = (spec.initContainers ?? []).length > 0;
  return {
    phase: "Pending",
    conditions: [],
    qosClass: "BestEffort",
    // biome-ignore lint/suspicious/noExplicitAny: see above.
    initContainerStatuses: (spec.initContainers ?? []).map((c: any) => waiting(c, "PodInitializing")),
    // biome-ignore lint/suspicious/noExplicitAny: see above.
    containerStatuses: spec.containers.map((c: any) => waiting(c, hasInit ? "PodInitializing" : "ContainerCreating")),
  };
}
