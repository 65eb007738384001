import { readFileSync } from "node:fs";
import { useTestDatabase } from "@tstr/testing";
import { describe, expect, it } from "vitest";
import { type ExpectedTable, readPrismaSchema } from "./prisma-schema-reader.js";

const t = useTestDatabase();
const expected = readPrismaSchema(readFileSync(new URL("../prisma/schema.prisma", import.meta.url), "utf8"));

// Everything the migration does that schema.prisma cannot say, each documented in the schema.
// A `prisma migrate diff` would report exactly these.
const SQL_ONLY_INDEX_SUFFIX: Record<string, string> = {
  tests_due_idx: " WHERE ((NOT schedule_paused) AND (archived_at IS NULL))",
  runs_queued_idx: " WHERE (status = 'QUEUED'::text)",
  runs_runner_active_idx: " WHERE (status = ANY (ARRAY['ASSIGNED'::text, 'RUNNING'::text, 'CANCELLING'::text]))",
  runs_lease_active_idx: " WHERE (status = ANY (ARRAY['ASSIGNED'::text, 'RUNNING'::text, 'CANCELLING'::text]))",
  executors_namespace_name_key: " NULLS NOT DISTINCT",
  runs_location_active_idx:
    " WHERE ((status = ANY (ARRAY['ASSIGNED'::text, 'RUNNING'::text, 'CANCELLING'::text])) AND (resources_factor IS NOT NULL))",
  runs_test_active_idx:
    " WHERE (status = ANY (ARRAY['QUEUED'::text, 'ASSIGNED'::text, 'RUNNING'::text, 'CANCELLING'::text]))",
  runs_execution_deadline_idx: " WHERE (external AND (status = 'RUNNING'::text))",
  webhook_deliveries_due_idx: " WHERE (state = 'pending'::text)",
  webhook_deliveries_pending_order_idx: " WHERE (state = 'pending'::text)",
};
const SQL_ONLY_INDEXES: Record<string, string> = {
  tests_namespace_name_active_key:
    "CREATE UNIQUE INDEX tests_namespace_name_active_key ON public.tests USING btree (namespace, name) WHERE (archived_at IS NULL)",
  runs_cron_tick_key:
    "CREATE UNIQUE INDEX runs_cron_tick_key ON public.runs USING btree (test_id, cron_fire_at, md5((labels)::text), COALESCE(shard_index, 0)) WHERE (cron_fire_at IS NOT NULL)",
  suites_namespace_name_active_key:
    "CREATE UNIQUE INDEX suites_namespace_name_active_key ON public.suites USING btree (namespace, name) WHERE (archived_at IS NULL)",
  runs_execution_stream_idx:
    "CREATE INDEX runs_execution_stream_idx ON public.runs USING btree (namespace, lower((execution ->> 'stream'::text)) text_pattern_ops) WHERE external",
  runs_namespace_run_number_key:
    "CREATE UNIQUE INDEX runs_namespace_run_number_key ON public.runs USING btree (namespace, run_number) WHERE (run_number IS NOT NULL)",
};

// Functions and triggers exist only in the migrations (schema.prisma cannot declare them).
const SQL_ONLY_FUNCTIONS = ["runs_capture_inserted_run_events", "runs_capture_run_event"];
const SQL_ONLY_TRIGGERS: Record<string, string> = {
  runs_run_event_on_insert:
    "CREATE TRIGGER runs_run_event_on_insert AFTER INSERT ON public.runs REFERENCING NEW TABLE AS inserted_runs FOR EACH STATEMENT EXECUTE FUNCTION runs_capture_inserted_run_events()",
  runs_run_event_on_status:
    "CREATE TRIGGER runs_run_event_on_status AFTER UPDATE OF status ON public.runs FOR EACH ROW WHEN (((old.status IS DISTINCT FROM new.status) AND (new.status = ANY (ARRAY['QUEUED'::text, 'RUNNING'::text, 'FINISHED'::text])))) EXECUTE FUNCTION runs_capture_run_event()",
};

async function actualTable(name: string): Promise<ExpectedTable> {
  const { pool } = t.db;
  const columns = await pool.query(
    `SELECT column_name AS name, udt_name AS udt, is_nullable = 'YES' AS nullable, column_default AS default
     FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
    [name],
  );
  const constraints = await pool.query(
    `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
     WHERE conrelid = ('public.' || quote_ident($1))::regclass AND contype IN ('p', 'f')`,
    [name],
  );
  const indexes = await pool.query(
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1",
    [name],
  );
  return {
    name,
    columns: columns.rows,
    constraints: Object.fromEntries(constraints.rows.map((r) => [r.conname, r.def])),
    indexes: Object.fromEntries(indexes.rows.map((r) => [r.indexname, r.indexdef])),
  };
}

describe("schema drift between schema.prisma and the migrations", () => {
  it("has exactly the tables of the Prisma models", async () => {
    const { rows } = await t.db.pool.query(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'",
    );
    expect(rows.map((r) => r.tablename).sort()).toEqual(expected.map((e) => e.name).sort());
  });

  it.each(expected.map((e) => [e.name, e] as const))("%s matches its model", async (name, model) => {
    const actual = await actualTable(name);
    expect(actual.columns).toEqual(model.columns);
    expect(actual.constraints).toEqual(model.constraints);
    const modelIndexes = Object.fromEntries(
      Object.entries(model.indexes).map(([n, def]) => [n, def + (SQL_ONLY_INDEX_SUFFIX[n] ?? "")]),
    );
    const extra = Object.fromEntries(
      Object.entries(SQL_ONLY_INDEXES).filter(([, def]) => def.includes(` public.${name} `)),
    );
    expect(actual.indexes).toEqual({ ...modelIndexes, ...extra });
  });

  it("has exactly the SQL-only functions and triggers", async () => {
    const functions = await t.db.pool.query(
      "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY proname",
    );
    expect(functions.rows.map((r) => r.proname)).toEqual(SQL_ONLY_FUNCTIONS);
    const triggers = await t.db.pool.query(
      `SELECT t.tgname, pg_get_triggerdef(t.oid) AS def FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace`,
    );
    expect(Object.fromEntries(triggers.rows.map((r) => [r.tgname, r.def]))).toEqual(SQL_ONLY_TRIGGERS);
  });

  it("timestamps keep microseconds", async () => {
    const { rows } = await t.db.pool.query(
      `SELECT DISTINCT datetime_precision FROM information_schema.columns
       WHERE table_schema = 'public' AND udt_name = 'timestamptz' AND table_name <> '_prisma_migrations'`,
    );
    expect(rows).toEqual([{ datetime_precision: 6 }]);
  });

  it("lets the Prisma client read every model", async () => {
    const prisma = t.db.prisma as unknown as Record<string, { findFirst(): Promise<unknown> }>;
    for (const { model = "" } of expected) {
      const delegate = model.charAt(0).toLowerCase() + model.slice(1);
      await expect(prisma[delegate]?.findFirst(), delegate).resolves.toBeNull();
    }
  });
});
