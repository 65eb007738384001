import type { Labels } from "./labels.js";
import type { RunResult, RunStatus } from "./run-state.js";
import type { TestHealth } from "./webhook-health.js";
import type { WebhookEventName } from "./webhook-spec.js";

/** A run as it was when an event happened (status fields) plus what never changes. */
export interface WebhookRunSnapshot {
  id: string;
  namespace: string;
  testId?: string;
  testName: string;
  labels: Labels;
  status: RunStatus;
  result?: RunResult;
  reason?: string;
  attempt: number;
  trigger: string;
  external: boolean;
  runNumber?: number;
  scheduledAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

/** The JSON body of every webhook request. Timestamps are RFC 3339 strings in UTC. */
export interface WebhookPayload {
  /** The event's id: the same for every webhook that receives it (`x-tstr-delivery` is per webhook). */
  id: string;
  event: WebhookEventName;
  occurredAt: string;
  namespace: string;
  test: { id?: string; name: string; labels: Labels };
  run: {
    id: string;
    status: RunStatus;
    result?: RunResult;
    reason?: string;
    attempt: number;
    trigger: string;
    external: boolean;
    runNumber?: number;
    scheduledAt: string;
    startedAt?: string;
    finishedAt?: string;
  };
  /** test.* events: the health before (absent when unknown) and after the run. */
  previousHealth?: TestHealth;
  health?: TestHealth;
}

/** Builds the payload of one event; optional fields that are unknown are left out, never null. */
export function buildWebhookPayload(args: {
  id: string;
  event: WebhookEventName;
  occurredAt: Date;
  run: WebhookRunSnapshot;
  health?: { previous?: TestHealth; current: TestHealth };
}): WebhookPayload {
  const { run } = args;
  const payload: WebhookPayload = {
    id: args.id,
    event: args.event,
    occurredAt: args.occurredAt.toISOString(),
    namespace: run.namespace,
    test: { ...(run.testId ? { id: run.testId } : {}), name: run.testName, labels: run.labels },
    run: {
      id: run.id,
      status: run.status,
      ...(run.result ? { result: run.result } : {}),
      ...(run.reason ? { reason: run.reason } : {}),
      attempt: run.attempt,
      trigger: run.trigger,
      external: run.external,
      ...(run.runNumber !== undefined ? { runNumber: run.runNumber } : {}),
      scheduledAt: run.scheduledAt.toISOString(),
      ...(run.startedAt ? { startedAt: run.startedAt.toISOString() } : {}),
      ...(run.finishedAt ? { finishedAt: run.finishedAt.toISOString() } : {}),
    },
  };
  if (args.health) {
    if (args.health.previous) payload.previousHealth = args.health.previous;
    payload.health = args.health.current;
  }
  return payload;
}
