import type { Labels } from "./labels.js";
import type { RunResult } from "./run-state.js";
import { type Selector, selectorMatches } from "./selector.js";
import type { WebhookEventName } from "./webhook-spec.js";

/** What a webhook wants: event names, a selector over run labels and (optionally) results. */
export interface WebhookFilter {
  events: readonly WebhookEventName[];
  selector: Selector;
  /** Empty: any result. */
  results: readonly RunResult[];
}

/**
 * True when the webhook wants `event` for a run with these labels and result. The results filter
 * applies to events that have a result (run.finished, test.*); run.queued and run.started pass it.
 */
export function webhookWants(
  filter: WebhookFilter,
  event: WebhookEventName,
  labels: Labels,
  result?: RunResult,
): boolean {
  if (!filter.events.includes(event)) return false;
  if (!selectorMatches(filter.selector, labels)) return false;
  if (filter.results.length === 0 || event === "run.queued" || event === "run.started") return true;
  return result !== undefined && filter.results.includes(result);
}
