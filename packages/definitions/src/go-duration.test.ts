import { describe, expect, it } from "vitest";
import { convertDuration, formatProtoDuration, parseGoDuration } from "./go-duration.js";

describe("parseGoDuration", () => {
  it.each([
    ["0", 0n],
    ["90s", 90_000_000_000n],
    ["1m30s", 90_000_000_000n],
    ["2h", 7_200_000_000_000n],
    ["500ms", 500_000_000n],
    ["1.5s", 1_500_000_000n],
    [".5s", 500_000_000n],
    ["1h2m3.004005006s", 3_723_004_005_006n],
    ["250us", 250_000n],
    ["250µs", 250_000n],
    ["-3s", -3_000_000_000n],
    [" 15s ", 15_000_000_000n],
  ])("parses %j", (text, nanos) => {
    expect(parseGoDuration(text)).toBe(nanos);
  });

  it.each(["", "5", "5 parsecs", "1d", "s", "1m30", "1.s.", "-", "1h 30m"])("refuses %j", (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe("formatProtoDuration", () => {
  it.each([
    [0n, "0s"],
    [90_000_000_000n, "90s"],
    [1_500_000_000n, "1.500s"],
    [1_000_001n, "0.001000001s"],
    [250_000n, "0.000250s"],
    [-2_000_000_000n, "-2s"],
  ])("formats %s", (nanos, json) => {
    expect(formatProtoDuration(nanos)).toBe(json);
  });
});

describe("convertDuration", () => {
  it("converts Go durations to proto JSON seconds", () => {
    expect(convertDuration("1m30s")).toEqual({ ok: true, json: "90s", nanos: 90_000_000_000n });
  });

  it("explains what is wrong", () => {
    expect(convertDuration("5 parsecs")).toEqual({ ok: false, message: 'invalid duration "5 parsecs"' });
    expect(convertDuration(30)).toEqual({ ok: false, message: 'invalid duration 30: add a unit, e.g. "30s"' });
    expect(convertDuration("-1s")).toMatchObject({ ok: false, message: expect.stringContaining("negative") });
    expect(convertDuration("99999999999h")).toMatchObject({ ok: false, message: expect.stringContaining("range") });
    expect(convertDuration(["1s"])).toMatchObject({ ok: false });
  });
});
