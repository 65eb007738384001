import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration.js";
import { catchError } from "./test-support.js";
import { ValidationError } from "./validation-error.js";

describe("parseDuration", () => {
  it.each([
    ["15s", 15_000],
    ["1m30s", 90_000],
    ["2h", 7_200_000],
    ["500ms", 500],
    ["1.5h", 5_400_000],
    [".5s", 500],
    ["1.s", 1_000],
    ["1h1h", 7_200_000],
    ["0", 0],
    ["-2m", -120_000],
    ["+3s", 3_000],
    ["1500us", 1.5],
    ["1500µs", 1.5],
    ["1500μs", 1.5],
    ["250ns", 0.00025],
    ["1.1s", 1_100],
    ["2562047h", 2_562_047 * 3_600_000],
  ])("%j is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ["", "expected a Go-style duration"],
    ["-", "expected"],
    ["abc", "expected"],
    ["10", "missing unit"],
    ["1m30", "missing unit"],
    ["5d", 'unknown unit "d"'],
    ["5 s", 'unknown unit " s"'],
    [".s", "expected"],
    ["1..5s", "missing unit"],
    ["2562048h", "too large"],
  ])("rejects %j", (text, message) => {
    const error = catchError(() => parseDuration(text, "run_config.timeout"), ValidationError);
    expect(error.violations[0]?.path).toBe("run_config.timeout");
    expect(error.message).toContain(message);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [500, "500ms"],
    [1_000, "1s"],
    [1_500, "1.5s"],
    [90_000, "1m30s"],
    [3_600_000, "1h"],
    [3_600_500, "1h0.5s"],
    [7 * 24 * 3_600_000, "168h"],
    [-120_000, "-2m"],
    [1.5, "1.5ms"],
    [0.5, "500us"],
    [0.000_25, "250ns"],
  ])("%d ms is %j", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("rejects non-finite numbers", () => {
    expect(() => formatDuration(Number.NaN)).toThrow(RangeError);
  });

  it("round-trips whole milliseconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: -9e12, max: 9e12 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});
