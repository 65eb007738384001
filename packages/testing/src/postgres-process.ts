import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { InitialisedCluster } from "./init-cluster.js";
import type { ProcessIdentity } from "./unprivileged-user.js";

/**
 * Spawns the postmaster with its output in the cluster's log file (a pipe nobody drains would
 * eventually block the server). Unreferenced, so a forgotten server never keeps Node alive.
 */
export function spawnPostgres(
  binary: string,
  cluster: InitialisedCluster,
  port: number,
  settings: Record<string, string>,
  identity: ProcessIdentity | undefined,
): ChildProcess {
  const flags = Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]);
  // Truncated per attempt, so a failure is diagnosed from this attempt's output only.
  const log = openSync(cluster.logFile, "w");
  try {
    const child = spawn(binary, ["-D", cluster.dataDir, "-p", String(port), ...flags], {
      ...identity,
      stdio: ["ignore", log, log],
      env: { ...process.env, LC_ALL: "C" },
    });
    child.unref();
    return child;
  } finally {
    closeSync(log);
  }
}

/** Polls until the server accepts connections; returns "ready" or why it never became ready. */
export async function waitUntilReady(child: ChildProcess, port: number, timeoutMs: number): Promise<string> {
  let exited: string | undefined;
  child.once("exit", (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });
  child.once("error", (err) => {
    exited = `spawn failed: ${err.message}`;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) return exited;
    const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.end();
      return "ready";
    } catch {
      await client.end().catch(() => undefined);
      await sleep(20);
    }
  }
  return exited ?? `not ready after ${timeoutMs} ms`;
}
