import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { REQUIRED_RBAC_RULES } from "@tstr/executor-kubernetes";
import * as yaml from "yaml";
import { parseServeConfig } from "../../../apps/tstr/src/config.js";
import { parseRunnerConfig } from "../../../apps/tstr/src/runner-config.js";

import { ENV_READ_BY, list, type Obj, obj, pinned, ROOT, run, str, strings } from "./deploy-helpers.js";

/** A kustomization rendered by kubectl, with the file each object came from. */
export interface Rendered {
  dir: string;
  docs: Obj[];
  origin: Map<string, string>;
}
export const meta = (doc: Obj) => obj(doc.metadata);
export const keyOf = (doc: Obj) => `${doc.kind}/${str(meta(doc).namespace) ?? ""}/${str(meta(doc).name) ?? ""}`;

/**
 * Runs `kubectl kustomize DIR` as an operator would, then renders DIR (plus any components)
 * through a wrapper kustomization that records each object's source file.
 */
export async function kustomize(dir: string, components: string[] = []): Promise<Rendered> {
  const label = [dir, ...components].join(" + ");
  const kubectl = (args: string[]) =>
    run("kubectl", ["kustomize", ...args], { maxBuffer: 16 << 20 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") {
        throw new Error("kubectl is not on PATH: deploy/k8s is rendered with `kubectl kustomize`");
      }
      throw new Error(`kubectl kustomize ${label} failed: ${(error as { stderr?: string }).stderr ?? error.message}`);
    });
  if (components.length === 0) await kubectl([path.join(ROOT, dir)]);
  const wrapper = await mkdtemp(path.join(os.tmpdir(), "tstr-kustomize-"));
  try {
    const relative = (target: string) => `  - ${path.relative(wrapper, path.join(ROOT, target))}\n`;
    await writeFile(
      path.join(wrapper, "kustomization.yaml"),
      `resources:\n${relative(dir)}components:\n${components.map(relative).join("") || "  []\n"}` +
        "buildMetadata: [originAnnotations]\n",
    );
    const { stdout } = await kubectl(["--load-restrictor", "LoadRestrictionsNone", wrapper]);
    const origin = new Map<string, string>();
    const docs = yaml.parseAllDocuments(stdout).map((document, index) => {
      if (document.errors.length)
        throw new Error(`${label}: rendered document ${index + 1}: ${document.errors[0]?.message}`);
      const doc = obj(document.toJS());
      const annotations = obj(meta(doc).annotations);
      const note = obj(yaml.parse(str(annotations["config.kubernetes.io/origin"]) ?? "{}"));
      origin.set(
        keyOf(doc),
        path.relative(ROOT, path.resolve(wrapper, str(note.path) ?? str(note.configuredIn) ?? "")),
      );
      delete annotations["config.kubernetes.io/origin"];
      if (Object.keys(annotations).length === 0) delete meta(doc).annotations;
      return doc;
    });
    return { dir: label, docs, origin };
  } finally {
    await rm(wrapper, { recursive: true, force: true });
  }
}

