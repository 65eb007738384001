import { describe, expect, it } from "vitest";
import type { RunResult } from "./run-state.js";
import { nextTestHealth, type TestHealth } from "./webhook-health.js";

describe("nextTestHealth", () => {
  it.each<[TestHealth | undefined, RunResult, TestHealth | undefined, string | undefined]>([
    [undefined, "PASS", "PASSING", undefined],
    [undefined, "FAIL", "FAILING", "test.became_failing"],
    [undefined, "ERROR", "FAILING", "test.became_failing"],
    [undefined, "TIMED_OUT", "FAILING", "test.became_failing"],
    [undefined, "CANCELLED", undefined, undefined],
    ["PASSING", "PASS", "PASSING", undefined],
    ["PASSING", "FAIL", "FAILING", "test.became_failing"],
    ["PASSING", "ERROR", "FAILING", "test.became_failing"],
    ["PASSING", "TIMED_OUT", "FAILING", "test.became_failing"],
    ["PASSING", "CANCELLED", "PASSING", undefined],
    ["FAILING", "FAIL", "FAILING", undefined],
    ["FAILING", "ERROR", "FAILING", undefined],
    ["FAILING", "TIMED_OUT", "FAILING", undefined],
    ["FAILING", "PASS", "PASSING", "test.became_passing"],
    ["FAILING", "CANCELLED", "FAILING", undefined],
  ])("%s + %s → %s, event %s", (previous, result, health, became) => {
    expect(nextTestHealth(previous, result)).toEqual({ health, ...(became ? { became } : {}) });
  });

  it("sends one event per change over a sequence, none for repeats", () => {
    let health: TestHealth | undefined;
    const events: string[] = [];
    for (const result of ["PASS", "FAIL", "FAIL", "CANCELLED", "ERROR", "PASS", "PASS", "FAIL"] as RunResult[]) {
      const step = nextTestHealth(health, result);
      health = step.health;
      if (step.became) events.push(`${result}:${step.became}`);
    }
    expect(events).toEqual(["FAIL:test.became_failing", "PASS:test.became_passing", "FAIL:test.became_failing"]);
  });
});
