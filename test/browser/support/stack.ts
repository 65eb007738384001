import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { issueToken } from "../../e2e/support/clients.js";
import { freePort, spawnTstr, startRunnerProcess, type TstrProcess, waitFor } from "../../e2e/support/tstr-process.js";

const WEB_BUILD = path.resolve(import.meta.dirname, "../../../apps/web/build.mjs");

/** Builds the web UI into apps/web/dist (esbuild, well under a second; safe to run concurrently). */
export async function buildWebUi(): Promise<void> {
  await promisify(execFile)(process.execPath, [WEB_BUILD], { timeout: 60_000 });
}

/** A real `tstr serve` on a fixed port (so it can come back on the same URL) and, optionally, a runner. */
export interface Stack {
  url: string;
  adminToken: string;
  server: TstrProcess;
  /** Kills the server (SIGKILL: a crash, not a drain) and starts it again on the same port. */
  killServer(): Promise<void>;
  startServer(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `tstr serve` on `databaseUrl` and, with `runner`, a `tstr runner --executor process` that
 * takes every run except those labelled `kind=k6` (those are fed by hand with real k6 output).
 */
export async function startStack(databaseUrl: string, opts: { runner?: boolean } = {}): Promise<Stack> {
  await buildWebUi();
  const port = await freePort();
  const workDir = await mkdtemp(path.join(os.tmpdir(), "tstr-browser-"));
  let server = await startServer(databaseUrl, port);
  const adminToken = /^\s+(ey[\w-]+\.[\w-]+\.[\w-]+)\s*$/m.exec(server.stderr())?.[1] ?? "";
  if (!adminToken) throw new Error(`tstr serve printed no bootstrap token:\n${server.stderr()}`);
  const url = `http://127.0.0.1:${port}`;
  let runner: TstrProcess | undefined;
  if (opts.runner) {
    const token = (await issueToken(url, adminToken, ["runner"], [".*"])).token;
    runner = await startRunnerProcess(url, token, [
      "--name",
      "browser-runner",
      "--executor",
      "process",
      "--work-dir",
      workDir,
      "--capacity",
      "4",
      "--reject",
      "kind=k6",
    ]);
  }
  return {
    url,
    adminToken,
    get server() {
      return server;
    },
    async killServer() {
      await server.stop("SIGKILL");
    },
    async startServer() {
      server = await startServer(databaseUrl, port);
    },
    async stop() {
      await runner?.stop();
      await server.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

async function startServer(databaseUrl: string, port: number): Promise<TstrProcess> {
  const proc = spawnTstr(["serve", "--listen", `127.0.0.1:${port}`, "--shutdown-grace", "0"], {
    DATABASE_URL: databaseUrl,
  });
  await waitFor(proc, () => (/"msg":"serving"/.test(proc.stderr()) ? true : undefined), 30_000);
  return proc;
}
