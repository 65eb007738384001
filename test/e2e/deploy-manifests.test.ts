import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { runCli } from "@tstr/cli";
import { REQUIRED_RBAC_RULES } from "@tstr/executor-kubernetes";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as yaml from "yaml";
import { parseServeConfig, SERVE_USAGE } from "../../apps/tstr/src/config.js";
import { parseRunnerConfig, RUNNER_USAGE } from "../../apps/tstr/src/runner-config.js";
import { spawnProcess, startServeProcess, type TstrProcess, waitFor } from "./support/tstr-process.js";

// The deployment artifacts under deploy/, checked against what the tstr binary really reads:
// the Dockerfile statically (no registry is reachable here, so it cannot be built), the compose
// file parsed and its shell snippets run against a real `tstr serve`, and every kustomize base and
// overlay rendered by `kubectl kustomize` and checked object by object. Kept in one file (over the
// usual 400 lines) because it is the one test file that owns deploy/. Every failure names the file
// and the object.

const ROOT = path.resolve(import.meta.dirname, "../..");
const MAIN = path.join(ROOT, "apps/tstr/src/main.ts");
const run = promisify(execFile);

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const strings = (value: unknown): string[] => list(value).map(String);
const read = (file: string) => readFile(path.join(ROOT, file), "utf8");

/** Environment variable names a usage text documents: "(env A" and "(env A or B", possibly wrapped. */
function envNamesIn(usage: string): Set<string> {
  const names = new Set<string>();
  for (const match of usage.matchAll(/\benv\s+([A-Z][A-Z0-9_]+(?:\s+or\s+[A-Z][A-Z0-9_]+)*)/g)) {
    for (const name of match[1]?.split(/\s+or\s+/) ?? []) names.add(name);
  }
  return names;
}
/** What each tstr command documents reading, from its own --help text. */
const ENV_READ_BY: Record<string, Set<string>> = { serve: envNamesIn(SERVE_USAGE), runner: envNamesIn(RUNNER_USAGE) };
beforeAll(async () => {
  let help = "";
  const io = { stdout: (s: string) => (help += s), stderr: () => {}, env: {}, cwd: ROOT, homeDir: os.tmpdir() };
  await runCli(["--help"], io);
  ENV_READ_BY.ctl = envNamesIn(help);
});

/** The exit code of `node -e SCRIPT`. */
const nodeExitCode = (script: string) =>
  run(process.execPath, ["-e", script]).then(
    () => 0,
    (error: { code?: number }) => error.code ?? -1,
  );

/** True when `name:tag` (or `@digest`) names a fixed version. */
function pinned(image: string): boolean {
  if (image.includes("@sha256:")) return true;
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return tag !== undefined && tag !== "latest" && !tag.includes("$");
}

