import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contextNamespace, loadKubeConfig } from "./kube-config.js";

describe("loadKubeConfig", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tstr-kubeconfig-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: "a", cluster: { server: "https://a.example:6443", "insecure-skip-tls-verify": true } },
      { name: "b", cluster: { server: "https://b.example:6443", "insecure-skip-tls-verify": true } },
    ],
    users: [{ name: "u", user: { token: "t" } }],
    contexts: [
      { name: "ctx-a", context: { cluster: "a", user: "u", namespace: "tests" } },
      { name: "ctx-b", context: { cluster: "b", user: "u" } },
    ],
    "current-context": "ctx-a",
  };

  it("reads a kubeconfig file (out of cluster), its context's namespace, or another context", async () => {
    const path = join(dir, "config");
    await writeFile(path, JSON.stringify(kubeconfig));
    const loaded = loadKubeConfig({ kubeconfigPath: path });
    expect(loaded.getCurrentCluster()?.server).toBe("https://a.example:6443");
    expect(contextNamespace(loaded)).toBe("tests");
    const other = loadKubeConfig({ kubeconfigPath: path, context: "ctx-b" });
    expect(other.getCurrentCluster()?.server).toBe("https://b.example:6443");
    expect(contextNamespace(other)).toBeUndefined();
  });

  it("fails as EXECUTOR_UNAVAILABLE for a missing file, or in-cluster outside a pod", () => {
    expect(() => loadKubeConfig({ kubeconfigPath: join(dir, "missing") })).toThrow(
      expect.objectContaining({
        reason: "EXECUTOR_UNAVAILABLE",
        message: expect.stringContaining("cannot load the Kubernetes configuration"),
      }),
    );
    if (process.env.KUBERNETES_SERVICE_HOST) return;
    expect(() => loadKubeConfig({ inCluster: true })).toThrow(
      expect.objectContaining({ reason: "EXECUTOR_UNAVAILABLE" }),
    );
  });
});