/** Example values of the operator-provided Secrets, so the containers' configuration can be parsed. */
export const EXAMPLE_SECRETS: Record<string, string> = {
  "tstr-database/url": "postgres://tstr:secret@postgres.example:5432/tstr",
  "tstr-runner-token/token": "example-runner-token",
};
export const KINDS = [
  "Namespace",
  "ServiceAccount",
  "ConfigMap",
  "Service",
  "Deployment",
  "StatefulSet",
  "PodDisruptionBudget",
  "Role",
  "RoleBinding",
  "ClusterRole",
  "ClusterRoleBinding",
];
export const CLUSTER_KINDS = ["Namespace", "ClusterRole", "ClusterRoleBinding"];
export const matches = (selector: Obj, labels: Obj) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
/** (apiGroup, resource, verb) triples a set of RBAC rules grants. */
export const grants = (
  rules: readonly { apiGroups: readonly string[]; resources: readonly string[]; verbs: readonly string[] }[],
) =>
  new Set(
    rules.flatMap((r) =>
      r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g || "core"}/${res}:${v}`))),
    ),
  );

export const rulesOf = (role: Obj) =>
  grants(
    list(role.rules).map((x) => ({
      apiGroups: strings(obj(x).apiGroups),
      resources: strings(obj(x).resources),
      verbs: strings(obj(x).verbs),
    })),
  );
/** Cluster-scoped resources among the executor's: a Role cannot grant them. */
export const clusterScoped = (grant: string) => grant.startsWith("core/namespaces:");
/**
 * What the runner may do cluster-wide when its Jobs stay in its namespace: list namespaces, for
 * the sweeper of leftover run namespaces (see the REQUIRED_RBAC_RULES doc comment).
 */
export const SWEEPER_GRANTS = new Set(["core/namespaces:list"]);

/**
 * The runner's Role and ClusterRole against REQUIRED_RBAC_RULES. Jobs in a namespace of their own:
 * the Role grants exactly the namespaced rules and the ClusterRole only the sweeper's. Isolated
 * namespaces (no Role): the ClusterRole grants exactly REQUIRED_RBAC_RULES.
 */
export function checkRunnerRbac(r: Rendered, at: (doc: Obj, what: string) => void): void {
  const required = grants(REQUIRED_RBAC_RULES);
  const roles = r.docs.filter((d) => d.kind === "Role");
  const compare = (doc: Obj, expected: Set<string>, what: string) => {
    const granted = rulesOf(doc);
    const extra = [...granted].filter((g) => !expected.has(g));
    const missing = [...expected].filter((g) => !granted.has(g));
    if (extra.length || missing.length) {
      at(doc, `rules must be ${what}: extra [${extra.join(", ")}], missing [${missing.join(", ")}]`);
    }
  };
  const namespaced = new Set([...required].filter((g) => !clusterScoped(g)));
  const rbacFile = "REQUIRED_RBAC_RULES of packages/executor-kubernetes/src/rbac.ts";
  for (const role of roles) compare(role, namespaced, `the namespaced ${rbacFile}`);
  for (const role of r.docs.filter((d) => d.kind === "ClusterRole")) {
    if (roles.length) compare(role, SWEEPER_GRANTS, "only namespaces:list beside the Role");
    else compare(role, required, `exactly ${rbacFile} (isolated namespaces)`);
  }
}

/** Everything wrong with one rendered kustomization, each problem naming the file and the object. */
export function manifestProblems(r: Rendered, readme: string): string[] {
  const problems: string[] = [];
  const at = (doc: Obj, what: string) =>
    problems.push(`${r.origin.get(keyOf(doc)) ?? r.dir} ${doc.kind}/${str(meta(doc).name)}: ${what}`);
  const named = (kind: string, name: string | undefined) =>
    r.docs.find((d) => d.kind === kind && meta(d).name === name);
  const jobsNamespace = runnerJobsNamespace(r);
  const namespaces = r.docs.filter((d) => d.kind === "Namespace").map((d) => str(meta(d).name));
  // Where the server and runner live (and their Secrets); the test Jobs get one of their own.
  const namespace = namespaces.find((n) => n !== jobsNamespace);
  const isJobsRbac = (doc: Obj) =>
    (doc.kind === "Role" || doc.kind === "RoleBinding") && meta(doc).name === "tstr-runner-jobs";
  const workloads = r.docs.filter((d) => d.kind === "Deployment" || d.kind === "StatefulSet");
  const podOf = (w: Obj) => obj(obj(obj(w.spec).template).spec);
  const podLabels = (w: Obj) => obj(obj(obj(obj(w.spec).template).metadata).labels);

  const secretRef = (doc: Obj, name: string | undefined, key: string | undefined, where: string) => {
    const secret = named("Secret", name);
    if (secret && key && !(key in obj(secret.data)) && !(key in obj(secret.stringData))) {
      at(doc, `${where}: Secret ${name} has no key ${key}`);
    }
    const row = readme.split("\n").find((l) => l.includes(`\`${name}\``) && (!key || l.includes(`\`${key}\``)));
    if (!secret && !row)
      at(doc, `${where}: Secret ${name} (key ${key}) is not rendered nor listed in deploy/README.md`);
  };

  for (const doc of r.docs) {
    const m = meta(doc);
    if (!str(doc.apiVersion) || !str(doc.kind) || !str(m.name)) {
      at(doc, "needs apiVersion, kind and metadata.name");
      continue;
    }
    if (!KINDS.includes(str(doc.kind) ?? "")) at(doc, `unexpected kind (allowed: ${KINDS.join(", ")})`);
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(str(m.name) ?? "")) at(doc, "metadata.name is not a DNS label");
    const labels = obj(m.labels);
    if (labels["app.kubernetes.io/part-of"] !== "tstr")
      at(doc, "metadata.labels app.kubernetes.io/part-of must be tstr");
    if (doc.kind === "Namespace") {
      if (m.name === jobsNamespace && labels["pod-security.kubernetes.io/enforce"] !== "baseline") {
        at(doc, "the Jobs' namespace must enforce the baseline Pod Security level");
      }
      continue;
    }
    if (labels["app.kubernetes.io/name"] !== "tstr") at(doc, "metadata.labels app.kubernetes.io/name must be tstr");
    if (!["server", "runner"].includes(str(labels["app.kubernetes.io/component"]) ?? "")) {
      at(doc, "metadata.labels app.kubernetes.io/component must be server or runner");
    }
    const inJobs = isJobsRbac(doc) && namespaces.includes(jobsNamespace);
    const expected = CLUSTER_KINDS.includes(str(doc.kind) ?? "") ? undefined : inJobs ? jobsNamespace : namespace;
    if (str(m.namespace) !== expected) {
      at(doc, `metadata.namespace is ${m.namespace ?? "unset"}, expected ${expected ?? "unset (overlays set it)"}`);
    }
  }

  if (jobsNamespace && namespaces.length > 0 && !namespaces.includes(jobsNamespace)) {
    problems.push(`${r.dir}: the Jobs' namespace ${jobsNamespace} (TSTR_RUNNER_KUBE_NAMESPACE) is not rendered`);
  }
  for (const w of workloads) {
    const pod = podOf(w);
    if (jobsNamespace && (str(meta(w).namespace) ?? "default") === jobsNamespace) {
      at(w, `runs in ${jobsNamespace}, the test Jobs' namespace: tests could mount its Secrets`);
    }
    const labels = podLabels(w);
    if (!matches(obj(obj(obj(w.spec).selector).matchLabels), labels)) {
      at(w, "spec.selector.matchLabels must select the pod template's labels");
    }
    if (labels["app.kubernetes.io/component"] !== obj(meta(w).labels)["app.kubernetes.io/component"]) {
      at(w, "pod template and workload disagree on app.kubernetes.io/component");
    }
    const security = obj(pod.securityContext);
    if (security.runAsNonRoot !== true) at(w, "spec.template.spec.securityContext.runAsNonRoot must be true");
    if (!(typeof security.runAsUser === "number" && security.runAsUser > 0)) {
      at(w, "spec.template.spec.securityContext.runAsUser must be a non-zero uid");
    }
    const account = str(pod.serviceAccountName);
    if (!named("ServiceAccount", account))
      at(w, `serviceAccountName ${account} is not a ServiceAccount of this render`);
    const volumes = list(pod.volumes).map(obj);
    for (const volume of volumes) {
      const secret = obj(volume.secret);
      if (volume.secret) secretRef(w, str(secret.secretName), undefined, `volume ${volume.name}`);
    }
    for (const c of [...list(pod.initContainers), ...list(pod.containers)].map(obj)) {
      const where = `container ${c.name}`;
      const image = str(c.image) ?? "";
      if (!pinned(image)) at(w, `${where}: image ${image} is not pinned to a tag or digest (never :latest)`);
      const resources = obj(c.resources);
      const requests = obj(resources.requests);
      if (!requests.cpu || !requests.memory || !obj(resources.limits).memory) {
        at(w, `${where}: needs resources.requests.cpu, requests.memory and limits.memory`);
      }
      const sc = obj(c.securityContext);
      if (sc.allowPrivilegeEscalation !== false)
        at(w, `${where}: securityContext.allowPrivilegeEscalation must be false`);
      if (sc.readOnlyRootFilesystem !== true) at(w, `${where}: securityContext.readOnlyRootFilesystem must be true`);
      if (!strings(obj(sc.capabilities).drop).includes("ALL")) at(w, `${where}: securityContext.capabilities.drop ALL`);
      const ports = list(c.ports).map(obj);
      const portRefs = new Set(ports.flatMap((p) => [p.name, p.containerPort]));
      for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
        const spec = obj(c[probe]);
        if (!c[probe]) {
          if (ports.length && probe !== "startupProbe") at(w, `${where}: serves a port but has no ${probe}`);
          continue;
        }
        const port = obj(spec.httpGet).port ?? obj(spec.grpc).port;
        if (!portRefs.has(port)) at(w, `${where}: ${probe} port ${port} is not a port of the container`);
        if (spec.httpGet && obj(spec.httpGet).path !== "/healthz") at(w, `${where}: ${probe} must GET /healthz`);
      }
      for (const from of list(c.envFrom).map(obj)) {
        const ref = str(obj(from.configMapRef).name);
        if (from.configMapRef && !named("ConfigMap", ref)) at(w, `${where}: envFrom ConfigMap ${ref} is not rendered`);
        if (from.secretRef) secretRef(w, str(obj(from.secretRef).name), undefined, `${where} envFrom`);
      }
      for (const variable of list(c.env).map(obj)) {
        const ref = obj(obj(variable.valueFrom).secretKeyRef);
        if (variable.valueFrom && ref.name) secretRef(w, str(ref.name), str(ref.key), `${where} env ${variable.name}`);
      }
      for (const problem of tstrContainerProblems(w, c, r, volumes, readme)) at(w, `${where}: ${problem}`);
    }
  }

  for (const doc of r.docs.filter((d) => ["Service", "PodDisruptionBudget"].includes(str(d.kind) ?? ""))) {
    const spec = obj(doc.spec);
    const selector = doc.kind === "Service" ? obj(spec.selector) : obj(obj(spec.selector).matchLabels);
    const targets = workloads.filter((w) => matches(selector, podLabels(w)));
    if (targets.length === 0) at(doc, `selector ${JSON.stringify(selector)} matches no pod template of this render`);
    for (const port of list(spec.ports).map(obj)) {
      for (const w of targets) {
        const declared = list(podOf(w).containers).flatMap((c) => list(obj(c).ports).map(obj));
        if (!declared.some((p) => p.name === port.targetPort || p.containerPort === port.targetPort)) {
          at(doc, `targetPort ${port.targetPort} is not a container port of ${w.kind}/${meta(w).name}`);
        }
      }
    }
  }

  checkRunnerRbac(r, at);
  for (const binding of r.docs.filter((d) => d.kind === "RoleBinding" || d.kind === "ClusterRoleBinding")) {
    const roleRef = obj(binding.roleRef);
    const roleKind = binding.kind === "RoleBinding" ? "Role" : "ClusterRole";
    if (roleRef.kind !== roleKind || !named(roleKind, str(roleRef.name))) {
      at(binding, `roleRef ${roleRef.kind}/${roleRef.name} is not a ${roleKind} of this render`);
    }
    for (const subject of list(binding.subjects).map(obj)) {
      const account = named("ServiceAccount", str(subject.name));
      if (subject.kind !== "ServiceAccount" || !account) {
        at(binding, `subject ${subject.kind}/${subject.name} is not a ServiceAccount of this render`);
      } else if (namespace && subject.namespace !== namespace) {
        at(binding, `subject ${subject.name} namespace ${subject.namespace} is not ${namespace}`);
      } else if (!workloads.some((w) => podOf(w).serviceAccountName === subject.name)) {
        at(binding, `no workload runs as ServiceAccount ${subject.name}`);
      }
    }
  }
  return problems;
}

