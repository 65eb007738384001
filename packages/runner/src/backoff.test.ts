import { describe, expect, it } from "vitest";
import { createBackoff } from "./backoff.js";

describe("backoff", () => {
  it("grows exponentially up to the cap, with every delay between half and all of its step", () => {
    const low = createBackoff({ initialMs: 100, maxMs: 5_000, random: () => 0 });
    const high = createBackoff({ initialMs: 100, maxMs: 5_000, random: () => 1 });
    const take = (b: ReturnType<typeof createBackoff>) => Array.from({ length: 9 }, () => b.next());
    expect(take(high)).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    expect(take(low)).toEqual([50, 100, 200, 400, 800, 1600, 2500, 2500, 2500]);
  });

  it("starts over after reset", () => {
    const backoff = createBackoff({ initialMs: 100, random: () => 1 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it("never returns zero, so a retry loop cannot spin", () => {
    const backoff = createBackoff({ random: () => 0 });
    expect(backoff.next()).toBeGreaterThan(0);
  });
});
