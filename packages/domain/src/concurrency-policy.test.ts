import { describe, expect, it } from "vitest";
import { decideConcurrency } from "./concurrency-policy.js";

describe("decideConcurrency", () => {
  it("queues whenever nothing is active, whatever the policy", () => {
    for (const policy of ["allow", "forbid", "replace"] as const) {
      expect(decideConcurrency(policy, [])).toEqual({ action: "queue", cancel: [] });
    }
  });

  it("allow queues beside active runs", () => {
    expect(decideConcurrency("allow", ["a", "b"])).toEqual({ action: "queue", cancel: [] });
  });

  it("forbid skips and names the active runs", () => {
    const decision = decideConcurrency("forbid", ["r1"]);
    expect(decision.action).toBe("skip");
    expect(decision.action === "skip" && decision.reason).toContain("r1");
  });

  it("forbid names at most three runs", () => {
    const decision = decideConcurrency("forbid", ["a", "b", "c", "d", "e"]);
    expect(decision.action === "skip" && decision.reason).toContain("a, b, c and 2 more");
  });

  it("replace cancels every active run", () => {
    expect(decideConcurrency("replace", ["a", "b"])).toEqual({ action: "replace", cancel: ["a", "b"] });
  });
});
