import { describe, expect, it } from "vitest";
import type { RunResult } from "./run-state.js";
import { parseSelector } from "./selector-parser.js";
import { type WebhookFilter, webhookWants } from "./webhook-filter.js";
import type { WebhookEventName } from "./webhook-spec.js";

const filter = (events: WebhookEventName[], selector = "", results: RunResult[] = []): WebhookFilter => ({
  events,
  selector: parseSelector(selector),
  results,
});
const EXAMPLE = { tier: "example" };

describe("webhookWants", () => {
  it.each<[string, WebhookFilter, WebhookEventName, Record<string, string>, RunResult | undefined, boolean]>([
    ["a subscribed event", filter(["run.finished"]), "run.finished", {}, "PASS", true],
    ["an event not subscribed", filter(["run.finished"]), "run.started", {}, undefined, false],
    ["matching labels", filter(["run.finished"], "tier=example"), "run.finished", EXAMPLE, "PASS", true],
    ["other labels", filter(["run.finished"], "tier=example"), "run.finished", { tier: "load" }, "PASS", false],
    ["missing labels", filter(["run.finished"], "tier=example"), "run.finished", {}, "PASS", false],
    ["a wanted result", filter(["run.finished"], "", ["FAIL", "ERROR"]), "run.finished", {}, "ERROR", true],
    ["an unwanted result", filter(["run.finished"], "", ["FAIL"]), "run.finished", {}, "PASS", false],
    [
      "results on a health event",
      filter(["test.became_failing"], "", ["FAIL"]),
      "test.became_failing",
      {},
      "TIMED_OUT",
      false,
    ],
    ["results do not hold back run.queued", filter(["run.queued"], "", ["FAIL"]), "run.queued", {}, undefined, true],
    ["results do not hold back run.started", filter(["run.started"], "", ["FAIL"]), "run.started", {}, undefined, true],
    ["a finished event without a result", filter(["run.finished"], "", ["FAIL"]), "run.finished", {}, undefined, false],
  ])("%s", (_name, f, event, labels, result, wanted) => {
    expect(webhookWants(f, event, labels, result)).toBe(wanted);
  });
});
