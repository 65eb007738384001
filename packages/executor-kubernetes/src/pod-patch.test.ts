import { describe, expect, it } from "vitest";
import { strategicMerge } from "./pod-patch.js";

const pod = {
  restartPolicy: "Never",
  nodeSelector: { pool: "a" },
  containers: [
    { name: "workload", image: "x", env: [{ name: "A", value: "1" }], volumeMounts: [{ name: "r", mountPath: "/r" }] },
  ],
  volumes: [{ name: "r", emptyDir: {} }],
  tolerations: [{ key: "a", operator: "Exists" }],
};

describe("strategicMerge", () => {
  const cases: [string, object, object][] = [
    ["merges maps key by key", { nodeSelector: { zone: "z1" } }, { nodeSelector: { pool: "a", zone: "z1" } }],
    ["deletes a key set to null", { nodeSelector: null }, { nodeSelector: undefined }],
    ["replaces scalars", { restartPolicy: "OnFailure" }, { restartPolicy: "OnFailure" }],
    [
      "appends a new named item (a sidecar)",
      { containers: [{ name: "proxy", image: "envoy" }] },
      { containers: [pod.containers[0], { name: "proxy", image: "envoy" }] },
    ],
    [
      "merges a matching named item deeply, env by name and mounts by mountPath",
      {
        containers: [
          { name: "workload", env: [{ name: "B", value: "2" }], volumeMounts: [{ mountPath: "/r", readOnly: true }] },
        ],
      },
      {
        containers: [
          {
            name: "workload",
            image: "x",
            env: [
              { name: "A", value: "1" },
              { name: "B", value: "2" },
            ],
            volumeMounts: [{ name: "r", mountPath: "/r", readOnly: true }],
          },
        ],
      },
    ],
    ["removes an item with $patch: delete", { volumes: [{ name: "r", $patch: "delete" }] }, { volumes: [] }],
    [
      "replaces lists without a merge key",
      { tolerations: [{ key: "b", operator: "Exists" }] },
      { tolerations: [{ key: "b", operator: "Exists" }] },
    ],
  ];
  it.each(cases)("%s", (_, patch, expected) => {
    const before = structuredClone(pod);
    const merged = strategicMerge(pod, patch) as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) expect(merged[key]).toEqual(value);
    expect(pod).toEqual(before);
  });
});
