import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { WebhookDeliveryRecord, WebhookRecord } from "@tstr/db";
import type { WebhookDraft, WebhookEventName } from "@tstr/domain";
import {
  Run_Result,
  type Webhook,
  type WebhookDelivery,
  WebhookDeliverySchema,
  WebhookEvent,
  WebhookSchema,
} from "@tstr/proto";
import { RESULT_FROM_PROTO, RESULT_TO_PROTO } from "../mapping/run-mapping.js";

const EVENT_TO_PROTO: Record<WebhookEventName, WebhookEvent> = {
  "run.queued": WebhookEvent.RUN_QUEUED,
  "run.started": WebhookEvent.RUN_STARTED,
  "run.finished": WebhookEvent.RUN_FINISHED,
  "test.became_failing": WebhookEvent.TEST_BECAME_FAILING,
  "test.became_passing": WebhookEvent.TEST_BECAME_PASSING,
};
const EVENT_FROM_PROTO = new Map(Object.entries(EVENT_TO_PROTO).map(([name, value]) => [value, name]));

/**
 * A webhook as the client sent it, in `namespace`. Enum values with no meaning (UNSPECIFIED or
 * unknown numbers) are kept under their wire name, so validation reports them by index.
 */
export function webhookDraftFromProto(webhook: Webhook, namespace: string): WebhookDraft {
  return {
    namespace,
    name: webhook.name,
    url: webhook.url,
    events: webhook.events.map((e) => EVENT_FROM_PROTO.get(e) ?? `WEBHOOK_EVENT_${WebhookEvent[e] ?? e}`),
    testSelector: webhook.testSelector,
    results: webhook.results.map((r) => RESULT_FROM_PROTO[r] ?? Run_Result[r] ?? String(r)),
    enabled: webhook.enabled,
  };
}

/** The wire form of a stored webhook; the secret stays empty (it is write-only). */
export function webhookToProto(record: WebhookRecord): Webhook {
  const { spec } = record;
  return create(WebhookSchema, {
    id: record.id,
    namespace: spec.namespace,
    name: spec.name,
    url: spec.url,
    events: spec.events.map((e) => EVENT_TO_PROTO[e]),
    testSelector: spec.testSelector,
    results: spec.results.map((r) => RESULT_TO_PROTO[r]),
    enabled: spec.enabled,
    createdAt: timestampFromDate(record.createdAt),
    updatedAt: timestampFromDate(record.updatedAt),
  });
}

/**
 * The wire form of a delivery. A pending one has next_attempt_at; a delivered one delivered_at;
 * one given up has neither (delivered false, last_error saying why).
 */
export function webhookDeliveryToProto(record: WebhookDeliveryRecord): WebhookDelivery {
  return create(WebhookDeliverySchema, {
    id: record.id,
    webhookId: record.webhookId,
    event: EVENT_TO_PROTO[record.event] ?? WebhookEvent.UNSPECIFIED,
    runId: record.runId,
    testId: record.testId ?? "",
    attempts: record.attempts,
    lastStatusCode: record.lastStatusCode ?? 0,
    lastError: record.lastError ?? "",
    delivered: record.state === "delivered",
    createdAt: timestampFromDate(record.createdAt),
    deliveredAt: record.deliveredAt ? timestampFromDate(record.deliveredAt) : undefined,
    nextAttemptAt:
      record.state === "pending" && record.nextAttemptAt ? timestampFromDate(record.nextAttemptAt) : undefined,
  });
}
