import type { TestSpec } from "@tstr/domain";
import { Prisma, type Test } from "./generated/prisma/client.js";
import { toJson } from "./json.js";
import type { TestRecord } from "./types.js";

/** Columns a test spec sets; identical for create and update. */
export function testSpecToColumns(spec: TestSpec) {
  return {
    namespace: spec.namespace,
    name: spec.name,
    description: spec.description ?? "",
    labels: toJson(spec.labels),
    runConfig: toJson(spec.runConfig),
    cronSchedule: spec.schedule?.cron ?? null,
    timezone: spec.schedule?.timezone || "UTC",
    schedulePaused: spec.schedule?.paused ?? false,
    matrix: spec.matrix ? toJson(spec.matrix) : Prisma.DbNull,
    executor: spec.executor ?? null,
    retry: toJson(spec.retry),
    concurrencyPolicy: spec.concurrencyPolicy,
    resources: toJson(spec.resources),
    shards: spec.shards ?? 1,
  } satisfies Prisma.TestUncheckedCreateInput;
}

/** Maps a `tests` row back to the domain shape; absent optionals are omitted, not null. */
export function testRowToRecord(row: Test): TestRecord {
  const spec: TestSpec = {
    namespace: row.namespace,
    name: row.name,
    labels: row.labels as TestSpec["labels"],
    runConfig: row.runConfig as unknown as TestSpec["runConfig"],
    retry: row.retry as unknown as TestSpec["retry"],
    concurrencyPolicy: row.concurrencyPolicy as TestSpec["concurrencyPolicy"],
    resources: row.resources as TestSpec["resources"],
  };
  if (row.description) spec.description = row.description;
  if (row.cronSchedule !== null) {
    spec.schedule = { cron: row.cronSchedule, timezone: row.timezone, paused: row.schedulePaused };
  }
  if (row.matrix !== null) spec.matrix = row.matrix as unknown as TestSpec["matrix"];
  if (row.executor !== null) spec.executor = row.executor;
  if (row.shards > 1) spec.shards = row.shards;
  const record: TestRecord = {
    id: row.id,
    spec,
    runConfigVersion: row.runConfigVersion,
    registeredAt: row.registeredAt,
    updatedAt: row.updatedAt,
  };
  if (row.archivedAt) record.archivedAt = row.archivedAt;
  if (row.nextRunAt) record.nextRunAt = row.nextRunAt;
  if (row.source !== null) record.source = row.source;
  return record;
}
