import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** One schema migration: its Prisma folder name and the SQL it runs. */
export interface Migration {
  readonly name: string;
  readonly sql: string;
}

/**
 * Reads a Prisma-layout migrations folder (`<name>/migration.sql`), in name order. Used by
 * tooling and tests; the server applies the embedded list so bundles need no files on disk.
 */
export async function readMigrationsDir(dir: string): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => ({ name, sql: await readFile(path.join(dir, name, "migration.sql"), "utf8") })),
  );
}
