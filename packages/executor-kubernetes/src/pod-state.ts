import type { V1ContainerStatus, V1Job, V1Pod } from "@kubernetes/client-node";
import type { ExecutionExit, ExecutorFailureReason } from "@tstr/executor";
import { WORKLOAD_CONTAINER } from "./job-spec.js";
import { RESULTS_CONTAINER } from "./results-dump.js";

/** Where a pod stands on its way to running the workload. */
export type StartState =
  | { kind: "started" }
  | { kind: "failed"; reason: ExecutorFailureReason; message: string }
  | { kind: "pending"; unschedulable?: string; waiting?: string };

/** Waiting reasons that mean the image cannot be had; the kubelet would keep retrying, tstr does not. */
const PULL_FAILURES = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
  "ErrImageNeverPull",
  "RegistryUnavailable",
]);
/** Waiting reasons that mean the container cannot be created as configured. */
const CREATE_FAILURES = new Set(["CreateContainerConfigError", "CreateContainerError"]);
/** Terminated reasons that mean the runtime could not start the process (missing command). */
const START_FAILURES = new Set(["StartError", "ContainerCannotRun"]);
const IMAGE_MISSING = /not found|manifest unknown|repository does not exist|not present with pull policy/i;

/**
 * Classifies a pod for `start()`: started once the workload container runs (or has already
 * ended), failed on an image that cannot be pulled, a container that cannot be created or started,
 * eviction or deletion — each with the Kubernetes reason in the message — else pending, noting an
 * Unschedulable condition (the caller decides how long that may last).
 */
export function startStateOf(pod: V1Pod | undefined, deleted: boolean): StartState {
  if (deleted)
    return { kind: "failed", reason: "START_FAILED", message: "the pod was deleted before the workload started" };
  if (!pod) return { kind: "pending" };
  if (pod.status?.reason === "Evicted")
    return { kind: "failed", reason: "EVICTED", message: `Evicted: ${pod.status.message ?? ""}` };
  const containers: [string, V1ContainerStatus | undefined][] = [
    ["results sidecar", statusOf(pod, RESULTS_CONTAINER)],
    ["workload", statusOf(pod, WORKLOAD_CONTAINER)],
  ];
  for (const [what, status] of containers) {
    const waiting = status?.state?.waiting;
    const terminated = status?.state?.terminated;
    const detail = (reason: string, message?: string) =>
      `${reason}: ${message ?? ""} (${what} container, image ${status?.image})`;
    if (waiting?.reason && PULL_FAILURES.has(waiting.reason)) {
      const missing = waiting.reason === "ErrImageNeverPull" || IMAGE_MISSING.test(waiting.message ?? "");
      return {
        kind: "failed",
        reason: missing ? "IMAGE_NOT_FOUND" : "IMAGE_PULL_FAILED",
        message: detail(waiting.reason, waiting.message),
      };
    }
    if (waiting?.reason && CREATE_FAILURES.has(waiting.reason)) {
      return { kind: "failed", reason: "CREATE_FAILED", message: detail(waiting.reason, waiting.message) };
    }
    if (terminated?.reason && START_FAILURES.has(terminated.reason)) {
      return { kind: "failed", reason: "START_FAILED", message: detail(terminated.reason, terminated.message) };
    }
  }
  const workload = statusOf(pod, WORKLOAD_CONTAINER)?.state;
  if (workload?.running || workload?.terminated) return { kind: "started" };
  if (pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded") {
    return {
      kind: "failed",
      reason: "START_FAILED",
      message: `pod ${pod.status.phase}: ${pod.status.reason ?? ""} ${pod.status.message ?? ""}`.trim(),
    };
  }
  const scheduled = pod.status?.conditions?.find((condition) => condition.type === "PodScheduled");
  if (scheduled?.status === "False" && scheduled.reason === "Unschedulable") {
    return { kind: "pending", unschedulable: `Unschedulable: ${scheduled.message ?? ""}` };
  }
  const waiting = workload?.waiting;
  return {
    kind: "pending",
    ...(waiting?.reason ? { waiting: `${waiting.reason}: ${waiting.message ?? ""}`.trim() } : {}),
  };
}

/** What the executor knows about a run's pod when deciding how the workload ended. */
export interface PodObservation {
  pod: V1Pod | undefined;
  /** The watch saw the pod deleted. */
  deleted: boolean;
  /** stop() or remove() asked for the end. */
  stopRequested: boolean;
  /** The Job, read when the pod was deleted by someone else (for DeadlineExceeded). */
  job?: V1Job;
}

/**
 * How the workload ended, or undefined while it runs: the workload container's exit code (marked
 * stopped when we asked), or an infrastructure error with the Kubernetes reason — Evicted or
 * another disruption, the Job's activeDeadlineSeconds (DeadlineExceeded), the pod deleted by
 * someone else.
 */
export function exitOf({ pod, deleted, stopRequested, job }: PodObservation): ExecutionExit | undefined {
  const terminated = pod && statusOf(pod, WORKLOAD_CONTAINER)?.state?.terminated;
  const exitCode = terminated ? { exitCode: terminated.exitCode } : {};
  if (pod?.status?.reason === "Evicted") {
    return { ...exitCode, error: { reason: "EVICTED", message: `Evicted: ${pod.status.message ?? ""}` } };
  }
  const disruption = pod?.status?.conditions?.find((c) => c.type === "DisruptionTarget" && c.status === "True");
  if (disruption && !stopRequested && (terminated || deleted)) {
    return { ...exitCode, error: { reason: "EVICTED", message: `${disruption.reason}: ${disruption.message ?? ""}` } };
  }
  const takenAway = deleted || Boolean(pod?.metadata?.deletionTimestamp);
  if (!terminated && !deleted) return undefined;
  if (stopRequested) return { ...exitCode, stopped: true };
  const deadline = job?.status?.conditions?.find((c) => c.type === "Failed" && c.reason === "DeadlineExceeded");
  if (takenAway && deadline) {
    const limit = job?.spec?.activeDeadlineSeconds;
    return {
      ...exitCode,
      error: {
        reason: "DEADLINE_EXCEEDED",
        message: `DeadlineExceeded: ${deadline.message ?? ""} (activeDeadlineSeconds ${limit})`,
      },
    };
  }
  if (terminated) return exitCode;
  return {
    error: { reason: "POD_DELETED", message: `pod ${pod?.metadata?.name ?? ""} was deleted before the workload ended` },
  };
}

/** Whether a container's log is complete: it has terminated, or the pod is gone. */
export function containerFinished(pod: V1Pod | undefined, deleted: boolean, container: string): boolean {
  return deleted || Boolean(pod && statusOf(pod, container)?.state?.terminated);
}

/** Whether the pod was deleted with a grace period running (someone else's deletion shows up here first). */
export function beingDeleted(pod: V1Pod | undefined): boolean {
  return Boolean(pod?.metadata?.deletionTimestamp);
}

export function statusOf(pod: V1Pod, container: string): V1ContainerStatus | undefined {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find(
    (status) => status.name === container,
  );
}
