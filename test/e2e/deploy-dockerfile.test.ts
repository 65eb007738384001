import { readdir } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { pinned, ROOT, read } from "./support/deploy-helpers.js";

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
      expect(i.args, `${where(i)}: copies only the bundle and its web UI from the build stage`).toMatch(
        /^--from=build \/src\/apps\/tstr\/dist\/(tstr\.mjs \/app\/tstr\.mjs|web \/app\/web)$/,
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
