import { describe, expect, it } from "vitest";
import { DEFAULT_WEBHOOK_RETRY, nextWebhookAttempt, webhookRetryDelayMs } from "./webhook-retry.js";

const POLICY = { baseMs: 1_000, capMs: 60_000, maxAgeMs: 3_600_000 };

describe("webhookRetryDelayMs", () => {
  it.each([
    // failed attempts, random, delay
    [1, 0, 500],
    [1, 0.999_999, 1_000],
    [2, 0, 1_000],
    [2, 0.5, 1_500],
    [3, 0, 2_000],
    [6, 0, 16_000],
    [7, 0, 30_000], // 64 s capped at 60 s
    [7, 0.999_999, 60_000],
    [500, 0.5, 45_000], // no overflow however many attempts
    [0, 0, 500], // treated as the first
  ])("after %i failed attempts with random %d waits %i ms", (attempts, random, delay) => {
    expect(webhookRetryDelayMs(attempts, POLICY, random)).toBe(delay);
  });

  it("by default starts at about a second and ends at about ten minutes", () => {
    expect(webhookRetryDelayMs(1, DEFAULT_WEBHOOK_RETRY, 0.999_999)).toBe(1_000);
    expect(webhookRetryDelayMs(30, DEFAULT_WEBHOOK_RETRY, 0.999_999)).toBe(600_000);
  });
});

describe("nextWebhookAttempt", () => {
  const createdAt = new Date("2026-01-01T00:00:00Z");
  const at = (ms: number) => new Date(createdAt.getTime() + ms);

  it.each([
    ["early on", 10_000, 1, { retryAt: at(10_500) }],
    ["just inside the maximum age", 3_599_000, 2, { retryAt: at(3_600_000) }],
    ["past the maximum age", 3_599_001, 2, { giveUp: true }],
  ])("%s", (_name, elapsed, failedAttempts, decision) => {
    expect(nextWebhookAttempt({ createdAt, now: at(elapsed), failedAttempts, policy: POLICY, random: 0 })).toEqual(
      decision,
    );
  });
});
