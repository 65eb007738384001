import { describe, expect, it } from "vitest";
import { compileAnchoredRegex, InvalidRegexError, MAX_REGEX_LENGTH, validateRegex } from "./anchored-regex.js";

describe("compileAnchoredRegex", () => {
  it.each([
    ["linux", "linux", true],
    ["linux", "linux2", false],
    ["lin", "linux", false],
    ["a|ab", "ab", true],
    ["a$", "a\n", false],
    ["prod-.*", "prod-eu", true],
    ["(?i)PROD", "prod", true],
    ["", "", true],
    ["", "x", false],
    ["\\d{1,3}", "123", true],
  ])("%j against %j is %s", (pattern, value, expected) => {
    expect(compileAnchoredRegex(pattern).test(value)).toBe(expected);
  });

  it.each([
    ["(", /missing closing \)/],
    ["a)|(b", /unexpected \)/],
    ["[", /missing closing ]/],
    ["\\", /trailing backslash/],
    ["(?<=a)b", /invalid/],
    ["x".repeat(MAX_REGEX_LENGTH + 1), /longer than 1024/],
    ["a{600}b{600}", /repeats more than 1000/],
    ["((a{10}){10}){11}", /invalid repeat count/],
    ["(?:[\\pL\\pN]?){900}", /too complex/],
  ])("rejects %j", (pattern, message) => {
    expect(() => compileAnchoredRegex(pattern)).toThrow(InvalidRegexError);
    expect(validateRegex(pattern)).toMatch(message);
  });

  it("evaluates a catastrophic-backtracking pattern in linear time", () => {
    const regex = compileAnchoredRegex("(a+)+$");
    const started = performance.now();
    expect(regex.test(`${"a".repeat(50_000)}b`)).toBe(false);
    expect(regex.test("a".repeat(50_000))).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