describe("deploy/Dockerfile", () => {
  interface Instruction {
    keyword: string;
    args: string;
    line: number;
  }
  const instructions: Instruction[] = [];
  const where = (i: Instruction) => `deploy/Dockerfile:${i.line} ${i.keyword}`;
  const stages = () => {
    const out: { from: Instruction; body: Instruction[] }[] = [];
    for (const i of instructions) {
      if (i.keyword === "FROM") out.push({ from: i, body: [] });
      else out.at(-1)?.body.push(i);
    }
    return out;
  };

  beforeAll(async () => {
    const lines = (await read("deploy/Dockerfile")).split("\n");
    let pending: Instruction | undefined;
    for (const [index, raw] of lines.entries()) {
      const text = raw.trim();
      if (text === "" || text.startsWith("#")) continue;
      const continues = text.endsWith("\\");
      const body = continues ? text.slice(0, -1).trim() : text;
      if (pending) pending.args += ` ${body}`;
      else {
        const [keyword = "", ...rest] = body.split(/\s+/);
        pending = { keyword: keyword.toUpperCase(), args: rest.join(" "), line: index + 1 };
      }
      if (!continues) {
        instructions.push(pending);
        pending = undefined;
      }
    }
  });

  it("builds with the pinned Node and pnpm in one stage and ships only the bundle from it", async () => {
    const globalArgs = new Map<string, string>();
    for (const i of instructions) {
      if (i.keyword === "FROM") break;
      const [name, value] = i.args.split("=");
      if (i.keyword === "ARG" && name && value) globalArgs.set(name, value);
    }
    const nodePin = /^NODE_PIN=(\S+)/m.exec(await read(".ci/ensure-toolchain.sh"))?.[1];
    expect(globalArgs.get("NODE_VERSION"), "deploy/Dockerfile: ARG NODE_VERSION = .ci NODE_PIN").toBe(nodePin);

    const [build, runtime, ...extra] = stages();
    expect(extra, "deploy/Dockerfile: exactly two stages (build, runtime)").toEqual([]);
    if (!build || !runtime) throw new Error("deploy/Dockerfile: expected a build and a runtime stage");
    for (const { from } of [build, runtime]) {
      const image = from.args.split(/\s+/)[0]?.replace(/\$\{(\w+)\}/g, (_, name) => globalArgs.get(name) ?? "") ?? "";
      expect(pinned(image) && image.startsWith(`node:${nodePin}-`), `${where(from)}: ${image} pinned node`).toBe(true);
    }
    const buildName = /\bAS\s+(\S+)/i.exec(build.from.args)?.[1];
    expect(buildName, `${where(build.from)}: the build stage is named`).toBe("build");
    const buildRuns = build.body.filter((i) => i.keyword === "RUN").map((i) => i.args);
    expect(buildRuns.join("\n"), "deploy/Dockerfile: build stage installs the packageManager pnpm").toContain(
      'require("./package.json").packageManager',
    );
    expect(buildRuns.some((r) => /pnpm install .*--frozen-lockfile/.test(r) && /pnpm build/.test(r))).toBe(true);

    for (const i of runtime.body.filter((x) => x.keyword === "COPY" || x.keyword === "ADD")) {
      expect(i.keyword, `${where(i)}: the runtime stage copies, never ADDs`).toBe("COPY");
      expect(i.args, `${where(i)}: copies only the bundle from the build stage`).toMatch(
        /^--from=build \/src\/apps\/tstr\/dist\/tstr\.mjs \/app\/tstr\.mjs$/,
      );
    }
  });

  it("runs as a numeric non-root user with an exec-form entrypoint, a port, a healthcheck and labels", () => {
    const runtime = stages().at(-1)?.body ?? [];
    const last = (keyword: string) => runtime.filter((i) => i.keyword === keyword).at(-1);
    const user = last("USER")?.args ?? "";
    expect(user, "deploy/Dockerfile: USER uid[:gid], numeric and not 0").toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(JSON.parse(last("ENTRYPOINT")?.args ?? "null"), "deploy/Dockerfile: ENTRYPOINT exec form").toEqual([
      "node",
      "/app/tstr.mjs",
    ]);
    expect(JSON.parse(last("CMD")?.args ?? "null"), "deploy/Dockerfile: CMD").toEqual(["serve"]);
    expect(last("EXPOSE")?.args, "deploy/Dockerfile: EXPOSE").toBe("7420");
    const health = last("HEALTHCHECK")?.args ?? "";
    expect(health, "deploy/Dockerfile: HEALTHCHECK uses node, not curl or wget").toMatch(
      /CMD \["node", "-e", .*\/healthz/,
    );
    expect(health).not.toMatch(/curl|wget/);
    expect(
      runtime
        .filter((i) => i.keyword === "LABEL")
        .map((i) => i.args)
        .join(" "),
    ).toMatch(/org\.opencontainers\.image\.title=/);
    for (const i of instructions.filter((x) => ["ENV", "ARG", "LABEL"].includes(x.keyword))) {
      expect(i.args, `${where(i)}: no secrets in the image`).not.toMatch(/(PASSWORD|SECRET|TOKEN|PRIVATE)\w*=\S/i);
    }
  });

  it("has a build context filter that keeps every workspace manifest and drops local state", async () => {
    const rules = (await read("deploy/Dockerfile.dockerignore"))
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => {
        const negated = l.startsWith("!");
        const glob = (negated ? l.slice(1) : l).replace(/^\/+|\/+$/g, "");
        const source = glob
          .split("/")
          .map((part) => (part === "**" ? ".*" : part.replace(/[.+^${}()|[\]]/g, "\\$&").replace(/\*/g, "[^/]*")))
          .join("/")
          .replace(/\.\*\//g, "(.*/)?");
        return { negated, pattern: new RegExp(`^${source}(/.*)?$`) };
      });
    const excluded = (file: string) =>
      rules.reduce((out, rule) => (rule.pattern.test(file) ? !rule.negated : out), false);
    const workspaces = ["test/package.json"];
    for (const parent of ["apps", "packages"]) {
      for (const dir of await readdir(path.join(ROOT, parent))) workspaces.push(`${parent}/${dir}/package.json`);
    }
    const needed = ["package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc", "apps/tstr/build.mjs"];
    for (const file of [...needed, ...workspaces, "apps/tstr/src/main.ts", "packages/db/src/index.ts"]) {
      expect(excluded(file), `deploy/Dockerfile.dockerignore drops ${file}, which the build needs`).toBe(false);
    }
    for (const file of ["node_modules/x", "packages/db/node_modules/x", ".git/HEAD", ".tools/x", ".tstr/dev/x"]) {
      expect(excluded(file), `deploy/Dockerfile.dockerignore keeps ${file} in the context`).toBe(true);
    }
    expect(excluded("apps/tstr/dist/tstr.mjs"), "a stale local bundle must not reach the build").toBe(true);
  });
});

/** Compose's interpolation of one string: `$$`, `${V}`, `${V:-d}`, `${V-d}`, `${V:?e}`, `${V?e}`. */
function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}/g, (whole, name, op, arg) => {
    if (whole === "$$") return "$";
    const value = vars[name];
    const unset = op?.startsWith(":") ? !value : value === undefined;
    if (unset && op?.endsWith("?")) throw new Error(`compose: \${${name}} is required: ${arg}`);
    return unset && op?.endsWith("-") ? arg : (value ?? "");
  });
}
function interpolateAll(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === "string") return interpolate(value, vars);
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, vars));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, vars)]));
  }
  return value;
}