/** A tstr container's environment and args, resolved as the kubelet would, checked by tstr's own parsers. */
export function tstrContainerProblems(w: Obj, c: Obj, r: Rendered, volumes: Obj[], readme: string): string[] {
  const problems: string[] = [];
  const env: Record<string, string> = {};
  const declared: string[] = [];
  const expand = (text: string) => text.replace(/\$\((\w+)\)/g, (whole, name: string) => env[name] ?? whole);
  for (const from of list(c.envFrom).map(obj)) {
    const map = r.docs.find((d) => d.kind === "ConfigMap" && meta(d).name === obj(from.configMapRef).name);
    for (const [name, value] of Object.entries(obj(map?.data))) {
      env[name] = String(value);
      declared.push(name);
    }
  }
  for (const variable of list(c.env).map(obj)) {
    const name = str(variable.name) ?? "";
    const from = obj(variable.valueFrom);
    const field = str(obj(from.fieldRef).fieldPath);
    const secret = obj(from.secretKeyRef);
    declared.push(name);
    if (variable.value !== undefined) env[name] = expand(String(variable.value));
    else if (field === "metadata.namespace") env[name] = str(meta(w).namespace) ?? "default";
    else if (field === "metadata.name") env[name] = `${meta(w).name}-0`;
    else if (from.secretKeyRef && `${secret.name}/${secret.key}` in EXAMPLE_SECRETS) {
      env[name] = EXAMPLE_SECRETS[`${secret.name}/${secret.key}`] ?? "";
    } else problems.push(`env ${name}: no example value for its valueFrom in EXAMPLE_SECRETS of this test`);
  }
  const [command = "", ...rest] = strings(c.args).map(expand);
  const reads = ENV_READ_BY[command];
  if (command !== "serve" && command !== "runner") return [`args[0] "${command}" is not serve or runner`];
  const references = [...strings(c.args), ...list(c.env).map((v) => String(obj(v).value ?? ""))].join(" ");
  for (const name of declared) {
    if (/^(TSTR_|DATABASE_URL$)/.test(name)) {
      if (!reads?.has(name)) problems.push(`env ${name} is not read by tstr ${command} (see tstr ${command} --help)`);
    } else if (!references.includes(`$(${name})`))
      problems.push(`env ${name} is neither read by tstr nor used as $(${name})`);
  }
  const mounts = list(c.volumeMounts).map(obj);
  const volumeOf = (file: string) => {
    const mount = mounts.find((m) => file.startsWith(`${m.mountPath}/`));
    return volumes.find((v) => v.name === mount?.name);
  };
  try {
    if (command === "serve") {
      const config = parseServeConfig(rest, env);
      const ports = list(c.ports).map((p) => obj(p).containerPort);
      if (config.listen.host !== "0.0.0.0" || !ports.includes(config.listen.port)) {
        problems.push(
          `tstr serve listens on ${config.listen.host}:${config.listen.port}, not 0.0.0.0 on a container port`,
        );
      }
      const keyFile = config.signingKeyFile ?? "";
      const secretName = str(obj(volumeOf(keyFile)?.secret).secretName);
      if (!secretName)
        problems.push("TSTR_SIGNING_KEY_FILE must be a file of a mounted Secret (one key for every replica)");
      else if (!new RegExp(`\`${secretName}\`.*\`${path.basename(keyFile)}\``).test(readme)) {
        problems.push(`deploy/README.md must list Secret ${secretName} with key ${path.basename(keyFile)}`);
      }
    } else {
      const config = parseRunnerConfig(rest, env, "pod");
      const server = new URL(config.server);
      const service = r.docs.find((d) => d.kind === "Service" && meta(d).name === server.hostname.split(".")[0]);
      const servesHere = r.docs.some((d) => d.kind === "Deployment" && meta(d).name === "tstr-server");
      const port = list(obj(service?.spec).ports).map((p) => String(obj(p).port));
      if (servesHere && !(service && port.includes(server.port || "80"))) {
        problems.push(`TSTR_ADDR ${config.server} is not the address of the rendered tstr-server Service`);
      }
      if (config.executor === "kubernetes") {
        const account = podAccount(w);
        const jobNamespace = config.kubeNamespace;
        const bindsAccount = (b: Obj) => list(b.subjects).some((subject) => obj(subject).name === account);
        const bound = r.docs.some(
          (b) =>
            // Unset in a base: the overlay puts it in the Jobs' namespace (checked above).
            (b.kind === "RoleBinding" &&
              (str(meta(b).namespace) ?? jobNamespace) === jobNamespace &&
              bindsAccount(b)) ||
            (b.kind === "ClusterRoleBinding" && bindsAccount(b) && !r.docs.some((d) => d.kind === "Role")),
        );
        if (!jobNamespace) problems.push("set --kube-namespace: the namespace its Role is in");
        else if (!bound)
          problems.push(`--kube-namespace ${jobNamespace} has no Role bound to ServiceAccount ${account}`);
      }
    }
  } catch (error) {
    problems.push(`tstr ${command} refuses this configuration: ${(error as Error).message}`);
  }
  return problems;
}
/** The namespace the rendered runner runs its test Jobs in (TSTR_RUNNER_KUBE_NAMESPACE of its ConfigMap). */
export function runnerJobsNamespace(r: Rendered): string | undefined {
  const config = r.docs.find((d) => d.kind === "ConfigMap" && str(meta(d).name)?.startsWith("tstr-runner-config"));
  return str(obj(config?.data).TSTR_RUNNER_KUBE_NAMESPACE);
}
export const podAccount = (w: Obj) => str(obj(obj(obj(w.spec).template).spec).serviceAccountName);
