import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, shouldRetry } from "./retry-policy.js";

describe("shouldRetry", () => {
  const policy = { maxAttempts: 3, on: ["RUNNER_LOST", "ERROR"] as const, backoffMs: 0 };

  it.each([
    [1, "RUNNER_LOST", true],
    [2, "ERROR", true],
    [3, "ERROR", false],
    [1, "FAIL", false],
  ] as const)("attempt %i ended by %s: %s", (attempt, cause, expected) => {
    expect(shouldRetry({ ...policy, on: [...policy.on] }, attempt, cause)).toBe(expected);
  });

  it("does not retry by default", () => {
    expect(shouldRetry(DEFAULT_RETRY, 1, "RUNNER_LOST")).toBe(false);
    expect(Object.isFrozen(DEFAULT_RETRY.on)).toBe(true);
  });
});