describe("deploy/compose/compose.yaml", () => {
  const FILE = "deploy/compose/compose.yaml";
  const DOT_ENV = { POSTGRES_PASSWORD: "pw0123", DOCKER_GID: "998" };
  let services: Record<string, Obj> = {};
  let volumes: Obj = {};
  const service = (name: string) => {
    const found = services[name];
    if (!found) throw new Error(`${FILE}: no service "${name}"`);
    return found;
  };
  const environment = (name: string) =>
    Object.fromEntries(Object.entries(obj(service(name).environment)).map(([k, v]) => [k, String(v)]));
  const SECRETS = "/var/lib/tstr/secrets";

  beforeAll(async () => {
    const parsed = obj(interpolateAll(yaml.parse(await read(FILE), { merge: true }), DOT_ENV));
    services = obj(parsed.services) as Record<string, Obj>;
    volumes = obj(parsed.volumes);
  });

  it("declares the database, server, token issuer and Docker runner with pinned images and volumes", () => {
    expect(Object.keys(services).sort()).toEqual(["db", "runner", "runner-results-dir", "runner-token", "server"]);
    expect(str(service("db").image), `${FILE}: db image`).toMatch(/^postgres:1[56](\.\d+)?(-\w+)?$/);
    for (const [name, s] of Object.entries(services)) {
      expect(pinned(str(s.image) ?? ""), `${FILE}: services.${name}.image ${s.image} is pinned`).toBe(true);
      for (const field of ["entrypoint", "command"]) {
        const items = list(s[field]);
        const bad = items.find((item) => typeof item !== "string");
        expect(bad, `${FILE}: services.${name}.${field} item is not a string (quote it)`).toBeUndefined();
      }
      const health = obj(s.healthcheck);
      const hasPort = name === "db" || name === "server";
      expect(
        hasPort ? list(health.test).length > 0 : health.disable === true,
        `${FILE}: services.${name}.healthcheck`,
      ).toBe(true);
      for (const mount of strings(s.volumes)) {
        const source = mount.split(":")[0] ?? "";
        if (!source.startsWith("/"))
          expect(volumes, `${FILE}: services.${name} mounts undeclared ${source}`).toHaveProperty(source);
      }
    }
    expect(strings(service("db").volumes)).toContain("db-data:/var/lib/postgresql/data");
    expect(obj(service("server").depends_on).db).toEqual({ condition: "service_healthy" });
    expect(obj(service("runner-token").depends_on).server).toEqual({ condition: "service_healthy" });
    expect(obj(service("runner").depends_on)).toEqual({
      "runner-token": { condition: "service_completed_successfully" },
      "runner-results-dir": { condition: "service_completed_successfully" },
    });
  });

  it("gives tstr serve and tstr runner only settings they read, and they parse", () => {
    for (const [name, command] of [
      ["server", "serve"],
      ["runner", "runner"],
      ["runner-token", "ctl"],
    ] as const) {
      for (const key of Object.keys(environment(name))) {
        expect(
          ENV_READ_BY[command]?.has(key),
          `${FILE}: services.${name}.environment.${key} is not read by tstr ${command}`,
        ).toBe(true);
      }
    }
    const serve = parseServeConfig(strings(service("server").command).slice(1), environment("server"));
    expect(serve.listen, `${FILE}: services.server TSTR_LISTEN`).toEqual({ host: "0.0.0.0", port: 7420 });
    expect(serve.databaseUrl).toBe(`postgres://tstr:${DOT_ENV.POSTGRES_PASSWORD}@db:5432/tstr`);
    expect(serve.bootstrapTokenFile?.startsWith(`${SECRETS}/`), `${FILE}: bootstrap token on the secrets volume`).toBe(
      true,
    );
    expect(strings(service("server").volumes)).toContain(`secrets:${SECRETS}`);
    expect(strings(service("server").ports)).toEqual(["7420:7420"]);

    const runner = parseRunnerConfig(strings(service("runner").command), {
      ...environment("runner"),
      TSTR_RUNNER_TOKEN: "t",
    });
    expect(runner).toMatchObject({ executor: "docker", server: "http://server:7420", name: "compose-docker-1" });
    const mounts = strings(service("runner").volumes);
    expect(mounts, `${FILE}: services.runner mounts the Docker socket`).toContain(
      "/var/run/docker.sock:/var/run/docker.sock",
    );
    // The engine resolves bind sources on the host: results dirs need the same path on both sides.
    expect(mounts).toContain("/tmp/tstr-docker:/tmp/tstr-docker");
    expect(environment("runner"), "the executor's results root is $TMPDIR/tstr-docker").not.toHaveProperty("TMPDIR");
    expect(strings(service("runner-results-dir").volumes)).toEqual(["/tmp/tstr-docker:/tmp/tstr-docker"]);
    expect(strings(service("runner").group_add)).toEqual([DOT_ENV.DOCKER_GID]);
  });

  describe("shell snippets, run against a real tstr serve", () => {
    const database = useTestDatabase();
    let dir = "";
    let server: Awaited<ReturnType<typeof startServeProcess>> | undefined;
    let runner: TstrProcess | undefined;
    /** A compose snippet made runnable here: the secrets volume is a temp dir, the image's node is tsx. */
    const local = (snippet: string) =>
      snippet.replaceAll(SECRETS, dir).replaceAll("node /app/tstr.mjs", `"${process.execPath}" --import tsx "${MAIN}"`);
    const sh = async (script: string, args: string[] = [], env: Record<string, string> = {}) => {
      const proc = spawnProcess("/bin/sh", ["-c", script, "tstr-test", ...args], { cwd: ROOT, env });
      return { code: await proc.exited, stdout: proc.stdout(), stderr: proc.stderr() };
    };

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), "tstr-compose-"));
      const bootstrapFile = environment("server").TSTR_BOOTSTRAP_TOKEN_FILE ?? "";
      server = await startServeProcess(database.url, ["--bootstrap-token-file", local(bootstrapFile)]);
    });
    afterAll(async () => {
      await runner?.stop();
      await server?.proc.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("issues the runner token once from the bootstrap token, and the runner registers with it", async () => {
      const script = local(strings(service("runner-token").command)[0] ?? "");
      const env = { ...environment("runner-token"), TSTR_ADDR: server?.url ?? "" };
      const first = await sh(script, [], env);
      expect(first, `${FILE}: services.runner-token`).toMatchObject({ code: 0 });
      const token = (await readFile(path.join(dir, "runner-token"), "utf8")).trim();
      expect(token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(await sh(script, [], env)).toMatchObject({ code: 0, stdout: "runner token already issued\n" });

      const [shell, flag, wrapper = "", argv0 = ""] = strings(service("runner").entrypoint);
      expect([shell, flag, argv0]).toEqual(["/bin/sh", "-c", "tstr-runner"]);
      // The wrapper with --executor process instead of docker: no engine is needed to prove it.
      runner = spawnProcess("/bin/sh", ["-c", local(wrapper), argv0, "--executor", "process"], {
        cwd: ROOT,
        env: { ...environment("runner"), TSTR_ADDR: server?.url ?? "", TSTR_RUNNER_WORK_DIR: dir },
      });
      await waitFor(runner, () => (/"msg":"running"/.test(runner?.stderr() ?? "") ? true : undefined));
      expect(await runner.stop()).toBe(0);
    }, 60_000);

    it("prepares the results folder for the runner's user", async () => {
      const results = path.join(dir, "tstr-docker");
      const [node, flag, script = ""] = strings(service("runner-results-dir").entrypoint);
      expect([node, flag]).toEqual(["node", "-e"]);
      await run(process.execPath, ["-e", script.replaceAll("/tmp/tstr-docker", results)]).catch((error) => {
        // chown needs root, as in the compose service (user 0:0); elsewhere only the folder is checked.
        if (process.getuid?.() === 0) throw error;
      });
      const info = await stat(results);
      expect(info.isDirectory()).toBe(true);
      if (process.getuid?.() === 0) expect([info.uid, info.gid]).toEqual([10001, 10001]);
    });

    it("has healthchecks that pass while serving and fail when nothing answers", async () => {
      const port = new URL(server?.url ?? "").port;
      const composeProbe = strings(obj(service("server").healthcheck).test);
      const dockerProbe = /HEALTHCHECK .*CMD (\[.*\])/.exec(
        (await read("deploy/Dockerfile")).replace(/\\\n\s*/g, ""),
      )?.[1];
      for (const probe of [composeProbe.slice(1), JSON.parse(dockerProbe ?? "[]") as string[]]) {
        const script = probe.at(-1)?.replace("127.0.0.1:7420", `127.0.0.1:${port}`) ?? "";
        expect(probe.slice(0, 2)).toEqual(["node", "-e"]);
        expect(await nodeExitCode(script), `healthcheck ${script}`).toBe(0);
        expect(await nodeExitCode(script.replace(`127.0.0.1:${port}`, "127.0.0.1:9"))).toBe(1);
      }
    });
  });
});

