import { Run_Result, type Webhook, type WebhookDelivery, WebhookEvent } from "@tstr/proto";
import { formatTimestamp } from "./format-values.js";

/** Webhook events by the names the CLI and payloads use. */
export const WEBHOOK_EVENT_NAMES: Readonly<Record<string, WebhookEvent>> = {
  "run.queued": WebhookEvent.RUN_QUEUED,
  "run.started": WebhookEvent.RUN_STARTED,
  "run.finished": WebhookEvent.RUN_FINISHED,
  "test.became_failing": WebhookEvent.TEST_BECAME_FAILING,
  "test.became_passing": WebhookEvent.TEST_BECAME_PASSING,
};
const EVENT_NAME = new Map(Object.entries(WEBHOOK_EVENT_NAMES).map(([name, value]) => [value, name]));

/** Columns of `webhook list`. */
export const WEBHOOK_COLUMNS = ["NAME", "URL", "EVENTS", "SELECTOR", "RESULTS", "ENABLED"] as const;

/** One table row per webhook. */
export function webhookRow(webhook: Webhook): string[] {
  return [
    webhook.name,
    webhook.url,
    webhook.events.map(webhookEventName).join(","),
    webhook.testSelector,
    webhook.results.map((r) => Run_Result[r] ?? String(r)).join(",") || "any",
    webhook.enabled ? "yes" : "no",
  ];
}

/** Columns of `webhook deliveries`. */
export const DELIVERY_COLUMNS = ["CREATED", "EVENT", "TEST", "RUN", "ATTEMPTS", "LAST RESULT", "STATE"] as const;

/** How long an error message may be in the table (the JSON output has all of it). */
const MAX_ERROR_WIDTH = 60;

/** One table row per delivery; `testNames` maps test ids to names (ids not in it print as ids). */
export function deliveryRow(delivery: WebhookDelivery, testNames: ReadonlyMap<string, string>): string[] {
  return [
    formatTimestamp(delivery.createdAt),
    webhookEventName(delivery.event),
    testNames.get(delivery.testId) ?? delivery.testId,
    delivery.runId,
    String(delivery.attempts),
    lastResult(delivery),
    deliveryState(delivery),
  ];
}

/** "run.finished" for the enum value. */
export function webhookEventName(event: WebhookEvent): string {
  return EVENT_NAME.get(event) ?? WebhookEvent[event] ?? String(event);
}

/** "delivered 2026-…Z", "next attempt 2026-…Z" or "failed (gave up)". */
export function deliveryState(delivery: WebhookDelivery): string {
  if (delivery.delivered) return `delivered ${formatTimestamp(delivery.deliveredAt)}`;
  if (delivery.nextAttemptAt) return `next attempt ${formatTimestamp(delivery.nextAttemptAt)}`;
  return "failed (gave up)";
}

function lastResult(delivery: WebhookDelivery): string {
  if (delivery.lastError) {
    return delivery.lastError.length > MAX_ERROR_WIDTH
      ? `${delivery.lastError.slice(0, MAX_ERROR_WIDTH - 1)}…`
      : delivery.lastError;
  }
  return delivery.lastStatusCode ? String(delivery.lastStatusCode) : "";
}
