import { fileURLToPath } from "node:url";
import { useTestDatabase } from "@tstr/testing";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { MigrationChecksumError } from "./errors.js";
import { applyMigrations, MIGRATIONS } from "./migrate.js";
import { readMigrationsDir } from "./migrations-dir.js";

const migrationsDir = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
const t = useTestDatabase({ empty: true });
const pools: pg.Pool[] = [];

function newPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: t.url, max: 2 });
  pools.push(pool);
  return pool;
}

async function recorded(pool: pg.Pool) {
  const { rows } = await pool.query(
    'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
  );
  return rows;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end()));
});

describe("applyMigrations", () => {
  it("embeds exactly the migrations on disk (run `pnpm --filter @tstr/db gen` if this fails)", async () => {
    expect(MIGRATIONS).toEqual(await readMigrationsDir(migrationsDir));
    expect(MIGRATIONS.length).toBeGreaterThan(0);
  });

  it("applies every migration once, from three replicas at the same time", async () => {
    const results = await Promise.all([newPool(), newPool(), newPool()].map((p) => applyMigrations(p)));
    const applied = results.flatMap((r) => r.applied);
    expect(applied.sort()).toEqual(MIGRATIONS.map((m) => m.name));
    const rows = await recorded(newPool());
    expect(rows.map((r) => r.migration_name)).toEqual(MIGRATIONS.map((m) => m.name));
    for (const row of rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("is idempotent and reads the same migrations from a folder", async () => {
    const logs: string[] = [];
    const result = await applyMigrations(newPool(), { migrationsDir, log: (m) => logs.push(m) });
    expect(result.applied).toEqual([]);
    expect(logs).toEqual([]);
  });

  it("refuses to start when an applied migration was edited", async () => {
    const [first, ...rest] = MIGRATIONS;
    if (!first) throw new Error("no migrations");
    const edited = [{ name: first.name, sql: `${first.sql}\n-- edited` }, ...rest];
    const err = await applyMigrations(newPool(), { migrations: edited }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationChecksumError);
    expect(String(err)).toContain(first.name);
  });

  it("rolls a failing migration back completely and records nothing", async () => {
    const pool = newPool();
    const broken = [...MIGRATIONS, { name: "29990101000000_broken", sql: 'CREATE TABLE "half" (id int); SELECT 1/0;' }];
    await expect(applyMigrations(pool, { migrations: broken })).rejects.toThrow(/29990101000000_broken failed/);
    const { rows } = await pool.query("SELECT to_regclass('half') AS half");
    expect(rows[0].half).toBeNull();
    expect((await recorded(pool)).map((r) => r.migration_name)).not.toContain("29990101000000_broken");
    // The lock was released: a later run still works.
    await expect(applyMigrations(pool)).resolves.toEqual({ applied: [] });
  });

  it("applies migrations added later, in name order", async () => {
    const pool = newPool();
    const later = [
      ...MIGRATIONS,
      { name: "29990102000000_second", sql: 'ALTER TABLE "probe" ADD COLUMN b int;' },
      { name: "29990101000000_first", sql: 'CREATE TABLE "probe" (a int);' },
    ];
    expect(await applyMigrations(pool, { migrations: later })).toEqual({
      applied: ["29990101000000_first", "29990102000000_second"],
    });
    await pool.query('DROP TABLE "probe"');
    await pool.query(`DELETE FROM "_prisma_migrations" WHERE migration_name LIKE '2999%'`);
  });

  it("keeps Prisma's bookkeeping table layout", async () => {
    const { rows } = await newPool().query(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(rows.map((r) => `${r.column_name} ${r.data_type} ${r.is_nullable}`)).toEqual([
      "id character varying NO",
      "checksum character varying NO",
      "finished_at timestamp with time zone YES",
      "migration_name character varying NO",
      "logs text YES",
      "rolled_back_at timestamp with time zone YES",
      "started_at timestamp with time zone NO",
      "applied_steps_count integer NO",
    ]);
  });
});
