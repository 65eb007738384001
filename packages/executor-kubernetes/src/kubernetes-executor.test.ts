import { randomUUID } from "node:crypto";
import { CoreV1Api } from "@kubernetes/client-node";
import { type ExecutionHandle, type ExecutionSpec, ExecutorError } from "@tstr/executor";
import type { KubeObject } from "@tstr/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createKubernetesExecutor, type KubernetesExecutorOptions } from "./kubernetes-executor.js";
import type { KubernetesExecutionSpec } from "./kubernetes-options.js";
import { RUN_LABELS } from "./run-labels.js";
import { type EmulatedCluster, startEmulatedCluster } from "./test-support/emulated-cluster.js";

/** Polls `probe` until it returns a value (at most five seconds). */
async function eventually<T>(probe: () => T | undefined): Promise<T> {
  for (let waited = 0; waited < 5_000; waited += 100) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("condition not met within 5 s");
}

describe("kubernetes executor (emulated API server, Docker-backed pods)", () => {
  let cluster: EmulatedCluster;
  let setupError: unknown;
  const runnerId = `k8s-test-${randomUUID()}`;
  const handles: ExecutionHandle[] = [];

  beforeAll(async () => {
    try {
      cluster = await startEmulatedCluster();
    } catch (err) {
      setupError = err;
    }
  }, 60_000);
  beforeEach(() => {
    if (setupError) throw setupError;
  });
  afterAll(async () => {
    await Promise.allSettled(handles.map((handle) => handle.remove()));
    await cluster?.close();
  }, 60_000);

  const executor = (overrides: Partial<KubernetesExecutorOptions> = {}) =>
    createKubernetesExecutor({
      runnerId,
      kubeConfig: cluster.kubeConfig,
      resultsImage: cluster.image,
      removeTimeoutMs: 15_000,
      ...overrides,
    });

  const spec = (script: string, overrides: Partial<KubernetesExecutionSpec> = {}): KubernetesExecutionSpec => {
    const runId = `k8s-${randomUUID()}`;
    return {
      runId,
      attempt: 2,
      image: cluster.image,
      command: ["sh", "-c", script],
      entrypointOverride: false,
      env: { TSTR_RUN_ID: runId, TSTR_RESULTS_DIR: "/tstr/results" },
      files: [],
      labels: { "run-id": runId, test: "checkout flow/v2", namespace: "qa", "example.com/team": "payments" },
      resultsPath: "/tstr/results",
      ...overrides,
    };
  };

  async function start(runSpec: ExecutionSpec, exec = executor()): Promise<ExecutionHandle> {
    const handle = await exec.start(runSpec, new AbortController().signal);
    handles.push(handle);
    return handle;
  }

  async function outputOf(handle: ExecutionHandle): Promise<string> {
    let text = "";
    for await (const chunk of handle.output()) text += Buffer.from(chunk.data).toString();
    return text;
  }

  const jobsOf = (runSpec: ExecutionSpec, namespace?: string): KubeObject[] =>
    cluster.emulator
      .list("jobs", namespace)
      .filter((job) => job.metadata.annotations?.[RUN_LABELS.runId] === runSpec.runId);

  it("labels the Job and its pod with run id, test, namespace, runner and run labels, originals as annotations", async () => {
    const runSpec = spec("exit 0", { timeoutMs: 30_000 });
    const handle = await start(runSpec);
    await handle.wait();
    const [job] = jobsOf(runSpec, "default");
    expect(job?.metadata.labels).toMatchObject({
      "app.kubernetes.io/managed-by": "tstr",
      "tstr.dev/run-id": runSpec.runId,
      "tstr.dev/attempt": "2",
      "tstr.dev/runner-id": runnerId,
      "tstr.dev/test": expect.stringMatching(/^checkout_flow_v2-[0-9a-f]{8}$/),
      "tstr.dev/namespace": "qa",
      "label.tstr.dev/example.com.team": "payments",
    });
    expect(job?.metadata.annotations).toMatchObject({
      "tstr.dev/run-id": runSpec.runId,
      "tstr.dev/labels": JSON.stringify(runSpec.labels),
    });
    // 30 s timeout + 600 s start allowance + 60 s slack.
    expect(job?.spec).toMatchObject({ backoffLimit: 0, ttlSecondsAfterFinished: 600, activeDeadlineSeconds: 690 });
    expect(job?.spec.template.spec.restartPolicy).toBe("Never");
    const [pod] = cluster.emulator.list("pods", "default", `job-name=${job?.metadata.name}`);
    expect(pod?.metadata.labels).toMatchObject(job?.metadata.labels ?? {});
    await handle.remove();
  });

  it("runs in a namespace of its own when asked, and deletes it afterwards", async () => {
    const runSpec = spec("cat data.txt", {
      kubernetes: { isolatedNamespace: true },
      files: [{ path: "data.txt", content: new TextEncoder().encode("isolated") }],
    });
    const handle = await start(runSpec);
    const namespaces = cluster.emulator.list("namespaces", undefined, `${RUN_LABELS.runnerId}=${runnerId}`);
    const own = namespaces.find((ns) => ns.metadata.annotations?.[RUN_LABELS.runId] === runSpec.runId);
    expect(own?.metadata.name).toMatch(/^tstr-k8s-/);
    expect(jobsOf(runSpec, own?.metadata.name)).toHaveLength(1);
    expect(cluster.emulator.list("configmaps", own?.metadata.name)).toHaveLength(1);
    expect(await outputOf(handle)).toBe("isolated");
    await handle.remove();
    expect(cluster.emulator.list("namespaces").map((ns) => ns.metadata.name)).not.toContain(own?.metadata.name);
    expect(await cluster.leftovers(runSpec)).toEqual([]);
  });

  it("ends a start whose image cannot be pulled with the Kubernetes reason, leaving nothing", async () => {
    for (const [pullPolicy, reason] of [
      ["if-not-present", "ErrImagePull"],
      ["never", "ErrImageNeverPull"],
    ] as const) {
      const runSpec = spec("exit 0", { image: "tstr-test/does-not-exist:1", pullPolicy });
      const started = executor().start(runSpec, new AbortController().signal);
      await expect(started).rejects.toBeInstanceOf(ExecutorError);
      await expect(started).rejects.toMatchObject({
        reason: "IMAGE_NOT_FOUND",
        message: expect.stringContaining(`${reason}: `),
      });
      expect(await cluster.leftovers(runSpec)).toEqual([]);
    }
  });

  it("ends an unschedulable start as UNSCHEDULABLE with the scheduler's message", async () => {
    const runSpec = spec("exit 0", { kubernetes: { nodeSelector: { disktype: "ssd" } } });
    const started = executor({ unschedulableTimeoutMs: 300 }).start(runSpec, new AbortController().signal);
    await expect(started).rejects.toMatchObject({
      reason: "UNSCHEDULABLE",
      message: expect.stringContaining("didn't match Pod's node affinity/selector"),
    });
    expect(await cluster.leftovers(runSpec)).toEqual([]);
  });

  it("ends an evicted workload ERROR with the eviction message", async () => {
    const runSpec = spec("sleep 300");
    const handle = await start(runSpec);
    const [pod] = cluster.emulator.list("pods", "default", `${RUN_LABELS.runId}=${runSpec.runId}`);
    await cluster.emulator.evictPod("default", pod!.metadata.name, "The node was low on resource: memory.");
    expect(await handle.wait()).toMatchObject({
      error: { reason: "EVICTED", message: "Evicted: The node was low on resource: memory." },
    });
    await handle.remove();
  });

  it("enforces activeDeadlineSeconds (timeout + start allowance + slack): the run ends ERROR with DeadlineExceeded", async () => {
    const runSpec = spec("sleep 300", { timeoutMs: 1_000, gracePeriodMs: 1_000 });
    const began = Date.now();
    const handle = await start(runSpec, executor({ deadlineSlackSeconds: 1, startTimeoutMs: 5_000 }));
    expect(jobsOf(runSpec, "default")[0]?.spec.activeDeadlineSeconds).toBe(7);
    const exit = await handle.wait();
    expect(exit.error).toEqual({
      reason: "DEADLINE_EXCEEDED",
      message: "DeadlineExceeded: Job was active longer than specified deadline (activeDeadlineSeconds 7)",
    });
    // The deadline, not the workload's 300 s sleep, ended it (generous: a loaded machine starts containers slowly).
    expect(Date.now() - began).toBeLessThan(60_000);
    await handle.remove();
  }, 90_000);

  it("cancellation deletes the pod with the grace period and the Job with propagationPolicy Foreground, results kept", async () => {
    const script = `trap 'echo partial > "$TSTR_RESULTS_DIR/result.json"; exit 0' TERM; echo ready; while true; do sleep 0.1; done`;
    const runSpec = spec(script);
    const handle = await start(runSpec);
    const jobName = jobsOf(runSpec, "default")[0]?.metadata.name;
    const firstRequest = cluster.emulator.requests.length;
    await handle.stop(5_000);
    expect(await handle.wait()).toEqual({ exitCode: 0, stopped: true });
    const deletions = cluster.emulator.requests.slice(firstRequest).filter((request) => request.verb === "delete");
    expect(
      deletions.map((request) => [request.resource, new URLSearchParams(request.query).get("propagationPolicy")]),
    ).toEqual([
      ["pods", null],
      ["jobs", "Foreground"],
    ]);
    expect(new URLSearchParams(deletions[0]?.query).get("gracePeriodSeconds")).toBe("5");
    const files = await handle.results(1_000);
    expect(files.map((file) => [file.path, Buffer.from(file.content).toString()])).toEqual([
      ["result.json", "partial\n"],
    ]);
    await handle.remove();
    expect(cluster.emulator.list("jobs", "default").map((job) => job.metadata.name)).not.toContain(jobName);
  });

  it("resumes a dropped log stream with sinceTime: every line once, none lost", async () => {
    cluster.emulator.dropLogStreamOnce({ container: "workload", afterLines: 60 });
    const script = 'i=1; while [ $i -le 300 ]; do echo "line $i"; [ $((i % 30)) -eq 0 ] && sleep 0.1; i=$((i+1)); done';
    const firstRequest = cluster.emulator.requests.length;
    const handle = await start(spec(script));
    const output = await outputOf(handle);
    expect(output.split("\n").filter(Boolean)).toEqual(Array.from({ length: 300 }, (_, i) => `line ${i + 1}`));
    const logRequests = cluster.emulator.requests
      .slice(firstRequest)
      .filter((request) => request.resource === "pods/log" && request.query.includes("container=workload"));
    expect(logRequests.length).toBeGreaterThanOrEqual(2);
    expect(logRequests.some((request) => new URLSearchParams(request.query).get("sinceTime"))).toBe(true);
    await handle.remove();
  });

  it("applies the strategic-merge pod patch: an extra sidecar container runs beside the workload", async () => {
    const patch = {
      containers: [{ name: "helper", image: cluster.image, command: ["sh", "-c", "echo helper ran"] }],
      terminationGracePeriodSeconds: 7,
    };
    const runSpec = spec("echo main ran", { kubernetes: { podPatchJson: JSON.stringify(patch) } });
    const handle = await start(runSpec);
    expect(await outputOf(handle)).toBe("main ran\n");
    const [job] = jobsOf(runSpec, "default");
    const podSpec = job?.spec.template.spec;
    expect(podSpec.containers.map((c: { name: string }) => c.name)).toEqual(["workload", "helper"]);
    expect(podSpec.terminationGracePeriodSeconds).toBe(7);
    const helperEnded = () => {
      const [pod] = cluster.emulator.list("pods", "default", `job-name=${job?.metadata.name}`);
      const helper = pod?.status.containerStatuses.find((status: { name: string }) => status.name === "helper");
      return helper?.state.terminated ? pod : undefined;
    };
    const pod = await eventually(helperEnded);
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const helperLog = await core.readNamespacedPodLog({
      name: pod!.metadata.name,
      namespace: "default",
      container: "helper",
    });
    expect(helperLog).toBe("helper ran\n");
    await handle.remove();
  });

  it("passes env from Secrets and ConfigMaps by reference, and mounts their volumes", async () => {
    const suffix = randomUUID().slice(0, 8);
    cluster.emulator.seed("secrets", {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: `creds-${suffix}`, namespace: "default" },
      data: { token: Buffer.from("s3cr3t").toString("base64") },
    });
    cluster.emulator.seed("configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `settings-${suffix}`, namespace: "default" },
      data: { MODE: "fast", "app.conf": "retries=3" },
    });
    const kubernetes = {
      envFrom: [
        { name: "API_TOKEN", secretName: `creds-${suffix}`, key: "token" },
        { name: "CFG_", configMapName: `settings-${suffix}` },
      ],
      volumes: [{ name: "settings", mountPath: "/etc/app", readOnly: true, configMap: `settings-${suffix}` }],
      cpuLimit: "500m",
      memoryLimit: "64Mi",
    };
    const handle = await start(spec('echo "$API_TOKEN $CFG_MODE"; cat /etc/app/app.conf', { kubernetes }));
    expect(await outputOf(handle)).toBe("s3cr3t fast\nretries=3");
    expect(await handle.wait()).toEqual({ exitCode: 0 });
    await handle.remove();
  });

  it("refuses invalid run_config.kubernetes naming the field", async () => {
    const runSpec = spec("exit 0", { kubernetes: { cpuLimit: "lots", volumes: [] } });
    await expect(executor().start(runSpec, new AbortController().signal)).rejects.toMatchObject({
      reason: "CREATE_FAILED",
      message: 'run_config.kubernetes.cpu_limit: "lots" is not a Kubernetes quantity (e.g. 500m, 1, 256Mi)',
    });
    expect(await cluster.leftovers(runSpec)).toEqual([]);
  });

  it("sweeps Jobs, ConfigMaps and namespaces an earlier process of this runner left, and nothing else", async () => {
    const sweeperRunner = `sweep-${randomUUID()}`;
    const earlier = executor({ runnerId: sweeperRunner });
    const files = [{ path: "a.sh", content: new TextEncoder().encode("sleep 300") }];
    const leftBehind = [spec("sleep 300", { files }), spec("sleep 300", { kubernetes: { isolatedNamespace: true } })];
    for (const runSpec of leftBehind) await earlier.start(runSpec, new AbortController().signal);
    const otherRunner = spec("sleep 300");
    const other = await start(otherRunner);
    expect(await executor({ runnerId: sweeperRunner }).cleanupOrphans()).toBe(2);
    for (const runSpec of leftBehind) expect(await cluster.leftovers(runSpec)).toEqual([]);
    expect(await cluster.leftovers(otherRunner)).not.toEqual([]);
    expect(await executor({ runnerId: sweeperRunner }).cleanupOrphans()).toBe(0);
    await other.remove();
  });
});
