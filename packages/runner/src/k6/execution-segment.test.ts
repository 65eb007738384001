import { describe, expect, it } from "vitest";
import { executionSegmentFlags } from "./execution-segment.js";

describe("executionSegmentFlags", () => {
  it.each([
    [0, 1, "0:1", "0,1"],
    [0, 2, "0:1/2", "0,1/2,1"],
    [1, 2, "1/2:1", "0,1/2,1"],
    [0, 3, "0:1/3", "0,1/3,2/3,1"],
    [1, 3, "1/3:2/3", "0,1/3,2/3,1"],
    [2, 3, "2/3:1", "0,1/3,2/3,1"],
    [1, 4, "1/4:1/2", "0,1/4,1/2,3/4,1"],
    [3, 6, "1/2:2/3", "0,1/6,1/3,1/2,2/3,5/6,1"],
  ])("shard %i of %i is %s within %s", (index, count, segment, sequence) => {
    expect(executionSegmentFlags(index, count)).toEqual({ segment, sequence });
  });

  it("gives adjacent shards adjacent segments that cover 0 to 1 exactly once", () => {
    for (const count of [2, 5, 7, 12]) {
      const segments = Array.from({ length: count }, (_, i) => executionSegmentFlags(i, count).segment.split(":"));
      expect(segments[0]?.[0]).toBe("0");
      expect(segments.at(-1)?.[1]).toBe("1");
      for (let i = 1; i < count; i++) expect(segments[i]?.[0]).toBe(segments[i - 1]?.[1]);
      const value = (text = "") => {
        const [numerator, denominator = "1"] = text.split("/");
        return Number(numerator) / Number(denominator);
      };
      expect(segments.map(([from, to]) => value(to) - value(from))).toEqual(
        segments.map(() => expect.closeTo(1 / count, 12)),
      );
    }
  });

  it.each([
    [3, 3],
    [-1, 3],
    [0.5, 3],
    [0, 0],
  ])("refuses shard %s of %s", (index, count) => {
    expect(() => executionSegmentFlags(index, count)).toThrow(RangeError);
  });
});
