import { randomBytes } from "node:crypto";
import { applyMigrations } from "@tstr/db";
import pg from "pg";

/**
 * Creates a database with every migration applied and marks it as a template that refuses
 * connections: CREATE DATABASE … TEMPLATE fails while anyone is connected to the source, so
 * nobody may be. Returns the template's name.
 */
export async function createTemplateDatabase(adminUrl: string, name = "tstr_template"): Promise<string> {
  await withAdmin(adminUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${ident(name)}`);
  });
  const pool = new pg.Pool({ connectionString: withDatabase(adminUrl, name), max: 1 });
  try {
    await applyMigrations(pool);
  } finally {
    await pool.end();
  }
  await withAdmin(adminUrl, (admin) =>
    admin.query(`ALTER DATABASE ${ident(name)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`),
  );
  return name;
}

/** Copies `template` into a new database (a few milliseconds for our schema); returns its name. */
export async function cloneDatabase(adminUrl: string, template: string, name = uniqueDatabaseName()): Promise<string> {
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${ident(name)} TEMPLATE ${ident(template)}`));
  return name;
}

/** Creates an empty database (no migrations), e.g. to test the migrator itself. */
export async function createEmptyDatabase(adminUrl: string, name = uniqueDatabaseName()): Promise<string> {
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${ident(name)}`));
  return name;
}

/** Drops a database even if connections are still open. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
}

/** The URL of another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

function uniqueDatabaseName(): string {
  return `t_${randomBytes(6).toString("hex")}`;
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
