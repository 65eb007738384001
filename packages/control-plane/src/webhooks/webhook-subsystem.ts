import {
  createListener,
  createWebhookDeliveriesRepository,
  createWebhooksRepository,
  type Database,
  fanOutRunEvents,
  type Listener,
  RUN_EVENT_CHANNEL,
} from "@tstr/db";
import { DEFAULT_WEBHOOK_RETRY } from "@tstr/domain";
import type { Logger } from "../logging/logger.js";
import { startWakeableLoop, type WakeableLoop } from "./wakeable-loop.js";
import { createWebhookCatalog } from "./webhook-catalog.js";
import { createFanOutPlanner } from "./webhook-fanout-planner.js";
import { createWebhookHandlers } from "./webhook-handlers.js";
import { createWebhookSender } from "./webhook-sender.js";

/** Webhook delivery settings; every one has a default. */
export interface WebhookOptions {
  /** Wait after a delivery's first failed attempt (default 1 s); doubled after each further one. */
  retryBaseMs?: number;
  /** Longest wait between attempts (default 10 min). */
  retryCapMs?: number;
  /** A delivery still failing this long after it was created is given up (default 24 h). */
  maxAgeMs?: number;
  /** Time limit of one POST (default 10 s). */
  attemptTimeoutMs?: number;
  /**
   * How often each replica looks for run events and due deliveries besides being woken (default
   * 1 s); retries become due between looks, so this is also their precision.
   */
  pollMs?: number;
  /** Deliveries one replica sends at once (default 8). */
  concurrency?: number;
  /** Delivered and given-up deliveries stay in the log this long (default 7 days). */
  retentionMs?: number;
}

/** How often a replica expires and prunes the delivery log. */
const MAINTENANCE_MS = 60_000;

/**
 * Webhooks: the ControlService handlers, and the two workers every replica runs — the fan-out
 * of the runs outbox into deliveries (woken by the outbox trigger's NOTIFY) and the sender of
 * due deliveries (woken by the fan-out, and polling for retries). `options` false runs no workers
 * in this replica (the API still works; other replicas deliver).
 */
export function createWebhookSubsystem(
  deps: { db: Database; logger: Logger; now: () => Date },
  options: WebhookOptions | false = {},
) {
  const { db, now } = deps;
  const logger = deps.logger.child({ component: "webhooks" });
  const deliveries = createWebhookDeliveriesRepository(db.pool);
  const catalog = createWebhookCatalog({ webhooks: createWebhooksRepository(db), deliveries, now });
  const settings = { ...(options || {}) };
  const policy = {
    baseMs: settings.retryBaseMs ?? DEFAULT_WEBHOOK_RETRY.baseMs,
    capMs: settings.retryCapMs ?? DEFAULT_WEBHOOK_RETRY.capMs,
    maxAgeMs: settings.maxAgeMs ?? DEFAULT_WEBHOOK_RETRY.maxAgeMs,
  };
  const pollMs = settings.pollMs ?? 1_000;
  const retentionMs = settings.retentionMs ?? 7 * 24 * 3_600_000;
  const sender = createWebhookSender({
    deliveries,
    policy,
    attemptTimeoutMs: settings.attemptTimeoutMs ?? 10_000,
    concurrency: settings.concurrency ?? 8,
    now,
    onSlotFree: () => sending?.wake(),
    onError: (error) => logger.warn("webhook delivery outcome not recorded", { error }),
  });
  const plan = createFanOutPlanner(logger);
  let listener: Listener | undefined;
  let fanOut: WakeableLoop | undefined;
  let sending: WakeableLoop | undefined;
  let maintainedAt = 0;

  async function maintain() {
    if (Date.now() - maintainedAt < MAINTENANCE_MS) return;
    maintainedAt = Date.now();
    const expired = await deliveries.expire(
      new Date(now().getTime() - policy.maxAgeMs),
      `given up: not delivered within ${Math.round(policy.maxAgeMs / 60_000)} min`,
    );
    const pruned = await deliveries.prune(new Date(now().getTime() - retentionMs));
    if (expired + pruned > 0) logger.info("webhook delivery log maintained", { expired, pruned });
  }

  return {
    control: createWebhookHandlers({ catalog }),
    start() {
      if (options === false) return;
      sending = startWakeableLoop(
        async (signal) => {
          await maintain();
          return (await sender.sendDue(signal)) > 0;
        },
        { intervalMs: pollMs, onError: (error) => logger.warn("webhook send pass failed", { error }) },
      );
      fanOut = startWakeableLoop(
        async () => {
          const result = await fanOutRunEvents(db.pool, plan);
          if (result?.deliveries) sending?.wake();
          return result?.more ?? false;
        },
        { intervalMs: pollMs, onError: (error) => logger.warn("webhook fan-out pass failed", { error }) },
      );
      listener = createListener(db.url, [RUN_EVENT_CHANNEL], () => fanOut?.wake(), {
        onConnected: () => fanOut?.wake(),
        onError: (error) => logger.warn("webhook listener lost its connection; reconnecting", { error: error.message }),
      });
    },
    async stop() {
      await listener?.close();
      await fanOut?.stop();
      await sending?.stop();
      await sender.drain();
    },
  };
}
