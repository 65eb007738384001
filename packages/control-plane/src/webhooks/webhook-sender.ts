import type { ClaimedDelivery, WebhookDeliveriesRepository } from "@tstr/db";
import { nextWebhookAttempt, type WebhookRetryPolicy } from "@tstr/domain";
import { orderedPayloadJson } from "./payload-json.js";
import { postWebhook } from "./webhook-post.js";
import { signWebhookBody } from "./webhook-signature.js";

/** A claim outlives its attempt by this much before another sender may take the delivery over. */
const LEASE_SLACK_MS = 5_000;

/** Sends due deliveries, records each outcome and schedules retries. */
export interface WebhookSender {
  /** Claims up to `concurrency` due deliveries and sends them in parallel; returns how many. */
  sendDue(signal: AbortSignal): Promise<number>;
}

/** Creates the sender over the deliveries repository. */
export function createWebhookSender(deps: {
  deliveries: WebhookDeliveriesRepository;
  policy: WebhookRetryPolicy;
  attemptTimeoutMs: number;
  concurrency: number;
  now: () => Date;
  random?: () => number;
}): WebhookSender {
  const { deliveries, now } = deps;
  const random = deps.random ?? Math.random;

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
      const claimed = await deliveries.claimDue(deps.concurrency, deps.attemptTimeoutMs + LEASE_SLACK_MS);
      await Promise.all(claimed.map((delivery) => send(delivery, signal)));
      return claimed.length;
    },
  };
}
