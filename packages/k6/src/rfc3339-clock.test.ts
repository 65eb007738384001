import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRfc3339Clock } from "./rfc3339-clock.js";

/** `ms` written as k6 does: local time at `offsetMinutes` east of UTC, with `digits` fraction digits. */
function k6Time(ms: number, offsetMinutes: number, digits: number, nanos: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const fraction = digits === 0 ? "" : `.${String(nanos).padStart(9, "0").slice(0, digits)}`;
  if (offsetMinutes === 0 && digits % 2 === 0) return `${local}${fraction}Z`;
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${local}${fraction}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

describe("createRfc3339Clock", () => {
  const time = fc.record({
    second: fc.integer({ min: 0, max: 4_102_444_800 }).map((s) => s * 1000),
    offset: fc.integer({ min: -14 * 60, max: 14 * 60 }),
    digits: fc.integer({ min: 0, max: 9 }),
    nanos: fc.integer({ min: 0, max: 999_999_999 }),
  });

  it("agrees with Date.parse on any instant, zone and fraction length, in any order", () => {
    const clock = createRfc3339Clock();
    fc.assert(
      fc.property(fc.array(time, { minLength: 1, maxLength: 20 }), (times) => {
        for (const t of times) {
          const text = k6Time(t.second, t.offset, t.digits, t.nanos);
          const ms = clock(text);
          expect(Math.floor(ms)).toBe(Date.parse(text)); // Date.parse keeps whole milliseconds
          expect(Math.floor(ms / 1000)).toBe(Math.floor(Date.parse(text) / 1000));
        }
      }),
    );
  });

  it("does not reuse a cached second across zones with the same local time", () => {
    const clock = createRfc3339Clock();
    expect(clock("2024-08-22T01:13:59.5-03:00")).toBe(Date.UTC(2024, 7, 22, 4, 13, 59, 500));
    expect(clock("2024-08-22T01:13:59.25Z")).toBe(Date.UTC(2024, 7, 22, 1, 13, 59, 250));
    expect(clock("2024-08-22T01:13:59.25+05:30")).toBe(Date.UTC(2024, 7, 21, 19, 43, 59, 250));
  });

  it.each([
    "",
    "yesterday",
    "2024-08-22 01:13:59",
    "2024-08-22T01:13:59",
    "2024-08-22T01:13:59.Z",
    "2024-13-22T01:13:59Z",
    "2024-08-22T01:13:59+0300",
    "2024-08-22T01:1x:59Z",
  ])("reads %j as NaN", (text) => {
    expect(createRfc3339Clock()(text)).toBeNaN();
  });
});
