import { describe, expect, it } from "vitest";
import { validateWebhook, validateWebhookUrl, type WebhookDraft, webhookSpecOf } from "./webhook-spec.js";

const SECRET = "s3cret-s3cret-s3cret";

function draft(overrides: Partial<WebhookDraft> = {}): WebhookDraft & { enabled: boolean } {
  return {
    namespace: "team-a",
    name: "chat",
    url: "https://hooks.example.com/tstr",
    events: ["run.finished"],
    testSelector: "",
    results: [],
    enabled: true,
    ...overrides,
  };
}

describe("validateWebhook", () => {
  it.each([
    ["a minimal webhook", draft(), SECRET, true],
    [
      "every event, a selector and results",
      draft({
        events: ["run.queued", "run.started", "run.finished", "test.became_failing", "test.became_passing"],
        testSelector: "tier=example,team in (web)",
        results: ["FAIL", "ERROR", "TIMED_OUT"],
      }),
      SECRET,
      true,
    ],
    ["an update that keeps the secret", draft(), "", false],
    ["plain http on loopback", draft({ url: "http://127.0.0.1:8080/hook?x=1" }), SECRET, true],
  ])("accepts %s", (_name, input, secret, required) => {
    expect(validateWebhook(input, secret, required)).toEqual([]);
  });

  it.each([
    ["no events", draft({ events: [] }), "events", /name at least one event: run.queued, /],
    [
      "an unknown event",
      draft({ events: ["run.finished", "run.exploded"] }),
      "events[1]",
      /unknown event run.exploded/,
    ],
    ["an unknown result", draft({ results: ["PASS", "MAYBE"] }), "results[1]", /unknown result MAYBE \(use PASS, FAIL/],
    ["a bad selector", draft({ testSelector: "tier in (a" }), "test_selector", /\d/],
    ["a bad name", draft({ name: "not ok" }), "name", /letters, digits/],
    ["a bad namespace", draft({ namespace: "Team_A" }), "namespace", /./],
    ["a relative URL", draft({ url: "/hook" }), "url", /is not an absolute URL/],
    ["an ftp URL", draft({ url: "ftp://example.com/x" }), "url", /must use http or https, not ftp/],
    ["credentials in the URL", draft({ url: "https://u:p@example.com/x" }), "url", /must not contain credentials/],
    ["a long URL", draft({ url: `https://example.com/${"a".repeat(2048)}` }), "url", /at most 2048/],
  ])("names the field for %s", (_name, input, path, message) => {
    const violations = validateWebhook(input, SECRET, true);
    expect(violations.map((v) => v.path)).toEqual([path]);
    expect(violations[0]?.message).toMatch(message);
  });

  it.each([
    ["missing on create", "", true, /is required when a webhook is created/],
    ["too short", "short", false, /at least 16 characters/],
    ["too long", "x".repeat(1025), true, /at most 1024 characters/],
  ])("refuses a secret %s", (_name, secret, required, message) => {
    const violations = validateWebhook(draft(), secret, required);
    expect(violations).toEqual([{ path: "secret", message: expect.stringMatching(message) }]);
  });

  it("reports every problem at once", () => {
    const paths = validateWebhook(draft({ url: "", events: ["nope"], results: ["NO"] }), "", true).map((v) => v.path);
    expect(paths).toEqual(["url", "events[0]", "results[0]", "secret"]);
  });
});

describe("validateWebhookUrl", () => {
  it("requires a URL", () => {
    expect(validateWebhookUrl("")).toBe("is required");
  });
});

describe("webhookSpecOf", () => {
  it("drops duplicates and trims the selector", () => {
    const spec = webhookSpecOf(
      draft({ events: ["run.finished", "run.finished"], results: ["FAIL", "FAIL"], testSelector: " a=b " }),
    );
    expect(spec).toMatchObject({ events: ["run.finished"], results: ["FAIL"], testSelector: "a=b" });
  });
});