/** A kustomization rendered by kubectl, with the file each object came from. */
interface Rendered {
  dir: string;
  docs: Obj[];
  origin: Map<string, string>;
}
const meta = (doc: Obj) => obj(doc.metadata);
const keyOf = (doc: Obj) => `${doc.kind}/${str(meta(doc).namespace) ?? ""}/${str(meta(doc).name) ?? ""}`;

/**
 * Runs `kubectl kustomize DIR` as an operator would, then renders DIR (plus any components)
 * through a wrapper kustomization that records each object's source file.
 */
async function kustomize(dir: string, components: string[] = []): Promise<Rendered> {
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
const EXAMPLE_SECRETS: Record<string, string> = {
  "tstr-database/url": "postgres://tstr:secret@postgres.example:5432/tstr",
  "tstr-runner-token/token": "example-runner-token",
};
const KINDS = [
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
const CLUSTER_KINDS = ["Namespace", "ClusterRole", "ClusterRoleBinding"];
const matches = (selector: Obj, labels: Obj) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
/** (apiGroup, resource, verb) triples a set of RBAC rules grants. */
const grants = (
  rules: readonly { apiGroups: readonly string[]; resources: readonly string[]; verbs: readonly string[] }[],
) =>
  new Set(
    rules.flatMap((r) =>
      r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g || "core"}/${res}:${v}`))),
    ),
  );

const rulesOf = (role: Obj) =>
  grants(
    list(role.rules).map((x) => ({
      apiGroups: strings(obj(x).apiGroups),
      resources: strings(obj(x).resources),
      verbs: strings(obj(x).verbs),
    })),
  );
/** Cluster-scoped resources among the executor's: a Role cannot grant them. */
const clusterScoped = (grant: string) => grant.startsWith("core/namespaces:");
/**
 * What the runner may do cluster-wide when its Jobs stay in its namespace: list namespaces, for
 * the sweeper of leftover run namespaces (see the REQUIRED_RBAC_RULES doc comment).
 */
const SWEEPER_GRANTS = new Set(["core/namespaces:list"]);

/**
 * The runner's Role and ClusterRole against REQUIRED_RBAC_RULES. Jobs in a namespace of their own:
 * the Role grants exactly the namespaced rules and the ClusterRole only the sweeper's. Isolated
 * namespaces (no Role): the ClusterRole grants exactly REQUIRED_RBAC_RULES.
 */
function checkRunnerRbac(r: Rendered, at: (doc: Obj, what: string) => void): void {
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
function manifestProblems(r: Rendered, readme: string): string[] {
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
function tstrContainerProblems(w: Obj, c: Obj, r: Rendered, volumes: Obj[], readme: string): string[] {
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
function runnerJobsNamespace(r: Rendered): string | undefined {
  const config = r.docs.find((d) => d.kind === "ConfigMap" && str(meta(d).name)?.startsWith("tstr-runner-config"));
  return str(obj(config?.data).TSTR_RUNNER_KUBE_NAMESPACE);
}
const podAccount = (w: Obj) => str(obj(obj(obj(w.spec).template).spec).serviceAccountName);

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
