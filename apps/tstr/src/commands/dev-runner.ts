import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { createApiClients } from "@tstr/cli";
import type { Logger } from "@tstr/control-plane";
import { type RunnerHandle, startRunner } from "./runner.js";
import { saveBootstrapToken } from "./serve.js";

const DOCKER_SOCKET = "/var/run/docker.sock";

/**
 * The runner `tstr dev` starts next to its server: Docker when an engine answers, else the
 * process executor. Its token is issued once with the admin token and kept in the data folder.
 */
export async function startDevRunner(opts: {
  url: string;
  adminToken: string;
  dataDir: string;
  logger: Logger;
  executor: "auto" | "docker" | "process";
}): Promise<{
  runner: RunnerHandle;
  executor: "docker" | "process";
}> {
  const token = await devRunnerToken(opts.url, opts.adminToken, path.join(opts.dataDir, "runner-token"));
  const executor = opts.executor !== "auto" ? opts.executor : (await dockerAnswers()) ? "docker" : "process";
  const runner = await startRunner(
    {
      server: opts.url,
      token,
      name: "dev-runner",
      labels: { location: "dev" },
      acceptSelectors: [],
      rejectSelectors: [],
      namespaceSelectors: [".*"],
      capacity: 2,
      executor,
      workDir: path.join(opts.dataDir, "runner"),
      // On a developer's machine, tests (a k6 load test) usually need to reach local services.
      dockerNetwork: "host",
      dispatch: "stream",
      drainTimeoutMs: 5000,
      logLevel: "warn",
    },
    opts.logger.child({ component: "runner" }),
  );
  return { runner, executor };
}

async function devRunnerToken(url: string, adminToken: string, file: string): Promise<string> {
  if (existsSync(file)) {
    const saved = (await readFile(file, "utf8")).trim();
    const ok = await createApiClients({ addr: url, token: saved })
      .identity.identity({})
      .then(
        () => true,
        () => false,
      );
    if (ok) return saved;
  }
  const { accessToken } = await createApiClients({ addr: url, token: adminToken }).admin.issueAccessToken({
    name: "dev-runner",
    scopeNames: ["runner"],
    namespaceSelectors: [".*"],
  });
  const token = accessToken?.token ?? "";
  await saveBootstrapToken(file, token);
  return token;
}

function dockerAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    if (!existsSync(DOCKER_SOCKET)) return resolve(false);
    const req = http.get({ socketPath: DOCKER_SOCKET, path: "/_ping", timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}
