import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { useTestDatabase } from "@tstr/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as yaml from "yaml";
import { parseServeConfig } from "../../apps/tstr/src/config.js";
import { parseRunnerConfig } from "../../apps/tstr/src/runner-config.js";
import {
  ENV_READ_BY,
  list,
  loadCtlEnvNames,
  MAIN,
  nodeExitCode,
  type Obj,
  obj,
  pinned,
  ROOT,
  read,
  run,
  str,
  strings,
} from "./support/deploy-helpers.js";
import { spawnProcess, startServeProcess, type TstrProcess, waitFor } from "./support/tstr-process.js";

beforeAll(loadCtlEnvNames);

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
