import { validateNamespace } from "./namespace.js";
import { RUN_RESULTS, type RunResult } from "./run-state.js";
import { parseSelector } from "./selector-parser.js";
import { validateTestName } from "./test-spec.js";
import { type FieldViolation, listItemPath } from "./validation-error.js";

/** What a webhook can subscribe to: a run's status changes, and a test's health changes. */
export type WebhookEventName =
  | "run.queued"
  | "run.started"
  | "run.finished"
  | "test.became_failing"
  | "test.became_passing";

/** The events the runs outbox records: one per status change of a run. */
export type RunEventName = Extract<WebhookEventName, `run.${string}`>;

/** Every webhook event, in lifecycle order. */
export const WEBHOOK_EVENTS: readonly WebhookEventName[] = [
  "run.queued",
  "run.started",
  "run.finished",
  "test.became_failing",
  "test.became_passing",
];

/**
 * A webhook: run events of one namespace POSTed to `url`. `testSelector` is matched against the
 * run's labels ("" matches every run); `results` (empty = any) limits run.finished and test.*
 * events to runs with those results.
 */
export interface WebhookSpec {
  namespace: string;
  name: string;
  url: string;
  events: WebhookEventName[];
  testSelector: string;
  results: RunResult[];
  enabled: boolean;
}

/**
 * A webhook as a client sent it: event and result names are not checked yet; `enabled` unset
 * means enabled for a new webhook and unchanged for an existing one.
 */
export interface WebhookDraft extends Omit<WebhookSpec, "events" | "results" | "enabled"> {
  events: string[];
  results: string[];
  enabled?: boolean;
}

export const MAX_WEBHOOK_URL_LENGTH = 2048;
/** A shorter secret could be guessed, and then anyone could forge events. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;
export const MAX_WEBHOOK_SECRET_LENGTH = 1024;

/**
 * Validates a webhook and returns every violation with proto field paths. The secret is checked
 * when given; `secretRequired` (a new webhook) makes an empty one a violation too.
 */
export function validateWebhook(draft: WebhookDraft, secret: string, secretRequired: boolean): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const add = (path: string, message: string) => violations.push({ path, message });
  const nameProblem = validateTestName(draft.name);
  if (nameProblem !== undefined) add("name", nameProblem);
  violations.push(...validateNamespace(draft.namespace));
  const urlProblem = validateWebhookUrl(draft.url);
  if (urlProblem !== undefined) add("url", urlProblem);
  if (draft.events.length === 0) add("events", `name at least one event: ${WEBHOOK_EVENTS.join(", ")}`);
  draft.events.forEach((event, i) => {
    if (!isWebhookEvent(event))
      add(listItemPath("events", i), `unknown event ${event} (use ${WEBHOOK_EVENTS.join(", ")})`);
  });
  draft.results.forEach((result, i) => {
    if (!(RUN_RESULTS as readonly string[]).includes(result)) {
      add(listItemPath("results", i), `unknown result ${result} (use ${RUN_RESULTS.join(", ")})`);
    }
  });
  if (draft.testSelector.trim() !== "") {
    try {
      parseSelector(draft.testSelector);
    } catch (error) {
      add("test_selector", error instanceof Error ? error.message : String(error));
    }
  }
  const secretProblem = validateWebhookSecret(secret, secretRequired);
  if (secretProblem !== undefined) add("secret", secretProblem);
  return violations;
}

/** Why `url` cannot receive webhooks (not absolute http(s), credentials in it, too long), or undefined. */
export function validateWebhookUrl(url: string): string | undefined {
  if (url === "") return "is required";
  if (url.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${JSON.stringify(url)} is not an absolute URL (e.g. https://hooks.example.com/tstr)`;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return `must use http or https, not ${parsed.protocol.slice(0, -1)}`;
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return "must not contain credentials (user:password@); receivers authenticate events by their signature";
  }
  return undefined;
}

function validateWebhookSecret(secret: string, required: boolean): string | undefined {
  if (secret === "") return required ? "is required when a webhook is created (it signs every event)" : undefined;
  if (secret.length < MIN_WEBHOOK_SECRET_LENGTH) return `must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters`;
  if (secret.length > MAX_WEBHOOK_SECRET_LENGTH) return `must be at most ${MAX_WEBHOOK_SECRET_LENGTH} characters`;
  return undefined;
}

/** True for the names in {@link WEBHOOK_EVENTS}. */
export function isWebhookEvent(name: string): name is WebhookEventName {
  return (WEBHOOK_EVENTS as readonly string[]).includes(name);
}

/** The spec of a draft that {@link validateWebhook} accepted (unknown names are dropped). */
export function webhookSpecOf(draft: WebhookDraft & { enabled: boolean }): WebhookSpec {
  return {
    ...draft,
    events: [...new Set(draft.events.filter(isWebhookEvent))],
    results: [...new Set(draft.results.filter((r): r is RunResult => (RUN_RESULTS as readonly string[]).includes(r)))],
    testSelector: draft.testSelector.trim(),
  };
}
