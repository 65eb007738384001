import { randomUUID } from "node:crypto";
import type { RecordedRequest } from "@tstr/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { API_CALL_RULES, createKubeApi } from "./kube-api.js";
import { createKubernetesExecutor } from "./kubernetes-executor.js";
import { REQUIRED_RBAC_RULES } from "./rbac.js";
import { type EmulatedCluster, startEmulatedCluster } from "./test-support/emulated-cluster.js";

/** Whether a PolicyRule list allows one request (as the API server's RBAC authorizer decides). */
function allowed(request: Pick<RecordedRequest, "apiGroup" | "resource" | "verb">): boolean {
  return REQUIRED_RBAC_RULES.some(
    (rule) =>
      rule.apiGroups.includes(request.apiGroup) &&
      rule.resources.includes(request.resource) &&
      rule.verbs.includes(request.verb),
  );
}

describe("REQUIRED_RBAC_RULES", () => {
  it("is the reviewed list of permissions (a change here is a change to the deploy manifests)", () => {
    expect(REQUIRED_RBAC_RULES).toEqual([
      { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "delete", "list"] },
      { apiGroups: [""], resources: ["namespaces"], verbs: ["create", "delete", "get", "list"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["delete", "list", "watch"] },
      { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
      { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "delete", "get", "list"] },
    ]);
  });

  describe("against the calls the executor really makes (emulated API server)", () => {
    let cluster: EmulatedCluster;
    let setupError: unknown;
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
    afterAll(() => cluster?.close(), 60_000);

    it("has a rule for every method of the API wrapper, which is the executor's only way to the cluster", () => {
      expect(Object.keys(createKubeApi(cluster.kubeConfig)).sort()).toEqual(Object.keys(API_CALL_RULES).sort());
    });

    it("covers every request of a full lifecycle, and every rule is needed by one", async () => {
      const runnerId = `rbac-${randomUUID()}`;
      const executor = () =>
        createKubernetesExecutor({ runnerId, kubeConfig: cluster.kubeConfig, resultsImage: cluster.image });
      const spec = (kubernetes: object) => {
        const runId = `rbac-${randomUUID()}`;
        return {
          runId,
          attempt: 1,
          image: cluster.image,
          command: ["sh", "-c", "echo started; sleep 300"],
          entrypointOverride: false,
          env: { TSTR_RESULTS_DIR: "/tstr/results" },
          files: [{ path: "script.sh", content: new TextEncoder().encode("exit 0") }],
          labels: {},
          resultsPath: "/tstr/results",
          kubernetes,
        };
      };
      const isolated = await executor().start(spec({ isolatedNamespace: true }), new AbortController().signal);
      for await (const chunk of isolated.output()) if (Buffer.from(chunk.data).toString().includes("started")) break;
      await isolated.stop(1_000);
      await isolated.results(1_000);
      await isolated.remove();
      await executor().start(spec({}), new AbortController().signal);
      expect(await executor().cleanupOrphans()).toBe(1);

      const requests = cluster.emulator.requests;
      const refused = requests
        .filter((request) => !allowed(request))
        .map((r) => `${r.verb} ${r.apiGroup}/${r.resource}`);
      expect(refused).toEqual([]);
      const used = new Set(requests.map((r) => `${r.apiGroup}/${r.resource}:${r.verb}`));
      const granted = REQUIRED_RBAC_RULES.flatMap((rule) =>
        rule.verbs.map((verb) => `${rule.apiGroups[0]}/${rule.resources[0]}:${verb}`),
      );
      expect(granted.filter((permission) => !used.has(permission))).toEqual([]);
    });
  });
});
