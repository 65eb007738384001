import { describe, expect, it } from "vitest";
import { nextFireTimes, validateCron, validateTimezone } from "./cron.js";
import { catchError } from "./test-support.js";
import { ValidationError } from "./validation-error.js";

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe("validateTimezone", () => {
  it.each(["UTC", "America/Toronto", "Europe/Berlin", "Etc/GMT+5", ""])("accepts %j", (zone) => {
    expect(validateTimezone(zone)).toBeUndefined();
  });

  it.each(["Mars/Olympus_Mons", "Not a zone", "UTC+99"])("rejects %j", (zone) => {
    expect(validateTimezone(zone)).toMatch(/unknown time zone/);
  });
});

describe("validateCron", () => {
  it.each([
    "* * * * *",
    "*/5 * * * *",
    "0 9 * * MON-FRI",
    "30 0 9 * * *",
    "0 0 L * *",
    "@hourly",
    "@daily",
    "@weekly",
    "@monthly",
    "@yearly",
    "@annually",
    "@midnight",
    " 0 0 * * * ",
  ])("accepts %j", (expression) => {
    expect(validateCron(expression, "UTC")).toBeUndefined();
  });

  it.each([
    ["", /required/],
    ["* * * *", /five, six, or seven/],
    ["0 0 0 * * * 2030", /5 or 6 parts/],
    ["60 * * * *", /minute/],
    ["* * * * * * *", /5 or 6 parts/],
    ["foo", /parts/],
    ["@reboot", /unknown nickname/],
    ["@every 5m", /unknown nickname/],
    ["0 0 30 2 *", /never fires/],
    ["*".repeat(300), /at most 256/],
  ])("rejects %j", (expression, message) => {
    expect(validateCron(expression, "UTC")).toMatch(message);
  });

  it("rejects an invalid zone before looking at the expression", () => {
    expect(validateCron("* * * * *", "Mars/Base")).toMatch(/unknown time zone "Mars\/Base"/);
  });
});

describe("nextFireTimes", () => {
  it("returns times strictly after the given instant", () => {
    const after = new Date("2025-01-01T07:00:00Z");
    expect(iso(nextFireTimes("@hourly", "UTC", after, 2))).toEqual([
      "2025-01-01T08:00:00.000Z",
      "2025-01-01T09:00:00.000Z",
    ]);
    expect(iso(nextFireTimes("30 0 * * * *", "", after, 1))).toEqual(["2025-01-01T07:00:30.000Z"]);
    expect(nextFireTimes("* * * * *", "UTC", after, 0)).toEqual([]);
  });

  it("fires a daily job in the spring-forward gap once, after the gap (America/Toronto)", () => {
    // 2025-03-09 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist that day.
    const times = nextFireTimes("30 2 * * *", "America/Toronto", new Date("2025-03-08T12:00:00Z"), 3);
    expect(iso(times)).toEqual(["2025-03-09T07:00:00.000Z", "2025-03-10T06:30:00.000Z", "2025-03-11T06:30:00.000Z"]);
  });

  it("fires a daily job in the repeated autumn hour once (America/Toronto)", () => {
    // 2025-11-02 01:00–02:00 happens twice; the job runs at the first 01:30 (EDT) only.
    const times = nextFireTimes("30 1 * * *", "America/Toronto", new Date("2025-11-01T12:00:00Z"), 2);
    expect(iso(times)).toEqual(["2025-11-02T05:30:00.000Z", "2025-11-03T06:30:00.000Z"]);
  });

  it("keeps interval jobs on real time across the gap", () => {
    const times = nextFireTimes("*/30 * * * *", "America/Toronto", new Date("2025-03-09T06:10:00Z"), 3);
    expect(iso(times)).toEqual(["2025-03-09T06:30:00.000Z", "2025-03-09T07:00:00.000Z", "2025-03-09T07:30:00.000Z"]);
  });

  it("throws a ValidationError naming the bad field", () => {
    const after = new Date(0);
    expect(() => nextFireTimes("nope", "UTC", after, 1)).toThrow(ValidationError);
    const error = catchError(() => nextFireTimes("* * * * *", "Mars/Base", after, 1), ValidationError);
    expect(error.violations).toEqual([{ path: "timezone", message: expect.stringMatching(/Mars/) }]);
    expect(() => nextFireTimes("* * * * *", "UTC", after, 1.5)).toThrow(RangeError);
    expect(() => nextFireTimes("* * * * *", "UTC", after, 1001)).toThrow(RangeError);
  });
});
