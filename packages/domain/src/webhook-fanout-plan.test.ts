import { describe, expect, it } from "vitest";
import type { RunResult, RunStatus } from "./run-state.js";
import { parseSelector } from "./selector-parser.js";
import { type FanOutWebhook, healthKey, type OutboxEvent, planWebhookFanOut } from "./webhook-fanout-plan.js";
import type { TestHealth } from "./webhook-health.js";
import type { RunEventName, WebhookEventName } from "./webhook-spec.js";

const T1 = "00000000-0000-4000-8000-000000000001";
const T2 = "00000000-0000-4000-8000-000000000002";

function hook(
  id: string,
  events: WebhookEventName[],
  opts: { namespace?: string; selector?: string; results?: RunResult[] } = {},
): FanOutWebhook {
  return {
    id,
    namespace: opts.namespace ?? "ns",
    filter: { events, selector: parseSelector(opts.selector ?? ""), results: opts.results ?? [] },
  };
}

let runCounter = 0;
function event(
  kind: RunEventName,
  opts: {
    testId?: string;
    result?: RunResult;
    labels?: Record<string, string>;
    namespace?: string;
    labelsKey?: string;
  } = {},
): OutboxEvent {
  const status: RunStatus = kind === "run.queued" ? "QUEUED" : kind === "run.started" ? "RUNNING" : "FINISHED";
  return {
    event: kind,
    occurredAt: new Date(1_000 * ++runCounter),
    labelsKey: opts.labelsKey ?? "k",
    run: {
      id: `run-${runCounter}`,
      namespace: opts.namespace ?? "ns",
      testId: opts.testId ?? T1,
      testName: "checkout",
      labels: opts.labels ?? {},
      status,
      ...(opts.result ? { result: opts.result } : {}),
      attempt: 1,
      trigger: "manual",
      external: false,
      scheduledAt: new Date(0),
    },
  };
}

const ids = () => {
  let n = 0;
  return () => `e${++n}`;
};
const summary = (plan: ReturnType<typeof planWebhookFanOut>) =>
  plan.deliveries.map((d) => `${d.webhookId}:${d.event}:${d.payload.run.id}`);

describe("planWebhookFanOut", () => {
  it("delivers each event to the webhooks of the run's namespace that want it, in order", () => {
    const plan = planWebhookFanOut(
      [event("run.queued"), event("run.started"), event("run.finished", { result: "PASS" })],
      [
        hook("all", ["run.queued", "run.started", "run.finished"]),
        hook("finished", ["run.finished"]),
        hook("elsewhere", ["run.queued"], { namespace: "other" }),
      ],
      new Map(),
      ids(),
    );
    expect(summary(plan)).toEqual([
      `all:run.queued:run-${runCounter - 2}`,
      `all:run.started:run-${runCounter - 1}`,
      `all:run.finished:run-${runCounter}`,
      `finished:run.finished:run-${runCounter}`,
    ]);
    // One event id per event, shared by its deliveries.
    expect(plan.deliveries.map((d) => d.payload.id)).toEqual(["e1", "e2", "e3", "e3"]);
    expect(plan.deliveries[0]?.testId).toBe(T1);
  });

  it("applies selectors and results", () => {
    const plan = planWebhookFanOut(
      [
        event("run.finished", { result: "FAIL", labels: { tier: "example" } }),
        event("run.finished", { result: "PASS", labels: { tier: "example" } }),
        event("run.finished", { result: "FAIL", labels: { tier: "load" } }),
      ],
      [hook("failures", ["run.finished"], { selector: "tier=example", results: ["FAIL"] })],
      new Map(),
      ids(),
    );
    expect(plan.deliveries.map((d) => d.payload.run.result)).toEqual(["FAIL"]);
    expect(plan.deliveries[0]?.payload.test.labels).toEqual({ tier: "example" });
  });

  it("sends became_failing and became_passing once per change, and tracks health per label set", () => {
    const sequence: [RunResult, string][] = [
      ["PASS", "a"],
      ["FAIL", "a"],
      ["FAIL", "b"],
      ["FAIL", "a"],
      ["CANCELLED", "a"],
      ["PASS", "a"],
    ];
    const plan = planWebhookFanOut(
      sequence.map(([result, labelsKey]) => event("run.finished", { result, labelsKey })),
      [hook("health", ["test.became_failing", "test.became_passing"])],
      new Map(),
      ids(),
    );
    expect(plan.deliveries.map((d) => [d.event, d.payload.previousHealth, d.payload.health])).toEqual([
      ["test.became_failing", "PASSING", "FAILING"],
      ["test.became_failing", undefined, "FAILING"],
      ["test.became_passing", "FAILING", "PASSING"],
    ]);
    expect(plan.health).toEqual([
      expect.objectContaining({ testId: T1, labelsKey: "a", health: "PASSING" }),
      expect.objectContaining({ testId: T1, labelsKey: "b", health: "FAILING" }),
    ]);
  });

  it("starts from the stored health and writes only changes", () => {
    const stored = new Map<string, TestHealth>([
      [healthKey(T1, "k"), "FAILING"],
      [healthKey(T2, "k"), "PASSING"],
    ]);
    const plan = planWebhookFanOut(
      [event("run.finished", { result: "FAIL" }), event("run.finished", { result: "PASS", testId: T2 })],
      [hook("health", ["test.became_failing", "test.became_passing"])],
      stored,
      ids(),
    );
    expect(plan).toEqual({ deliveries: [], health: [] });
  });

  it("follows health without any webhook, and puts the run event before the health event", () => {
    expect(planWebhookFanOut([event("run.finished", { result: "FAIL" })], [], new Map(), ids()).health).toHaveLength(1);
    const plan = planWebhookFanOut(
      [event("run.finished", { result: "ERROR" })],
      [hook("both", ["run.finished", "test.became_failing"])],
      new Map(),
      ids(),
    );
    expect(plan.deliveries.map((d) => d.event)).toEqual(["run.finished", "test.became_failing"]);
  });

  it("drops events of runs that are gone and keeps no health for runs without a test", () => {
    const gone: OutboxEvent = { event: "run.queued", occurredAt: new Date(0), labelsKey: "k" };
    const noTest = event("run.finished", { result: "FAIL" });
    if (noTest.run) delete noTest.run.testId;
    const plan = planWebhookFanOut(
      [gone, noTest],
      [hook("all", ["run.queued", "run.finished", "test.became_failing"])],
      new Map(),
      ids(),
    );
    expect(plan.deliveries.map((d) => [d.event, d.testId])).toEqual([["run.finished", undefined]]);
    expect(plan.health).toEqual([]);
  });
});
