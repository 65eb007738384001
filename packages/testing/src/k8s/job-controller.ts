import { randomBytes } from "node:crypto";
import { notFound, successStatus } from "./api-error.js";
import type { KubeObject, ObjectStore, StoreEvent } from "./object-store.js";
import type { PodRuntime } from "./pod-runtime.js";
import { apiTime } from "./pod-status.js";

export type PropagationPolicy = "Foreground" | "Background" | "Orphan";

interface JobTimers {
  deadline?: NodeJS.Timeout;
  ttl?: NodeJS.Timeout;
  /** Pods already counted as succeeded or failed. */
  counted: Set<string>;
}

/**
 * The emulated Job controller and garbage collector for Jobs: one pod per Job from its template
 * (labels `job-name`, `controller-uid`, an owner reference), replacements while failures stay
 * within backoffLimit, status counters and Complete/Failed conditions, activeDeadlineSeconds
 * (pods deleted, Failed/DeadlineExceeded), ttlSecondsAfterFinished, and deletion with
 * Foreground / Background / Orphan propagation (Orphan is the batch/v1 default, as in the API).
 */
export function createJobController(store: ObjectStore, runtime: PodRuntime) {
  const timers = new Map<string, JobTimers>();

  function ownedPods(job: KubeObject): KubeObject[] {
    return store
      .list("pods", job.metadata.namespace)
      .filter((pod) => pod.metadata.ownerReferences?.some((owner) => owner.uid === job.metadata.uid));
  }

  function createPod(job: KubeObject): void {
    const template = job.spec.template;
    const name = `${job.metadata.name}-${randomBytes(3).toString("hex").slice(0, 5)}`;
    const jobLabels = {
      "batch.kubernetes.io/controller-uid": job.metadata.uid,
      "batch.kubernetes.io/job-name": job.metadata.name,
      "controller-uid": job.metadata.uid,
      "job-name": job.metadata.name,
    };
    const pod = store.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        namespace: job.metadata.namespace,
        labels: { ...template.metadata?.labels, ...jobLabels },
        annotations: { ...template.metadata?.annotations },
        ownerReferences: [
          {
            apiVersion: "batch/v1",
            kind: "Job",
            name: job.metadata.name,
            uid: job.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      } as KubeObject["metadata"],
      spec: structuredClone(template.spec),
      status: {},
    });
    store.mutate("jobs", job.metadata.namespace, job.metadata.name, (stored) => {
      stored.status.startTime ??= apiTime();
      stored.status.active = (stored.status.active ?? 0) + 1;
    });
    runtime.admit(pod);
  }

  function conclude(job: KubeObject, outcome: "Complete" | "Failed", reason?: string, message?: string): void {
    const now = apiTime();
    const conditions =
      outcome === "Complete"
        ? [
            { type: "SuccessCriteriaMet", status: "True", reason: "CompletionsReached", lastTransitionTime: now },
            { type: "Complete", status: "True", reason: "CompletionsReached", lastTransitionTime: now },
          ]
        : [
            { type: "FailureTarget", status: "True", reason, message, lastTransitionTime: now },
            { type: "Failed", status: "True", reason, message, lastTransitionTime: now },
          ];
    const updated = store.mutate("jobs", job.metadata.namespace, job.metadata.name, (stored) => {
      stored.status.conditions = conditions;
      stored.status.active = 0;
      if (outcome === "Complete") stored.status.completionTime = now;
    });
    const entry = timers.get(job.metadata.uid);
    if (entry?.deadline) clearTimeout(entry.deadline);
    const ttl = updated?.spec.ttlSecondsAfterFinished;
    if (entry && ttl !== undefined && ttl !== null) {
      entry.ttl = setTimeout(() => {
        if (store.get("jobs", job.metadata.namespace, job.metadata.name)?.metadata.uid === job.metadata.uid)
          deleteJob(job.metadata.namespace!, job.metadata.name, "Background");
      }, ttl * 1000).unref();
    }
  }

  const finished = (job: KubeObject) =>
    (job.status?.conditions ?? []).some(
      (c: { type: string; status: string }) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
    );

  function onPodEvent(event: StoreEvent): void {
    const pod = event.object;
    const owner = pod.metadata.ownerReferences?.find((ref) => ref.kind === "Job");
    if (!owner) return;
    const job = store.get("jobs", pod.metadata.namespace, owner.name);
    if (!job || job.metadata.uid !== owner.uid) return;
    if (job.metadata.deletionTimestamp) {
      if (event.type === "DELETED" && ownedPods(job).length === 0)
        store.remove("jobs", job.metadata.namespace, job.metadata.name);
      return;
    }
    const entry = timers.get(job.metadata.uid);
    if (!entry || entry.counted.has(pod.metadata.uid) || finished(job)) return;
    const phase = pod.status?.phase;
    const failed = phase === "Failed" || (event.type === "DELETED" && phase !== "Succeeded");
    if (phase !== "Succeeded" && !failed) return;
    entry.counted.add(pod.metadata.uid);
    const updated = store.mutate("jobs", job.metadata.namespace, job.metadata.name, (stored) => {
      stored.status.active = Math.max(0, (stored.status.active ?? 1) - 1);
      if (failed) stored.status.failed = (stored.status.failed ?? 0) + 1;
      else stored.status.succeeded = (stored.status.succeeded ?? 0) + 1;
    })!;
    if (!failed) conclude(updated, "Complete");
    else if ((updated.status.failed ?? 0) > (updated.spec.backoffLimit ?? 6)) {
      conclude(updated, "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
    } else createPod(updated);
  }

  function deleteJob(namespace: string, name: string, policy: PropagationPolicy) {
    const job = store.get("jobs", namespace, name);
    if (!job) throw notFound("jobs", "batch", name);
    if (job.metadata.deletionTimestamp) return job;
    const entry = timers.get(job.metadata.uid);
    if (entry) {
      clearTimeout(entry.deadline);
      clearTimeout(entry.ttl);
      timers.delete(job.metadata.uid);
    }
    const pods = ownedPods(job);
    if (policy === "Foreground" && pods.length > 0) {
      const updated = store.mutate("jobs", namespace, name, (stored) => {
        stored.metadata.deletionTimestamp = apiTime();
        stored.metadata.deletionGracePeriodSeconds = 0;
        stored.metadata.finalizers = [...(stored.metadata.finalizers ?? []), "foregroundDeletion"];
      });
      for (const pod of pods) runtime.delete(namespace, pod.metadata.name);
      return updated;
    }
    store.remove("jobs", namespace, name);
    for (const pod of pods) {
      if (policy === "Orphan") {
        store.mutate("pods", namespace, pod.metadata.name, (stored) => {
          stored.metadata.ownerReferences = stored.metadata.ownerReferences?.filter(
            (ref) => ref.uid !== job.metadata.uid,
          );
        });
      } else if (!pod.metadata.deletionTimestamp) runtime.delete(namespace, pod.metadata.name);
    }
    return successStatus("jobs", "batch", name, job.metadata.uid);
  }

  store.subscribe((event) => {
    if (event.resource === "pods" && event.type !== "ADDED") onPodEvent(event);
  });

  return {
    /** Starts a Job the API has just stored. */
    admit(job: KubeObject): void {
      const entry: JobTimers = { counted: new Set() };
      timers.set(job.metadata.uid, entry);
      if (job.spec.suspend) return;
      const deadline = job.spec.activeDeadlineSeconds;
      if (deadline) {
        entry.deadline = setTimeout(() => {
          const current = store.get("jobs", job.metadata.namespace, job.metadata.name);
          if (!current || current.metadata.uid !== job.metadata.uid || finished(current)) return;
          conclude(current, "Failed", "DeadlineExceeded", "Job was active longer than specified deadline");
          for (const pod of ownedPods(current)) {
            entry.counted.add(pod.metadata.uid);
            if (!pod.metadata.deletionTimestamp) runtime.delete(current.metadata.namespace!, pod.metadata.name);
          }
        }, deadline * 1000).unref();
      }
      createPod(job);
    },
    delete: deleteJob,
    stop(): void {
      for (const entry of timers.values()) {
        clearTimeout(entry.deadline);
        clearTimeout(entry.ttl);
      }
    },
  };
}

export type JobController = ReturnType<typeof createJobController>;
