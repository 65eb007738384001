import type { ClaimedDelivery, WebhookDeliveriesRepository } from "@tstr/db";
import { nextWebhookAttempt, type WebhookRetryPolicy } from "@tstr/domain";
import { orderedPayloadJson } from "./payload-json.js";
import { postWebhook } from "./webhook-post.js";
import { signWebhookBody } from "./webhook-signature.js";

/** A claim outlives its attempt by this much before another sender may take the delivery over. */
const LEASE_SLACK_MS = 5_000;

/** Sends due deliveries, records each outcome and schedules retries. */
export interface WebhookSender {
  /**
   * Claims due deliveries for the free send slots (`concurrency` in flight at most, half of them
   * for one webhook at most) and starts them without waiting: a slow receiver holds its slots, not
   * the pass nor the other webhooks. Returns how many it started.
   */
  sendDue(signal: AbortSignal): Promise<number>;
  /** Resolves when every send in flight has ended. */
  drain(): Promise<void>;
}

/** Creates the sender over the deliveries repository. */
export function createWebhookSender(deps: {
  deliveries: WebhookDeliveriesRepository;
  policy: WebhookRetryPolicy;
  attemptTimeoutMs: number;
  concurrency: number;
  now: () => Date;
  random?: () => number;
  /** A send ended (its slot is free): time to claim more. */
  onSlotFree?: () => void;
  /** A send whose outcome could not be recorded (the claim's lease makes it retried later). */
  onError?: (error: unknown) => void;
}): WebhookSender {
  const { deliveries, now } = deps;
  const random = deps.random ?? Math.random;
  const inFlight = new Set<Promise<void>>();
  // Sends in flight per webhook: a webhook with half the slots gets no more until one ends.
  const perWebhook = Math.max(1, Math.ceil(deps.concurrency / 2));
  const busy = new Map<string, number>();

  async function send(delivery: ClaimedDelivery, signal: AbortSignal): Promise<void> {
    const body = orderedPayloadJson(delivery.payload);
    const timestamp = Math.floor(now().getTime() / 1000);
    const outcome = await postWebhook(
      delivery.url,
      {
        "content-type": "application/json",
        "user-agent": "tstr-webhooks",
        "x-tstr-event": delivery.event,
        "x-tstr-delivery": delivery.id,
        "x-tstr-timestamp": String(timestamp),
        "x-tstr-signature": signWebhookBody(delivery.secret, timestamp, body),
      },
      body,
      { timeoutMs: deps.attemptTimeoutMs, signal },
    );
    if (outcome.ok) return deliveries.markDelivered(delivery.id, outcome.statusCode);
    if (signal.aborted) {
      // This server is stopping: the next replica (or this one, restarted) tries again at once.
      return deliveries.markFailedAttempt(delivery.id, delivery.attempts, {
        error: "the server stopped during the attempt",
        retryAt: now(),
      });
    }
    const decision = nextWebhookAttempt({
      createdAt: delivery.createdAt,
      now: now(),
      failedAttempts: delivery.attempts,
      policy: deps.policy,
      random: random(),
    });
    await deliveries.markFailedAttempt(delivery.id, delivery.attempts, {
      statusCode: outcome.statusCode,
      ...("retryAt" in decision
        ? { error: outcome.error, retryAt: decision.retryAt }
        : { error: `gave up after ${delivery.attempts} attempts: ${outcome.error}` }),
    });
  }

  return {
    async sendDue(signal) {
      const free = deps.concurrency - inFlight.size;
      if (free <= 0 || signal.aborted) return 0;
      const claimed = await deliveries.claimDue(free, deps.attemptTimeoutMs + LEASE_SLACK_MS, {
        perWebhook,
        busyWebhookIds: [...busy].filter(([, n]) => n >= perWebhook).map(([id]) => id),
      });
      for (const delivery of claimed) {
        busy.set(delivery.webhookId, (busy.get(delivery.webhookId) ?? 0) + 1);
        const sending: Promise<void> = send(delivery, signal)
          .catch((error: unknown) => deps.onError?.(error))
          .finally(() => {
            inFlight.delete(sending);
            const left = (busy.get(delivery.webhookId) ?? 1) - 1;
            if (left > 0) busy.set(delivery.webhookId, left);
            else busy.delete(delivery.webhookId);
            deps.onSlotFree?.();
          });
        inFlight.add(sending);
      }
      return claimed.length;
    },
    async drain() {
      await Promise.all([...inFlight]);
    },
  };
}
