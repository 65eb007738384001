import { readdir } from "node:fs/promises";
import path from "node:path";
import { REQUIRED_RBAC_RULES } from "@tstr/executor-kubernetes";
import { beforeAll, describe, expect, it } from "vitest";
import { list, loadCtlEnvNames, obj, ROOT, read, str } from "./support/deploy-helpers.js";
import {
  clusterScoped,
  grants,
  kustomize,
  manifestProblems,
  meta,
  type Rendered,
  rulesOf,
  runnerJobsNamespace,
  SWEEPER_GRANTS,
} from "./support/k8s-manifests.js";

beforeAll(loadCtlEnvNames);

describe("deploy/k8s", () => {
  const ISOLATED = "deploy/k8s/components/isolated-namespaces";
  const CASES: [string, string[]][] = [
    ["deploy/k8s/server", []],
    ["deploy/k8s/runner", []],
    ["deploy/k8s/overlays/single-cluster", []],
    ["deploy/k8s/overlays/remote-runner", []],
    ["deploy/k8s/overlays/remote-runner", [ISOLATED]],
  ];
  const rendered = new Map<string, Rendered>();
  let readmeText = "";
  const get = (label: string) => {
    const r = rendered.get(label);
    if (!r) throw new Error(`${label} was not rendered`);
    return r;
  };
  const workloadsOf = (label: string) =>
    get(label)
      .docs.filter((d) => d.kind === "Deployment" || d.kind === "StatefulSet")
      .map((d) => `${d.kind}/${meta(d).name}`);

  beforeAll(async () => {
    readmeText = await read("deploy/README.md");
    const results = await Promise.all(CASES.map(([dir, components]) => kustomize(dir, components)));
    for (const r of results) rendered.set(r.dir, r);
  }, 60_000);

  it("has exactly these bases, overlays and components", async () => {
    const found = (await readdir(path.join(ROOT, "deploy/k8s"), { recursive: true }))
      .filter((file) => path.basename(file) === "kustomization.yaml")
      .map((file) => path.join("deploy/k8s", path.dirname(file)));
    expect(found.sort()).toEqual([...new Set(CASES.flatMap(([dir, components]) => [dir, ...components]))].sort());
    expect(workloadsOf("deploy/k8s/server")).toEqual(["Deployment/tstr-server"]);
    expect(workloadsOf("deploy/k8s/runner")).toEqual(["StatefulSet/tstr-runner"]);
    expect(workloadsOf("deploy/k8s/overlays/single-cluster")).toEqual([
      "Deployment/tstr-server",
      "StatefulSet/tstr-runner",
    ]);
    expect(workloadsOf("deploy/k8s/overlays/remote-runner")).toEqual(["StatefulSet/tstr-runner"]);
  });

  it.each(CASES.map(([dir, components]) => [dir, ...components].join(" + ")))(
    "%s renders valid, consistent, least-privilege objects",
    (label) => {
      expect(manifestProblems(get(label), readmeText)).toEqual([]);
    },
  );

  it("grants the runner exactly the Kubernetes executor's REQUIRED_RBAC_RULES", () => {
    const required = [...grants(REQUIRED_RBAC_RULES)].sort();
    const granted = (label: string) =>
      [...new Set(get(label).docs.flatMap((d) => (d.kind?.toString().endsWith("Role") ? [...rulesOf(d)] : [])))].sort();
    expect(required.length, "REQUIRED_RBAC_RULES is empty").toBeGreaterThan(0);
    // Jobs in one namespace (a Role there): everything but creating, reading and deleting namespaces.
    expect(granted("deploy/k8s/runner")).toEqual(required.filter((g) => !clusterScoped(g) || SWEEPER_GRANTS.has(g)));
    expect(granted(`deploy/k8s/overlays/remote-runner + ${ISOLATED}`)).toEqual(required);
  });

  it.each(["deploy/k8s/overlays/single-cluster", "deploy/k8s/overlays/remote-runner"])(
    "%s runs the test Jobs in a namespace of their own, apart from tstr's Secrets",
    (label) => {
      const r = get(label);
      const jobs = runnerJobsNamespace(r);
      const homes = new Set(
        r.docs.filter((d) => d.kind === "Deployment" || d.kind === "StatefulSet").map((w) => meta(w).namespace),
      );
      expect(jobs, `${label}: TSTR_RUNNER_KUBE_NAMESPACE`).toBe("tstr-jobs");
      // The server's (database URL, signing key) and the runner's (token) Secrets are where they run.
      expect([...homes].length, `${label}: workloads in one namespace`).toBe(1);
      expect(homes.has(jobs), `${label}: the Jobs' namespace holds tstr's Secrets`).toBe(false);
      const role = r.docs.find((d) => d.kind === "Role");
      expect(meta(role ?? {}).namespace, `${label}: Role/tstr-runner-jobs is where the Jobs are`).toBe(jobs);
      const namespace = r.docs.find((d) => d.kind === "Namespace" && meta(d).name === jobs);
      expect(obj(meta(namespace ?? {}).labels)["pod-security.kubernetes.io/enforce"]).toBe("baseline");
    },
  );

  it("reports broken objects by file and name (the checks can fail)", () => {
    const good = get("deploy/k8s/overlays/single-cluster");
    const docs = structuredClone(good.docs);
    const find = (kind: string) => docs.find((d) => d.kind === kind) ?? {};
    const server = obj(list(obj(obj(obj(find("Deployment").spec).template).spec).containers)[0]);
    server.image = "registry.example.com/tstr/tstr:latest";
    delete server.readinessProbe;
    obj(list(find("Role").rules)[0]).verbs = ["*"];
    obj(list(find("RoleBinding").subjects)[0]).name = "default";
    const serverConfig = docs.find(
      (d) => d.kind === "ConfigMap" && str(meta(d).name)?.startsWith("tstr-server-config"),
    );
    obj(serverConfig?.data).TSTR_LISTN = "0.0.0.0:7420";
    const runnerConfig = docs.find(
      (d) => d.kind === "ConfigMap" && str(meta(d).name)?.startsWith("tstr-runner-config"),
    );
    obj(runnerConfig?.data).TSTR_RUNNER_KUBE_NAMESPACE = "tstr";
    const problems = manifestProblems({ ...good, docs }, readmeText).join("\n");
    const deployment = "deploy/k8s/server/deployment.yaml Deployment/tstr-server: container server:";
    expect(problems).toContain(`${deployment} image registry.example.com/tstr/tstr:latest is not pinned`);
    expect(problems).toContain(`${deployment} serves a port but has no readinessProbe`);
    expect(problems).toContain(`${deployment} env TSTR_LISTN is not read by tstr serve`);
    expect(problems).toMatch(/deploy\/k8s\/runner\/role\.yaml Role\/tstr-runner-jobs: rules must be .*extra \[\S+:\*/);
    expect(problems).toContain(
      "deploy/k8s/runner/rolebinding.yaml RoleBinding/tstr-runner-jobs: subject ServiceAccount/default",
    );
    expect(problems).toContain(
      "deploy/k8s/runner/statefulset.yaml StatefulSet/tstr-runner: runs in tstr, the test Jobs' namespace",
    );
  });
});
