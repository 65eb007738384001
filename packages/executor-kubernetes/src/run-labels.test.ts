import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { labelValue, runKeyFor, runLabels } from "./run-labels.js";

const VALID_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

describe("labelValue", () => {
  it("keeps valid values and sanitises the rest with a hash of the original", () => {
    expect(labelValue("checkout")).toBe("checkout");
    expect(labelValue("checkout flow/v2")).toMatch(/^checkout_flow_v2-[0-9a-f]{8}$/);
    expect(labelValue("-x-")).toMatch(/^x-[0-9a-f]{8}$/);
    expect(labelValue("a".repeat(80))).toHaveLength(63);
  });

  it("always yields a valid label value, and different inputs different values (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), fc.string({ maxLength: 100 }), (a, b) => {
        expect(labelValue(a)).toMatch(VALID_VALUE);
        expect(labelValue(a).length).toBeLessThanOrEqual(63);
        if (a !== b) expect(labelValue(a)).not.toBe(labelValue(b));
      }),
    );
  });
});

describe("runLabels", () => {
  it("gives the well-known run labels their own keys and prefixes the run's labels", () => {
    const spec = {
      runId: "R-1",
      attempt: 3,
      labels: { "run-id": "R-1", test: "smoke", namespace: "qa", "app.kubernetes.io/name": "shop", tier: "web" },
    };
    expect(runLabels(spec as never, "runner a", "tstr-r-1-a3-abcdef")).toEqual({
      "app.kubernetes.io/managed-by": "tstr",
      "tstr.dev/runner-id": expect.stringMatching(/^runner_a-[0-9a-f]{8}$/),
      "tstr.dev/run-id": "R-1",
      "tstr.dev/attempt": "3",
      "tstr.dev/run-key": "tstr-r-1-a3-abcdef",
      "tstr.dev/test": "smoke",
      "tstr.dev/namespace": "qa",
      "label.tstr.dev/app.kubernetes.io.name": "shop",
      "label.tstr.dev/tier": "web",
    });
  });
});

describe("runKeyFor", () => {
  it("is a DNS label short enough for pod names", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: 1, max: 999 }), (runId, attempt) => {
        const key = runKeyFor({ runId, attempt } as never, "abcdef");
        expect(key).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        expect(key.length).toBeLessThanOrEqual(52);
      }),
    );
  });
});
