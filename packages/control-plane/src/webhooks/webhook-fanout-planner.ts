import { randomUUID } from "node:crypto";
import type { OutboxBatch, OutboxWebhook } from "@tstr/db";
import {
  type FanOutPlan,
  type FanOutWebhook,
  parseSelector,
  planWebhookFanOut,
  RUN_RESULTS,
  type RunResult,
} from "@tstr/domain";
import type { Logger } from "../logging/logger.js";

/**
 * The planner fanOutRunEvents calls: parses each webhook's selector (cached by text) and runs the
 * pure fan-out plan. A selector stored before a parser change that no longer parses matches
 * nothing (logged once) rather than stopping every other webhook.
 */
export function createFanOutPlanner(logger: Logger): (batch: OutboxBatch) => FanOutPlan {
  const parsed = new Map<string, FanOutWebhook["filter"]["selector"] | null>();
  const selectorOf = (hook: OutboxWebhook) => {
    if (!parsed.has(hook.testSelector)) {
      try {
        parsed.set(hook.testSelector, parseSelector(hook.testSelector));
      } catch (error) {
        logger.warn("webhook selector does not parse; the webhook receives nothing", { webhookId: hook.id, error });
        parsed.set(hook.testSelector, null);
      }
      if (parsed.size > 10_000) parsed.clear();
    }
    return parsed.get(hook.testSelector) ?? null;
  };
  return (batch) => {
    const webhooks: FanOutWebhook[] = [];
    for (const hook of batch.webhooks) {
      const selector = selectorOf(hook);
      if (!selector) continue;
      const results = hook.results.filter((r): r is RunResult => (RUN_RESULTS as readonly string[]).includes(r));
      webhooks.push({ id: hook.id, namespace: hook.namespace, filter: { events: hook.events, selector, results } });
    }
    return planWebhookFanOut(batch.events, webhooks, batch.health, randomUUID);
  };
}
