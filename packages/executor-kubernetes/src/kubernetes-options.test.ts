import { describe, expect, it } from "vitest";
import { parseKubernetesOptions } from "./kubernetes-options.js";

describe("parseKubernetesOptions", () => {
  it("reads the proto JSON of KubernetesOptions", () => {
    const options = parseKubernetesOptions({
      imagePullPolicy: "Always",
      envFrom: [{ name: "TOKEN", secretName: "creds", key: "token" }],
      nodeSelector: { pool: "load" },
      tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoSchedule", tolerationSeconds: "60" }],
      serviceAccount: "tests",
      volumes: [{ name: "data", mountPath: "/data", readOnly: true, persistentVolumeClaim: "fixtures" }],
      isolatedNamespace: true,
      podPatchJson: '{"priorityClassName":"low"}',
      cpuRequest: "250m",
      memoryLimit: "1Gi",
    });
    expect(options).toEqual({
      imagePullPolicy: "Always",
      envFrom: [{ name: "TOKEN", secretName: "creds", key: "token" }],
      nodeSelector: { pool: "load" },
      tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 60 }],
      serviceAccount: "tests",
      volumes: [{ name: "data", mountPath: "/data", readOnly: true, source: { persistentVolumeClaim: "fixtures" } }],
      isolatedNamespace: true,
      podPatch: { priorityClassName: "low" },
      cpuRequest: "250m",
      memoryLimit: "1Gi",
    });
  });

  it("reads the protobuf-es message shape too (oneof as case/value, int64 as bigint)", () => {
    const options = parseKubernetesOptions({
      volumes: [{ name: "cfg", mountPath: "/cfg", readOnly: false, source: { case: "configMap", value: "settings" } }],
      tolerations: [{ key: "a", operator: "Equal", value: "b", effect: "", tolerationSeconds: 0n }],
      envFrom: [],
      nodeSelector: {},
      isolatedNamespace: false,
      imagePullPolicy: "",
      podPatchJson: "",
    });
    expect(options.volumes).toEqual([
      { name: "cfg", mountPath: "/cfg", readOnly: false, source: { configMap: "settings" } },
    ]);
    expect(options.tolerations).toEqual([{ key: "a", operator: "Equal", value: "b" }]);
    expect(options.imagePullPolicy).toBeUndefined();
  });

  it("treats a missing value as no options", () => {
    expect(parseKubernetesOptions(undefined)).toEqual({
      envFrom: [],
      nodeSelector: {},
      tolerations: [],
      volumes: [],
      isolatedNamespace: false,
    });
  });

  const refusals: [string, object, string][] = [
    [
      "a bad pull policy",
      { imagePullPolicy: "Sometimes" },
      "run_config.kubernetes.image_pull_policy: must be one of Always, IfNotPresent, Never",
    ],
    [
      "a bad quantity",
      { memoryRequest: "1 GB" },
      'run_config.kubernetes.memory_request: "1 GB" is not a Kubernetes quantity (e.g. 500m, 1, 256Mi)',
    ],
    [
      "env_from with both sources",
      { envFrom: [{ secretName: "a", configMapName: "b" }] },
      "run_config.kubernetes.env_from[0]: needs exactly one of secret_name and config_map_name",
    ],
    [
      "env_from key without a name",
      { envFrom: [{ secretName: "a", key: "k" }] },
      "run_config.kubernetes.env_from[0].name: is required when key is set (the variable to set)",
    ],
    [
      "a volume without a source",
      { volumes: [{ name: "v", mountPath: "/v" }] },
      "run_config.kubernetes.volumes[0].source: needs exactly one of config_map, secret, persistent_volume_claim, host_path",
    ],
    [
      "a volume with a relative mount path",
      { volumes: [{ name: "v", mountPath: "v", secret: "s" }] },
      "run_config.kubernetes.volumes[0].mount_path: must be an absolute path",
    ],
    [
      "a volume name tstr uses",
      { volumes: [{ name: "tstr-results", mountPath: "/v", secret: "s" }] },
      "run_config.kubernetes.volumes[0].name: must be a DNS label not starting with tstr-",
    ],
    [
      "a patch that is not a JSON object",
      { podPatchJson: "[1]" },
      "run_config.kubernetes.pod_patch_json: must be a JSON object (a strategic-merge patch of the pod spec)",
    ],
  ];
  it.each(refusals)("refuses %s with CREATE_FAILED naming the field", (_, input, message) => {
    expect(() => parseKubernetesOptions(input)).toThrow(expect.objectContaining({ reason: "CREATE_FAILED", message }));
  });
});
