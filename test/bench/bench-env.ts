import { type ControlPlane, type ControlPlaneOptions, silentLogger, startControlPlane } from "@tstr/control-plane";
import { createDatabase, type Database } from "@tstr/db";
import {
  cloneDatabase,
  createEmptyDatabase,
  createTemplateDatabase,
  type PostgresServer,
  startPostgres,
  withDatabase,
} from "@tstr/testing";

/** One throwaway PostgreSQL server for a benchmark, with migrated and empty databases on demand. */
export interface BenchPostgres {
  server: PostgresServer;
  /** A new database with every tstr migration applied; returns its URL. */
  migratedDatabase(): Promise<string>;
  /** A new database with no schema at all (for the pg-boss baseline); returns its URL. */
  emptyDatabase(): Promise<string>;
}

/** Runs `fn` against a fresh PostgreSQL server and always stops the server afterwards. */
export async function withBenchPostgres<T>(fn: (pg: BenchPostgres) => Promise<T>): Promise<T> {
  const server = await startPostgres();
  try {
    const template = await createTemplateDatabase(server.adminUrl);
    return await fn({
      server,
      migratedDatabase: async () => withDatabase(server.adminUrl, await cloneDatabase(server.adminUrl, template)),
      emptyDatabase: async () => withDatabase(server.adminUrl, await createEmptyDatabase(server.adminUrl)),
    });
  } finally {
    await server.stop();
  }
}

/** An in-process control plane on its own database pool, reachable on a loopback port. */
export interface BenchPlane {
  db: Database;
  plane: ControlPlane;
  adminToken: string;
  stop(): Promise<void>;
}

/** Starts a control plane on `databaseUrl` (default pool of 10 connections), silent, on 127.0.0.1. */
export async function startBenchPlane(
  databaseUrl: string,
  runTimings: ControlPlaneOptions["runTimings"] = {},
): Promise<BenchPlane> {
  const db = createDatabase(databaseUrl);
  const plane = await startControlPlane(
    { db, logger: silentLogger },
    { host: "127.0.0.1", port: 0, drainDelayMs: 0, shutdownGraceMs: 1_000, runTimings },
  );
  return {
    db,
    plane,
    adminToken: plane.bootstrapToken ?? "",
    async stop() {
      await plane.stop();
      await db.close();
    },
  };
}
