import { describe, expect, it } from "vitest";
import type { TestHealth } from "./webhook-health.js";
import { buildWebhookPayload, type WebhookPayload, type WebhookRunSnapshot } from "./webhook-payload.js";

const RUN: WebhookRunSnapshot = {
  id: "6f1c2a8e-0000-4000-8000-000000000001",
  namespace: "team-a",
  testId: "6f1c2a8e-0000-4000-8000-0000000000aa",
  testName: "checkout",
  labels: { tier: "example" },
  status: "FINISHED",
  result: "FAIL",
  reason: "EXIT_CODE_1",
  attempt: 1,
  trigger: "manual",
  external: false,
  runNumber: 42,
  scheduledAt: new Date("2026-01-01T00:00:00.000Z"),
  startedAt: new Date("2026-01-01T00:00:01.500Z"),
  finishedAt: new Date("2026-01-01T00:00:03.250Z"),
};

describe("buildWebhookPayload", () => {
  it("carries the event, the test and the run with RFC 3339 times", () => {
    expect(
      buildWebhookPayload({
        id: "e-1",
        event: "run.finished",
        occurredAt: new Date("2026-01-01T00:00:03.300Z"),
        run: RUN,
      }),
    ).toEqual({
      id: "e-1",
      event: "run.finished",
      occurredAt: "2026-01-01T00:00:03.300Z",
      namespace: "team-a",
      test: { id: RUN.testId, name: "checkout", labels: { tier: "example" } },
      run: {
        id: RUN.id,
        status: "FINISHED",
        result: "FAIL",
        reason: "EXIT_CODE_1",
        attempt: 1,
        trigger: "manual",
        external: false,
        runNumber: 42,
        scheduledAt: "2026-01-01T00:00:00.000Z",
        startedAt: "2026-01-01T00:00:01.500Z",
        finishedAt: "2026-01-01T00:00:03.250Z",
      },
    });
  });

  const queued: WebhookRunSnapshot = {
    id: RUN.id,
    namespace: RUN.namespace,
    testName: RUN.testName,
    labels: {},
    status: "QUEUED",
    attempt: 0,
    trigger: "cron",
    external: false,
    scheduledAt: RUN.scheduledAt,
  };

  it("leaves out what is not known yet, never null", () => {
    const payload = buildWebhookPayload({ id: "e", event: "run.queued", occurredAt: new Date(0), run: queued });
    expect(Object.keys(payload).sort()).toEqual(["event", "id", "namespace", "occurredAt", "run", "test"]);
    expect(Object.keys(payload.run).sort()).toEqual(["attempt", "external", "id", "scheduledAt", "status", "trigger"]);
    expect(payload.test).toEqual({ name: "checkout", labels: {} });
    expect(JSON.stringify(payload)).not.toContain("null");
  });

  it.each<[string, { previous?: TestHealth; current: TestHealth }, Partial<WebhookPayload>]>([
    ["a first failure has no previous health", { current: "FAILING" }, { health: "FAILING" }],
    [
      "a recovery names both healths",
      { previous: "FAILING", current: "PASSING" },
      { previousHealth: "FAILING", health: "PASSING" },
    ],
  ])("%s", (_name, health, expected) => {
    const payload = buildWebhookPayload({
      id: "e",
      event: "test.became_failing",
      occurredAt: new Date(0),
      run: RUN,
      health,
    });
    const { previousHealth, health: current } = payload;
    expect({ previousHealth, health: current }).toEqual({ previousHealth: undefined, ...expected });
    expect("previousHealth" in payload).toBe(health.previous !== undefined);
  });
});
