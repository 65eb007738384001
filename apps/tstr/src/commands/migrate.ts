import { applyMigrations, createDatabase } from "@tstr/db";

/** `tstr migrate`: applies pending migrations and prints what it did. */
export async function migrateCommand(config: { databaseUrl: string }): Promise<void> {
  const db = createDatabase(config.databaseUrl, { max: 2 });
  try {
    const { applied } = await applyMigrations(db.pool, {
      log: (msg) => process.stderr.write(`${msg}\n`),
    });
    process.stdout.write(
      applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}\n` : "database is up to date\n",
    );
  } finally {
    await db.close();
  }
}
