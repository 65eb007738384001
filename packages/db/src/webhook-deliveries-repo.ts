import { isUuid, type WebhookEventName } from "@tstr/domain";
import type pg from "pg";

/** pending: to be sent (or being sent); delivered: a 2xx came back; failed: given up. */
export type WebhookDeliveryState = "pending" | "delivered" | "failed";

/** One entry of a webhook's delivery log. */
export interface WebhookDeliveryRecord {
  id: string;
  webhookId: string;
  event: WebhookEventName;
  runId: string;
  testId?: string;
  state: WebhookDeliveryState;
  attempts: number;
  lastStatusCode?: number;
  lastError?: string;
  createdAt: Date;
  /** Set while pending. */
  nextAttemptAt?: Date;
  deliveredAt?: Date;
}

/** A delivery claimed for one attempt, with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  event: WebhookEventName;
  /** The stored JSON payload, sent as is. */
  payload: unknown;
  /** Attempts so far, this one included. */
  attempts: number;
  createdAt: Date;
  url: string;
  secret: string;
}

/** The outcome of a failed attempt: when to retry, or (no retryAt) that the delivery is given up. */
export interface FailedAttempt {
  statusCode?: number;
  error: string;
  retryAt?: Date;
}

/**
 * How a claim shares the send slots between webhooks, so one slow receiver cannot take them all:
 * at most `perWebhook` deliveries of one webhook per claim, none of `busyWebhookIds`.
 */
export interface ClaimShare {
  perWebhook: number;
  busyWebhookIds: string[];
}

/** The delivery log and send queue of webhooks (raw SQL: claims need SKIP LOCKED). */
export interface WebhookDeliveriesRepository {
  /** A webhook's deliveries, newest first; `since` keeps those created at or after it. */
  list(webhookId: string, query: { limit: number; since?: Date }): Promise<WebhookDeliveryRecord[]>;
  /**
   * Claims up to `limit` due deliveries of enabled webhooks for one attempt each, oldest first.
   * A delivery is not due while an earlier pending delivery of the same webhook and test exists,
   * so each test's events arrive in order. The claim counts the attempt and moves the delivery's
   * next attempt `leaseMs` ahead: a sender that dies mid-attempt is retried after that, by any
   * replica. Concurrent claims skip each other's rows.
   */
  claimDue(limit: number, leaseMs: number, share?: ClaimShare): Promise<ClaimedDelivery[]>;
  /** Records a 2xx answer. */
  markDelivered(id: string, statusCode: number): Promise<void>;
  /**
   * Records a failed attempt, if the delivery is still pending under the same attempt count (a
   * later claim owns it otherwise): retried at `retryAt`, or failed for good without one.
   */
  markFailedAttempt(id: string, attempts: number, failure: FailedAttempt): Promise<void>;
  /** Gives up pending deliveries created before `createdBefore` that nobody is sending; returns how many. */
  expire(createdBefore: Date, reason: string): Promise<number>;
  /** Deletes delivered and failed deliveries created before `createdBefore`; returns how many. */
  prune(createdBefore: Date, batch?: number): Promise<number>;
}

const COLUMNS = `id, webhook_id, event, run_id, test_id, state, attempts, last_status_code, last_error, created_at,
  next_attempt_at, delivered_at`;

