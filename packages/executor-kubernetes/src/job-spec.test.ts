import type { ExecutionSpec } from "@tstr/executor";
import { describe, expect, it } from "vitest";
import { type JobContext, toFilesConfigMap, toJob, toRunNamespace } from "./job-spec.js";
import { activeDeadlineSeconds } from "./kubernetes-executor.js";
import { parseKubernetesOptions } from "./kubernetes-options.js";

const base: ExecutionSpec = {
  runId: "run-1",
  attempt: 1,
  image: "grafana/k6:1.3.0",
  command: ["k6", "run", "--summary-export", "$(TSTR_RESULTS_DIR)/summary.json", "script.js"],
  entrypointOverride: true,
  env: { TSTR_RESULTS_DIR: "/tstr/results", PRICE: "$5 or $$(TSTR_RESULTS_DIR)" },
  files: [],
  labels: {},
  resultsPath: "/tstr/results",
};

const context = (kubernetes: object = {}): JobContext => ({
  runKey: "tstr-run-1-a1-abcdef",
  namespace: "tests",
  labels: { "tstr.dev/run-key": "tstr-run-1-a1-abcdef" },
  annotations: { "tstr.dev/run-id": "run-1" },
  options: parseKubernetesOptions(kubernetes),
  filesConfigMap: "tstr-run-1-a1-abcdef-files",
  resultsImage: "busybox:1.37",
  resultsMaxBytes: 1000,
  ttlSecondsAfterFinished: 600,
  activeDeadlineSeconds: 90,
  terminationGracePeriodSeconds: 10,
});

const workloadOf = (spec: ExecutionSpec, kubernetes: object = {}) =>
  toJob(spec, context(kubernetes)).spec!.template.spec!.containers[0]!;

