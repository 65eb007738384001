import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8Length } from "../utf8-length.js";
import { MAX_RESULT_TEXT_BYTES, markTruncated, TRUNCATION_SUFFIX, truncateUtf8 } from "./truncate-text.js";

describe("truncateUtf8", () => {
  it("returns text that fits unchanged", () => {
    expect(truncateUtf8("hello", 5)).toBe("hello");
    const exact = "x".repeat(MAX_RESULT_TEXT_BYTES);
    expect(truncateUtf8(exact)).toBe(exact);
  });

  it("cuts by UTF-8 bytes and marks the cut", () => {
    const cut = truncateUtf8("x".repeat(MAX_RESULT_TEXT_BYTES + 1));
    expect(cut.endsWith(TRUNCATION_SUFFIX)).toBe(true);
    expect(utf8Length(cut)).toBe(MAX_RESULT_TEXT_BYTES);
    expect(truncateUtf8("é".repeat(20), 9 + utf8Length(TRUNCATION_SUFFIX))).toBe(`éééé${TRUNCATION_SUFFIX}`);
  });

  it("never splits a surrogate pair", () => {
    const budget = 5 + utf8Length(TRUNCATION_SUFFIX);
    expect(truncateUtf8(`a${"😀".repeat(10)}`, budget)).toBe(`a😀${TRUNCATION_SUFFIX}`);
    expect(truncateUtf8(`a${"😀".repeat(10)}`, budget + 2)).toBe(`a😀${TRUNCATION_SUFFIX}`);
    expect(truncateUtf8(`ab${"😀".repeat(10)}`, budget)).toBe(`ab${TRUNCATION_SUFFIX}`);
  });

  it("always fits the budget and keeps a prefix of the input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 80 }), fc.integer({ min: 20, max: 200 }), (text, max) => {
        const out = truncateUtf8(text, max);
        expect(utf8Length(out)).toBeLessThanOrEqual(max);
        if (out !== text) expect(text.startsWith(out.slice(0, -TRUNCATION_SUFFIX.length))).toBe(true);
      }),
    );
  });
});

describe("markTruncated", () => {
  it("marks text even when it already fits", () => {
    expect(markTruncated("abc")).toBe(`abc${TRUNCATION_SUFFIX}`);
  });
});
