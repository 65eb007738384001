import { describe, expect, it } from "vitest";
import { nextFireTimes } from "./cron.js";
import { planDueTick } from "./cron-plan.js";

const at = (iso: string) => new Date(iso);
const iso = (d: Date | undefined) => d?.toISOString();

describe("planDueTick", () => {
  const everySecond = { cron: "* * * * * *", timezone: "UTC" };
  const everyMinute = { cron: "* * * * *", timezone: "UTC" };

  it("fires an on-time tick as itself and moves to the next tick", () => {
    const plan = planDueTick(everyMinute, at("2026-01-01T10:00:00Z"), at("2026-01-01T10:00:00.050Z"));
    expect(iso(plan.fireAt)).toBe("2026-01-01T10:00:00.000Z");
    expect(iso(plan.nextRunAt)).toBe("2026-01-01T10:01:00.000Z");
    expect(plan.collapsed).toBe(false);
  });

  it("catches up tick by tick when a little behind, so no tick is lost", () => {
    const now = at("2026-01-01T10:00:03.400Z");
    const fired: string[] = [];
    let due: Date | undefined = at("2026-01-01T10:00:00Z");
    while (due && due <= now) {
      const plan = planDueTick(everySecond, due, now);
      fired.push(plan.fireAt.toISOString().slice(17, 19));
      due = plan.nextRunAt;
    }
    expect(fired).toEqual(["00", "01", "02", "03"]);
    expect(iso(due)).toBe("2026-01-01T10:00:04.000Z");
  });

  it("collapses an hour of missed ticks into one run for the latest tick", () => {
    const plan = planDueTick(everyMinute, at("2026-01-01T09:00:00Z"), at("2026-01-01T10:00:30Z"));
    expect(iso(plan.fireAt)).toBe("2026-01-01T10:00:00.000Z");
    expect(iso(plan.nextRunAt)).toBe("2026-01-01T10:01:00.000Z");
    expect(plan.collapsed).toBe(true);
  });

  it("collapses a single missed daily tick into a run for that tick", () => {
    const daily = { cron: "0 6 * * *", timezone: "UTC" };
    const plan = planDueTick(daily, at("2026-01-01T06:00:00Z"), at("2026-01-01T07:00:00Z"));
    expect(iso(plan.fireAt)).toBe("2026-01-01T06:00:00.000Z");
    expect(plan.collapsed).toBe(false);
    expect(iso(plan.nextRunAt)).toBe("2026-01-02T06:00:00.000Z");
  });

  it("never plans a next run at or before now after a collapse", () => {
    const now = at("2026-03-01T00:00:00.500Z");
    const plan = planDueTick(everySecond, at("2026-02-01T00:00:00Z"), now);
    expect(plan.nextRunAt!.getTime()).toBeGreaterThan(now.getTime());
    expect(plan.collapsed).toBe(true);
  });

  it("respects the grace window it is given", () => {
    const due = at("2026-01-01T10:00:00Z");
    const now = at("2026-01-01T10:00:02.500Z");
    expect(planDueTick(everySecond, due, now, 5_000).collapsed).toBe(false);
    expect(iso(planDueTick(everySecond, due, now, 1_000).fireAt)).toBe("2026-01-01T10:00:02.000Z");
  });
});

describe("cron fire times across time zones and daylight saving", () => {
  it("evaluates a schedule in its own time zone", () => {
    const nine = nextFireTimes("0 9 * * *", "America/New_York", at("2026-07-01T00:00:00Z"), 1);
    expect(iso(nine[0])).toBe("2026-07-01T13:00:00.000Z");
    const winter = nextFireTimes("0 9 * * *", "America/New_York", at("2026-12-01T00:00:00Z"), 1);
    expect(iso(winter[0])).toBe("2026-12-01T14:00:00.000Z");
  });

  it("fires a job in the spring-forward gap once, at the end of the gap", () => {
    // Europe/Berlin skips 02:00-03:00 local on 2026-03-29.
    const times = nextFireTimes("30 2 * * *", "Europe/Berlin", at("2026-03-28T00:00:00Z"), 3).map(iso);
    expect(times).toEqual(["2026-03-28T01:30:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"]);
  });

  it("fires a job in the repeated autumn hour once", () => {
    // 02:30 local happens twice on 2026-10-25 in Europe/Berlin (CEST, then CET).
    const times = nextFireTimes("30 2 * * *", "Europe/Berlin", at("2026-10-24T12:00:00Z"), 2).map(iso);
    expect(times).toHaveLength(2);
    expect(times[0]?.startsWith("2026-10-25T0")).toBe(true);
    expect(times[1]).toBe("2026-10-26T01:30:00.000Z");
  });

  it("keeps hourly jobs hourly through the autumn change", () => {
    const times = nextFireTimes("0 * * * *", "Europe/Berlin", at("2026-10-24T23:30:00Z"), 3).map(iso);
    expect(times).toEqual(["2026-10-25T00:00:00.000Z", "2026-10-25T01:00:00.000Z", "2026-10-25T02:00:00.000Z"]);
  });

  it("catches up across a daylight-saving change without duplicating the tick", () => {
    const plan = planDueTick(
      { cron: "30 2 * * *", timezone: "Europe/Berlin" },
      at("2026-03-29T01:00:00Z"),
      at("2026-03-29T01:00:01Z"),
    );
    expect(iso(plan.fireAt)).toBe("2026-03-29T01:00:00.000Z");
    expect(iso(plan.nextRunAt)).toBe("2026-03-30T00:30:00.000Z");
  });
});
