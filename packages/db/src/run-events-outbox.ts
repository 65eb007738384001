import {
  type FanOutPlan,
  healthKey,
  type OutboxEvent,
  type RunEventName,
  type TestHealth,
  type WebhookEventName,
} from "@tstr/domain";
import type pg from "pg";
import { withPgTransaction } from "./runs/pg-transaction.js";

/**
 * NOTIFY channel of the runs outbox trigger (runs_capture_run_event): a run's status changed.
 * No payload; the fan-out reads the outbox.
 */
export const RUN_EVENT_CHANNEL = "tstr_run_event";

/** An enabled webhook of a namespace with events in the batch, as stored (selector unparsed). */
export interface OutboxWebhook {
  id: string;
  namespace: string;
  events: WebhookEventName[];
  testSelector: string;
  results: string[];
}

/** What one fan-out pass works on: outbox rows in id order, the webhooks and health they touch. */
export interface OutboxBatch {
  events: OutboxEvent[];
  webhooks: OutboxWebhook[];
  /** Stored health by `healthKey(testId, labelsKey)`. */
  health: Map<string, TestHealth>;
}

/** What a pass did; `more` when the batch was full and another pass should follow. */
export interface FanOutResult {
  events: number;
  deliveries: number;
  more: boolean;
}

const LOCK_KEY = "tstr:webhook-fanout";

/**
 * Fans one batch of the runs outbox out in one transaction: reads the oldest rows (id order)
 * with their runs, asks `plan` for deliveries and health changes, writes them, and deletes the
 * rows. A transaction-scoped advisory lock makes one replica at a time do this, so each event is
 * fanned out once and deliveries are numbered (seq) in fan-out order; a replica that finds the
 * lock taken returns undefined. There is no high-water mark: a row whose transaction commits
 * after a later id's is simply taken by the next pass.
 */
export async function fanOutRunEvents(
  pool: pg.Pool,
  plan: (batch: OutboxBatch) => FanOutPlan,
  batchSize = 500,
): Promise<FanOutResult | undefined> {
  return withPgTransaction(pool, async (client) => {
    const { rows: lock } = await client.query("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked", [
      LOCK_KEY,
    ]);
    if (!lock[0]?.locked) return undefined;
    const { rows } = await client.query(
      `SELECT e.id AS event_id, e.event, e.status, e.result, e.result_reason, e.attempt, e.started_at, e.finished_at,
         e.occurred_at, e.run_id, r.id AS found, r.namespace, r.test_id, r.test_name, r.labels, r.trigger, r.external,
         r.run_number, r.scheduled_at, md5(r.labels::text) AS labels_key
       FROM run_events e LEFT JOIN runs r ON r.id = e.run_id
       ORDER BY e.id LIMIT $1`,
      [batchSize],
    );
    if (rows.length === 0) return { events: 0, deliveries: 0, more: false };
    const events = rows.map(outboxEventFromRow);
    const namespaces = [...new Set(rows.filter((r) => r.found).map((r) => r.namespace as string))];
    const { rows: hooks } = await client.query(
      `SELECT id, namespace, events, test_selector, results FROM webhooks
       WHERE enabled AND namespace = ANY($1::text[]) ORDER BY namespace, name`,
      [namespaces],
    );
    const tested = rows.filter((r) => r.test_id && r.event === "run.finished");
    const { rows: stored } = await client.query(
      `SELECT test_id, labels_key, health FROM test_health
       WHERE (test_id, labels_key) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
      [tested.map((r) => r.test_id), tested.map((r) => r.labels_key)],
    );
    const writes = plan({
      events,
      webhooks: hooks.map((h) => ({
        id: h.id,
        namespace: h.namespace,
        events: h.events ?? [],
        testSelector: h.test_selector,
        results: h.results ?? [],
      })),
      health: new Map(stored.map((h) => [healthKey(h.test_id, h.labels_key), h.health as TestHealth])),
    });
    await insertDeliveries(client, writes);
    await saveHealth(client, writes);
    await client.query("DELETE FROM run_events WHERE id = ANY($1::bigint[])", [rows.map((r) => r.event_id)]);
    return { events: rows.length, deliveries: writes.deliveries.length, more: rows.length === batchSize };
  });
}

/** Inserts in plan order, so seq follows it. */
async function insertDeliveries(client: pg.PoolClient, writes: FanOutPlan): Promise<void> {
  const list = writes.deliveries;
  if (list.length === 0) return;
  await client.query(
    `INSERT INTO webhook_deliveries (webhook_id, event, run_id, test_id, payload)
     SELECT webhook_id, event, run_id, test_id, payload
     FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::jsonb[])
       WITH ORDINALITY AS d(webhook_id, event, run_id, test_id, payload, ord)
     ORDER BY ord`,
    [
      list.map((d) => d.webhookId),
      list.map((d) => d.event),
      list.map((d) => d.runId),
      list.map((d) => d.testId ?? null),
      list.map((d) => JSON.stringify(d.payload)),
    ],
  );
}

async function saveHealth(client: pg.PoolClient, writes: FanOutPlan): Promise<void> {
  const list = writes.health;
  if (list.length === 0) return;
  await client.query(
    `INSERT INTO test_health (test_id, labels_key, health, last_run_id)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[])
     ON CONFLICT (test_id, labels_key) DO UPDATE
       SET health = excluded.health, last_run_id = excluded.last_run_id, updated_at = now()`,
    [list.map((h) => h.testId), list.map((h) => h.labelsKey), list.map((h) => h.health), list.map((h) => h.runId)],
  );
}

// biome-ignore lint/suspicious/noExplicitAny: rows come from pg untyped
function outboxEventFromRow(row: Record<string, any>): OutboxEvent {
  const event: OutboxEvent = {
    event: row.event as RunEventName,
    occurredAt: row.occurred_at,
    labelsKey: row.labels_key ?? "",
  };
  if (!row.found) return event;
  event.run = {
    id: row.run_id,
    namespace: row.namespace,
    testName: row.test_name,
    labels: row.labels ?? {},
    status: row.status,
    attempt: row.attempt,
    trigger: row.trigger,
    external: row.external,
    scheduledAt: row.scheduled_at,
  };
  if (row.test_id) event.run.testId = row.test_id;
  if (row.result) event.run.result = row.result;
  if (row.result_reason) event.run.reason = row.result_reason;
  if (row.run_number !== null) event.run.runNumber = Number(row.run_number);
  if (row.started_at) event.run.startedAt = row.started_at;
  if (row.finished_at) event.run.finishedAt = row.finished_at;
  return event;
}

/** Outbox rows not fanned out yet (tests, metrics). */
export async function countPendingRunEvents(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query("SELECT count(*)::int AS n FROM run_events");
  return rows[0]?.n ?? 0;
}