describe("toJob", () => {
  it("builds a one-pod Job: backoffLimit 0, deadline, TTL, restartPolicy Never, results sidecar first", () => {
    const job = toJob(base, context());
    expect(job.metadata).toEqual({
      name: "tstr-run-1-a1-abcdef",
      namespace: "tests",
      labels: { "tstr.dev/run-key": "tstr-run-1-a1-abcdef" },
      annotations: { "tstr.dev/run-id": "run-1" },
    });
    expect(job.spec).toMatchObject({
      backoffLimit: 0,
      activeDeadlineSeconds: 90,
      ttlSecondsAfterFinished: 600,
      podReplacementPolicy: "Failed",
    });
    const pod = job.spec!.template.spec!;
    expect(pod).toMatchObject({ restartPolicy: "Never", terminationGracePeriodSeconds: 10, enableServiceLinks: false });
    expect(pod.initContainers?.map((c) => [c.name, c.restartPolicy, c.image])).toEqual([
      ["tstr-results", "Always", "busybox:1.37"],
    ]);
    expect(pod.volumes).toEqual([{ name: "tstr-results", emptyDir: {} }]);
    expect(pod.containers[0]?.volumeMounts).toEqual([{ name: "tstr-results", mountPath: "/tstr/results" }]);
  });

  it("expands $(TSTR_RESULTS_DIR) itself and escapes every other $ from Kubernetes' own expansion", () => {
    const workload = workloadOf(base);
    expect(workload.command).toEqual(["k6"]);
    expect(workload.args).toEqual(["run", "--summary-export", "/tstr/results/summary.json", "script.js"]);
    expect(workload.env).toEqual([
      { name: "TSTR_RESULTS_DIR", value: "/tstr/results" },
      { name: "PRICE", value: "$$5 or $$(TSTR_RESULTS_DIR)" },
    ]);
  });

  const commandCases: [string, Partial<ExecutionSpec>, object][] = [
    [
      "command as arguments of the image's entrypoint",
      { entrypointOverride: false },
      { args: base.command.map((part) => part.replace("$(TSTR_RESULTS_DIR)", "/tstr/results")) },
    ],
    ["command[0] alone replaces the entrypoint", { command: ["run-tests"] }, { command: ["run-tests"] }],
    ["empty command keeps the image's", { command: [] }, {}],
  ];
  it.each(commandCases)("%s", (_, overrides, expected) => {
    const workload = workloadOf({ ...base, ...overrides });
    expect({ command: workload.command, args: workload.args }).toEqual({
      command: undefined,
      args: undefined,
      ...expected,
    });
  });

  it("maps pull policy, resources, node selector, tolerations, service account and host network", () => {
    const spec = {
      ...base,
      pullPolicy: "never" as const,
      resources: { cpuCores: 1.5, memoryBytes: 268435456 },
      network: "host",
    };
    const kubernetes = {
      nodeSelector: { pool: "load" },
      tolerations: [
        { key: "dedicated", operator: "Equal", value: "load", effect: "NoSchedule", tolerationSeconds: "30" },
      ],
      serviceAccount: "tstr-tests",
      cpuRequest: "500m",
    };
    const pod = toJob(spec, context(kubernetes)).spec!.template.spec!;
    expect(pod).toMatchObject({
      hostNetwork: true,
      serviceAccountName: "tstr-tests",
      nodeSelector: { pool: "load" },
      tolerations: [
        { key: "dedicated", operator: "Equal", value: "load", effect: "NoSchedule", tolerationSeconds: 30 },
      ],
    });
    expect(pod.containers[0]).toMatchObject({
      imagePullPolicy: "Never",
      resources: { limits: { cpu: "1500m", memory: "268435456" }, requests: { cpu: "500m" } },
    });
    expect(workloadOf(base, { imagePullPolicy: "Always" }).imagePullPolicy).toBe("Always");
    expect(pod.automountServiceAccountToken, "a service account the test asked for keeps its token").toBeUndefined();
  });

  it("mounts no service account token unless the test names a service account", () => {
    expect(toJob(base, context()).spec!.template.spec!.automountServiceAccountToken).toBe(false);
  });

  it("takes env from Secrets/ConfigMaps by reference and mounts the test's volumes", () => {
    const kubernetes = {
      envFrom: [
        { name: "TOKEN", secretName: "creds", key: "token" },
        { name: "MODE", configMapName: "settings", key: "mode" },
        { name: "APP_", configMapName: "settings" },
        { secretName: "all-creds" },
      ],
      volumes: [
        { name: "cfg", mountPath: "/etc/app", readOnly: true, configMap: "settings" },
        { name: "certs", mountPath: "/certs", secret: "tls" },
        { name: "data", mountPath: "/data", persistentVolumeClaim: "fixtures" },
        { name: "sock", mountPath: "/var/run/x.sock", source: { case: "hostPath", value: "/var/run/x.sock" } },
      ],
    };
    const job = toJob(base, context(kubernetes));
    const workload = job.spec!.template.spec!.containers[0]!;
    expect(workload.env?.slice(2)).toEqual([
      { name: "TOKEN", valueFrom: { secretKeyRef: { name: "creds", key: "token" } } },
      { name: "MODE", valueFrom: { configMapKeyRef: { name: "settings", key: "mode" } } },
    ]);
    expect(workload.envFrom).toEqual([
      { configMapRef: { name: "settings" }, prefix: "APP_" },
      { secretRef: { name: "all-creds" } },
    ]);
    expect(job.spec!.template.spec!.volumes?.slice(1)).toEqual([
      { name: "cfg", configMap: { name: "settings" } },
      { name: "certs", secret: { secretName: "tls" } },
      { name: "data", persistentVolumeClaim: { claimName: "fixtures", readOnly: false } },
      { name: "sock", hostPath: { path: "/var/run/x.sock" } },
    ]);
    expect(workload.volumeMounts?.slice(1)).toEqual([
      { name: "cfg", mountPath: "/etc/app", readOnly: true },
      { name: "certs", mountPath: "/certs", readOnly: false },
      { name: "data", mountPath: "/data", readOnly: false },
      { name: "sock", mountPath: "/var/run/x.sock", readOnly: false },
    ]);
  });

  it("puts spec.files in a ConfigMap mounted read-only at the working dir, modes per file", () => {
    const files = [
      { path: "scripts/run.sh", content: new TextEncoder().encode("echo hi") },
      { path: "./data.json", content: new Uint8Array([0xff, 0x00]), mode: 0o644 },
    ];
    const spec = { ...base, files, workingDir: "/app" };
    const configMap = toFilesConfigMap(spec, context());
    expect(configMap?.metadata?.name).toBe("tstr-run-1-a1-abcdef-files");
    expect(configMap?.binaryData).toEqual({ f0: Buffer.from("echo hi").toString("base64"), f1: "/wA=" });
    const pod = toJob(spec, context()).spec!.template.spec!;
    expect(pod.volumes?.[1]).toEqual({
      name: "tstr-files",
      configMap: {
        name: "tstr-run-1-a1-abcdef-files",
        defaultMode: 0o644,
        items: [
          { key: "f0", path: "scripts/run.sh", mode: 0o755 },
          { key: "f1", path: "data.json", mode: 0o644 },
        ],
      },
    });
    expect(pod.containers[0]).toMatchObject({ workingDir: "/app" });
    expect(pod.containers[0]?.volumeMounts?.[1]).toEqual({ name: "tstr-files", mountPath: "/app", readOnly: true });
    expect(toFilesConfigMap(base, context())).toBeUndefined();
  });

  it("applies the pod patch last", () => {
    const patch = {
      containers: [
        { name: "workload", securityContext: { runAsNonRoot: true } },
        { name: "proxy", image: "envoy" },
      ],
    };
    const pod = toJob(base, context({ podPatchJson: JSON.stringify(patch) })).spec!.template.spec!;
    expect(pod.containers.map((c) => c.name)).toEqual(["workload", "proxy"]);
    expect(pod.containers[0]).toMatchObject({ image: "grafana/k6:1.3.0", securityContext: { runAsNonRoot: true } });
  });

  const refusals: [string, Partial<ExecutionSpec>, RegExp][] = [
    ["a relative working dir", { workingDir: "app" }, /workingDir must be an absolute path/],
    ["a relative results path", { resultsPath: "results" }, /resultsPath must be an absolute path/],
    [
      "files mounted where results go",
      { workingDir: "/tstr/results", files: [{ path: "a", content: new Uint8Array() }] },
      /must differ/,
    ],
    ["an unsupported network", { network: "tstr-net" }, /network mode "tstr-net" is not supported/],
  ];
  it.each(refusals)("refuses %s with CREATE_FAILED", (_, overrides, message) => {
    expect(() => toJob({ ...base, ...overrides }, context())).toThrow(
      expect.objectContaining({ reason: "CREATE_FAILED", message: expect.stringMatching(message) }),
    );
  });
});

describe("toRunNamespace", () => {
  it("enforces the baseline Pod Security level in a run's own namespace", () => {
    const namespace = toRunNamespace("tstr-run-1", { "tstr.dev/run-key": "tstr-run-1" }, {});
    expect(namespace.metadata?.labels).toEqual({
      "tstr.dev/run-key": "tstr-run-1",
      "pod-security.kubernetes.io/enforce": "baseline",
    });
  });
});

describe("activeDeadlineSeconds", () => {
  it("adds the start timeout (scheduling, image pulls) and slack to the test's timeout", () => {
    expect(activeDeadlineSeconds(30_000, {})).toBe(30 + 600 + 60);
    expect(activeDeadlineSeconds(1_500, { startTimeoutMs: 5_000, deadlineSlackSeconds: 1 })).toBe(2 + 5 + 1);
  });
});
