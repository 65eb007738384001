import { type WebhookFilter, webhookWants } from "./webhook-filter.js";
import { nextTestHealth, type TestHealth } from "./webhook-health.js";
import { buildWebhookPayload, type WebhookPayload, type WebhookRunSnapshot } from "./webhook-payload.js";
import type { RunEventName, WebhookEventName } from "./webhook-spec.js";

/** One row of the runs outbox, joined with its run. */
export interface OutboxEvent {
  event: RunEventName;
  occurredAt: Date;
  /** Undefined when the run no longer exists; the event is then dropped. */
  run?: WebhookRunSnapshot;
  /** Identifies the run's label set, so each matrix combination of a test has its own health. */
  labelsKey: string;
}

/** An enabled webhook, its selector parsed. */
export interface FanOutWebhook {
  id: string;
  namespace: string;
  filter: WebhookFilter;
}

/** A delivery to create. */
export interface PlannedDelivery {
  webhookId: string;
  event: WebhookEventName;
  runId: string;
  testId?: string;
  payload: WebhookPayload;
}

/** The health a test's label set has after the planned events. */
export interface HealthUpdate {
  testId: string;
  labelsKey: string;
  health: TestHealth;
  runId: string;
}

export interface FanOutPlan {
  deliveries: PlannedDelivery[];
  health: HealthUpdate[];
}

/** Key of {@link planWebhookFanOut}'s health map. */
export function healthKey(testId: string, labelsKey: string): string {
  return `${testId}/${labelsKey}`;
}

/**
 * Turns outbox events, in order, into deliveries for the webhooks of each run's namespace that
 * want them, and follows each test's health through the run.finished events, adding a
 * test.became_failing / test.became_passing event where it changes. `health` holds the stored
 * health by {@link healthKey}; `newId` names each event (one id per event, shared by its
 * deliveries).
 */
export function planWebhookFanOut(
  events: readonly OutboxEvent[],
  webhooks: readonly FanOutWebhook[],
  health: ReadonlyMap<string, TestHealth>,
  newId: () => string,
): FanOutPlan {
  const deliveries: PlannedDelivery[] = [];
  const current = new Map(health);
  const updates = new Map<string, HealthUpdate>();
  const deliver = (
    event: WebhookEventName,
    run: WebhookRunSnapshot,
    occurredAt: Date,
    change?: { previous?: TestHealth; current: TestHealth },
  ) => {
    const wanting = webhooks.filter(
      (hook) => hook.namespace === run.namespace && webhookWants(hook.filter, event, run.labels, run.result),
    );
    if (wanting.length === 0) return;
    const payload = buildWebhookPayload({ id: newId(), event, occurredAt, run, health: change });
    const testId = run.testId ? { testId: run.testId } : {};
    for (const hook of wanting) deliveries.push({ webhookId: hook.id, event, runId: run.id, ...testId, payload });
  };
  for (const { event, run, occurredAt, labelsKey } of events) {
    if (!run) continue;
    deliver(event, run, occurredAt);
    if (event !== "run.finished" || !run.testId || !run.result) continue;
    const key = healthKey(run.testId, labelsKey);
    const previous = current.get(key);
    const step = nextTestHealth(previous, run.result);
    if (step.health === undefined || step.health === previous) continue;
    current.set(key, step.health);
    updates.set(key, { testId: run.testId, labelsKey, health: step.health, runId: run.id });
    if (step.became) deliver(step.became, run, occurredAt, { previous, current: step.health });
  }
  return { deliveries, health: [...updates.values()] };
}
