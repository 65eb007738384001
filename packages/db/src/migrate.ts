import { createHash, randomUUID } from "node:crypto";
import type pg from "pg";
import { MigrationChecksumError } from "./errors.js";
import { MIGRATIONS } from "./generated/migrations.js";
import { type Migration, readMigrationsDir } from "./migrations-dir.js";

export { MIGRATIONS };

/**
 * The advisory lock key `prisma migrate` itself uses, so our applier and any Prisma tooling
 * run against the same database exclude each other too.
 */
const MIGRATION_LOCK_KEY = 72707369;

// Prisma's own bookkeeping table, column for column, so `prisma migrate status` understands it.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Options for {@link applyMigrations}. */
export interface ApplyMigrationsOptions {
  log?: (msg: string) => void;
  /** Read migrations from this Prisma-layout folder instead of the embedded list. */
  migrationsDir?: string;
  /** Apply exactly these migrations (tests); wins over `migrationsDir`. */
  migrations?: readonly Migration[];
}

/**
 * Brings the schema up to date. Every replica calls this at startup: a session advisory lock
 * serialises them, each migration runs in its own transaction together with its bookkeeping
 * row, and an edited, already-applied migration stops startup instead of being skipped.
 */
export async function applyMigrations(
  pool: pg.Pool,
  opts: ApplyMigrationsOptions = {},
): Promise<{ applied: string[] }> {
  const source = opts.migrations ?? (opts.migrationsDir ? await readMigrationsDir(opts.migrationsDir) : MIGRATIONS);
  const migrations = [...source].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const log = opts.log ?? (() => undefined);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      return { applied: await applyPending(client, migrations, log) };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch((err: Error) => {
        // Dropping the connection releases a session lock too.
        broken = err;
      });
    }
  } finally {
    client.release(broken);
  }
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

async function applyPending(client: pg.PoolClient, migrations: Migration[], log: (msg: string) => void) {
  const { rows } = await client.query<AppliedRow>(
    'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
  );
  const done = new Map(rows.map((r) => [r.migration_name, r]));
  const applied: string[] = [];
  for (const migration of migrations) {
    const checksum = sha256(migration.sql);
    const row = done.get(migration.name);
    if (row?.finished_at) {
      if (row.checksum !== checksum) throw new MigrationChecksumError(migration.name, row.checksum, checksum);
      continue;
    }
    if (row) throw new Error(`migration ${migration.name} is recorded as failed; resolve it before starting`);
    log(`applying migration ${migration.name}`);
    await runInTransaction(client, migration, checksum);
    applied.push(migration.name);
  }
  return applied;
}

async function runInTransaction(client: pg.PoolClient, migration: Migration, checksum: string) {
  await client.query("BEGIN");
  try {
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
      [randomUUID(), checksum, migration.name],
    );
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw new Error(`migration ${migration.name} failed: ${(err as Error).message}`, { cause: err });
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