/** Builds the deliveries repository over a pool. */
export function createWebhookDeliveriesRepository(pool: pg.Pool): WebhookDeliveriesRepository {
  const claimOf = (webhookId: string, limit: number, leaseMs: number) => claimOfPool(pool, webhookId, limit, leaseMs);
  return {
    async list(webhookId, query) {
      if (!isUuid(webhookId)) return [];
      const { rows } = await pool.query(
        `SELECT ${COLUMNS} FROM webhook_deliveries
         WHERE webhook_id = $1 AND ($3::timestamptz IS NULL OR created_at >= $3)
         ORDER BY seq DESC LIMIT $2`,
        [webhookId, query.limit, query.since ?? null],
      );
      return rows.map(deliveryFromRow);
    },

    async claimDue(limit, leaseMs, share = { perWebhook: limit, busyWebhookIds: [] }) {
      // Webhooks with due deliveries, oldest first; each gets at most `perWebhook` of the claim.
      const { rows: webhooks } = await pool.query(
        `SELECT d.webhook_id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.state = 'pending' AND d.next_attempt_at <= now() AND w.enabled
           AND NOT (d.webhook_id = ANY($1::uuid[]))
         GROUP BY d.webhook_id ORDER BY min(d.next_attempt_at)`,
        [share.busyWebhookIds],
      );
      const rows: ClaimedRow[] = [];
      for (const { webhook_id } of webhooks) {
        if (rows.length >= limit) break;
        rows.push(...(await claimOf(webhook_id, Math.min(share.perWebhook, limit - rows.length), leaseMs)));
      }
      return rows
        .sort((a, b) => Number(a.seq) - Number(b.seq))
        .map((row) => ({
          id: row.id,
          webhookId: row.webhook_id,
          event: row.event,
          payload: row.payload,
          attempts: row.attempts,
          createdAt: row.created_at,
          url: row.url,
          secret: row.secret,
        }));
    },

    async markDelivered(id, statusCode) {
      await pool.query(
        `UPDATE webhook_deliveries SET state = 'delivered', delivered_at = now(), next_attempt_at = NULL,
           last_status_code = $2, last_error = NULL
         WHERE id = $1 AND state = 'pending'`,
        [id, statusCode],
      );
    },

    async markFailedAttempt(id, attempts, failure) {
      await pool.query(
        `UPDATE webhook_deliveries SET last_status_code = $3, last_error = $4, next_attempt_at = $5,
           state = CASE WHEN $5::timestamptz IS NULL THEN 'failed' ELSE 'pending' END
         WHERE id = $1 AND state = 'pending' AND attempts = $2`,
        [id, attempts, failure.statusCode ?? null, failure.error, failure.retryAt ?? null],
      );
    },

    async expire(createdBefore, reason) {
      const { rowCount } = await pool.query(
        `UPDATE webhook_deliveries SET state = 'failed', next_attempt_at = NULL,
           last_error = concat_ws('; ', last_error, $2::text)
         WHERE state = 'pending' AND created_at < $1 AND next_attempt_at <= now()`,
        [createdBefore, reason],
      );
      return rowCount ?? 0;
    },

    async prune(createdBefore, batch = 1000) {
      const { rowCount } = await pool.query(
        `DELETE FROM webhook_deliveries WHERE id IN (
           SELECT id FROM webhook_deliveries WHERE created_at < $1 AND state <> 'pending' LIMIT $2)`,
        [createdBefore, batch],
      );
      return rowCount ?? 0;
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: rows come from pg untyped
function deliveryFromRow(row: Record<string, any>): WebhookDeliveryRecord {
  const record: WebhookDeliveryRecord = {
    id: row.id,
    webhookId: row.webhook_id,
    event: row.event,
    runId: row.run_id,
    state: row.state,
    attempts: row.attempts,
    createdAt: row.created_at,
  };
  if (row.test_id !== null) record.testId = row.test_id;
  if (row.last_status_code !== null) record.lastStatusCode = row.last_status_code;
  if (row.last_error !== null) record.lastError = row.last_error;
  if (row.next_attempt_at !== null) record.nextAttemptAt = row.next_attempt_at;
  if (row.delivered_at !== null) record.deliveredAt = row.delivered_at;
  return record;
}

// biome-ignore lint/suspicious/noExplicitAny: pg rows are untyped
type ClaimedRow = Record<string, any>;

/**
 * Claims up to `limit` due deliveries of one webhook. The due check, the per-test order check and
 * the lock are one query level, so a row a concurrent claim took (and moved ahead) is re-checked
 * and skipped.
 */
async function claimOfPool(pool: pg.Pool, webhookId: string, limit: number, leaseMs: number): Promise<ClaimedRow[]> {
  const { rows } = await pool.query(
    `WITH due AS (
       SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
       WHERE d.webhook_id = $3 AND d.state = 'pending' AND d.next_attempt_at <= now() AND w.enabled
         AND NOT EXISTS (
           SELECT 1 FROM webhook_deliveries e
           WHERE e.state = 'pending' AND e.webhook_id = d.webhook_id AND e.seq < d.seq
             AND (e.test_id = d.test_id OR (e.test_id IS NULL AND d.test_id IS NULL)))
       ORDER BY d.next_attempt_at, d.seq
       LIMIT $1
       FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE webhook_deliveries d
     SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
     FROM due, webhooks w
     WHERE d.id = due.id AND w.id = d.webhook_id
     RETURNING d.id, d.webhook_id, d.event, d.payload, d.attempts, d.created_at, d.seq, w.url, w.secret`,
    [limit, leaseMs, webhookId],
  );
  return rows;
}
