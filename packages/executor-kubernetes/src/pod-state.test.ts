import type { V1Job, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { exitOf, startStateOf } from "./pod-state.js";

type State = Record<string, unknown>;
const pod = (
  workload: State | undefined,
  extra: { sidecar?: State; status?: object; deleting?: boolean } = {},
): V1Pod =>
  ({
    metadata: { name: "p", ...(extra.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) },
    status: {
      phase: "Pending",
      initContainerStatuses: [{ name: "tstr-results", image: "busybox", state: extra.sidecar ?? { running: {} } }],
      containerStatuses: workload ? [{ name: "workload", image: "app:1", state: workload }] : [],
      ...extra.status,
    },
  }) as unknown as V1Pod;

describe("startStateOf", () => {
  const cases: [string, V1Pod | undefined, boolean, object][] = [
    ["no pod yet", undefined, false, { kind: "pending" }],
    ["running", pod({ running: {} }), false, { kind: "started" }],
    ["already ended", pod({ terminated: { exitCode: 0, reason: "Completed" } }), false, { kind: "started" }],
    [
      "still creating",
      pod({ waiting: { reason: "ContainerCreating" } }),
      false,
      { kind: "pending", waiting: "ContainerCreating:" },
    ],
    [
      "image not found",
      pod({ waiting: { reason: "ErrImagePull", message: 'failed to resolve reference "app:1": not found' } }),
      false,
      {
        kind: "failed",
        reason: "IMAGE_NOT_FOUND",
        message: 'ErrImagePull: failed to resolve reference "app:1": not found (workload container, image app:1)',
      },
    ],
    [
      "registry unreachable",
      pod({ waiting: { reason: "ImagePullBackOff", message: "Back-off pulling image" } }),
      false,
      {
        kind: "failed",
        reason: "IMAGE_PULL_FAILED",
        message: "ImagePullBackOff: Back-off pulling image (workload container, image app:1)",
      },
    ],
    [
      "the sidecar's image missing",
      pod(undefined, { sidecar: { waiting: { reason: "ErrImageNeverPull", message: "not present" } } }),
      false,
      {
        kind: "failed",
        reason: "IMAGE_NOT_FOUND",
        message: "ErrImageNeverPull: not present (results sidecar container, image busybox)",
      },
    ],
    [
      "a missing secret",
      pod({ waiting: { reason: "CreateContainerConfigError", message: 'secret "x" not found' } }),
      false,
      {
        kind: "failed",
        reason: "CREATE_FAILED",
        message: 'CreateContainerConfigError: secret "x" not found (workload container, image app:1)',
      },
    ],
    [
      "a command that does not exist",
      pod({ terminated: { exitCode: 128, reason: "StartError", message: "exec: not found" } }),
      false,
      {
        kind: "failed",
        reason: "START_FAILED",
        message: "StartError: exec: not found (workload container, image app:1)",
      },
    ],
    [
      "unschedulable",
      pod(undefined, {
        status: {
          conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes" }],
        },
      }),
      false,
      { kind: "pending", unschedulable: "Unschedulable: 0/3 nodes" },
    ],
    [
      "evicted",
      pod(undefined, { status: { reason: "Evicted", message: "low memory" } }),
      false,
      { kind: "failed", reason: "EVICTED", message: "Evicted: low memory" },
    ],
    ["deleted", undefined, true, { kind: "failed", reason: "START_FAILED" }],
  ];
  it.each(cases)("%s", (_, observed, deleted, expected) => {
    expect(startStateOf(observed, deleted)).toMatchObject(expected);
  });
});

describe("exitOf", () => {
  const deadlineJob = {
    spec: { activeDeadlineSeconds: 5 },
    status: {
      conditions: [
        {
          type: "Failed",
          status: "True",
          reason: "DeadlineExceeded",
          message: "Job was active longer than specified deadline",
        },
      ],
    },
  } as unknown as V1Job;
  const cases: [string, Parameters<typeof exitOf>[0], object | undefined][] = [
    ["running", { pod: pod({ running: {} }), deleted: false, stopRequested: false }, undefined],
    ["exited", { pod: pod({ terminated: { exitCode: 3 } }), deleted: false, stopRequested: false }, { exitCode: 3 }],
    [
      "stopped on request",
      { pod: pod({ terminated: { exitCode: 143 } }, { deleting: true }), deleted: false, stopRequested: true },
      { exitCode: 143, stopped: true },
    ],
    [
      "deleted on request before a status",
      { pod: pod({ running: {} }), deleted: true, stopRequested: true },
      { stopped: true },
    ],
    [
      "killed by the Job's deadline",
      {
        pod: pod({ terminated: { exitCode: 137 } }, { deleting: true }),
        deleted: false,
        stopRequested: false,
        job: deadlineJob,
      },
      {
        exitCode: 137,
        error: {
          reason: "DEADLINE_EXCEEDED",
          message: "DeadlineExceeded: Job was active longer than specified deadline (activeDeadlineSeconds 5)",
        },
      },
    ],
    [
      "evicted",
      {
        pod: pod({ terminated: { exitCode: 137 } }, { status: { reason: "Evicted", message: "low memory" } }),
        deleted: false,
        stopRequested: false,
      },
      { exitCode: 137, error: { reason: "EVICTED", message: "Evicted: low memory" } },
    ],
    [
      "preempted",
      {
        pod: pod(
          { running: {} },
          {
            status: {
              conditions: [
                { type: "DisruptionTarget", status: "True", reason: "PreemptionByScheduler", message: "preempted" },
              ],
            },
          },
        ),
        deleted: true,
        stopRequested: false,
      },
      { error: { reason: "EVICTED", message: "PreemptionByScheduler: preempted" } },
    ],
    [
      "deleted by someone",
      { pod: pod({ running: {} }), deleted: true, stopRequested: false },
      { error: { reason: "POD_DELETED", message: "pod p was deleted before the workload ended" } },
    ],
  ];
  it.each(cases)("%s", (_, observation, expected) => {
    expect(exitOf(observation)).toEqual(expected);
  });
});
