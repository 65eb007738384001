import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type GroupedRun, summarizeRunCounts, summarizeRunGroup } from "./run-group-summary.js";
import { RUN_RESULTS, RUN_STATUSES } from "./run-state.js";

const pass: GroupedRun = { status: "FINISHED", result: "PASS" };
const fail: GroupedRun = { status: "FINISHED", result: "FAIL" };
const queued: GroupedRun = { status: "QUEUED" };
const running: GroupedRun = { status: "RUNNING" };

describe("summarizeRunGroup", () => {
  it.each([
    [
      "empty group",
      [],
      { total: 0, passed: 0, failed: 0, pending: 0, finished: true, allPassed: false, status: "FAILED" },
    ],
    [
      "all pending",
      [queued, running],
      { total: 2, passed: 0, failed: 0, pending: 2, finished: false, allPassed: false, status: "RUNNING" },
    ],
    [
      "a failure while others run",
      [fail, running],
      { total: 2, passed: 0, failed: 1, pending: 1, finished: false, allPassed: false, status: "RUNNING" },
    ],
    [
      "all passed",
      [pass, pass, pass],
      { total: 3, passed: 3, failed: 0, pending: 0, finished: true, allPassed: true, status: "PASSED" },
    ],
    [
      "finished with one failure",
      [pass, fail, pass],
      { total: 3, passed: 2, failed: 1, pending: 0, finished: true, allPassed: false, status: "FAILED" },
    ],
  ] as const)("%s", (_name, runs, expected) => {
    expect(summarizeRunGroup(runs)).toEqual(expected);
  });

  it.each(["FAIL", "ERROR", "CANCELLED", "TIMED_OUT"] as const)("counts a finished %s as failed", (result) => {
    expect(summarizeRunGroup([pass, { status: "FINISHED", result }])).toMatchObject({ failed: 1, status: "FAILED" });
  });

  it("counts a FINISHED run without a result as failed, never as passed", () => {
    expect(summarizeRunGroup([{ status: "FINISHED" }])).toMatchObject({ passed: 0, failed: 1, status: "FAILED" });
  });

  it("counts cancelling runs as pending: they have not ended yet", () => {
    expect(summarizeRunGroup([pass, { status: "CANCELLING" }])).toMatchObject({ pending: 1, status: "RUNNING" });
  });

  it("agrees with the counts it is made of, for any group", () => {
    const run = fc.record({
      status: fc.constantFrom(...RUN_STATUSES),
      result: fc.option(fc.constantFrom(...RUN_RESULTS), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(run, { maxLength: 30 }), (runs) => {
        const s = summarizeRunGroup(runs);
        expect(s.total).toBe(runs.length);
        expect(s.passed + s.failed + s.pending).toBe(s.total);
        expect(s.pending).toBe(runs.filter((r) => r.status !== "FINISHED").length);
        expect(s.status === "RUNNING").toBe(s.pending > 0);
        expect(s.status === "PASSED").toBe(s.allPassed);
        expect(s.allPassed).toBe(runs.length > 0 && runs.every((r) => r.status === "FINISHED" && r.result === "PASS"));
        expect(summarizeRunCounts(s)).toEqual(s);
      }),
    );
  });
});

describe("summarizeRunCounts", () => {
  it("derives pending and status from aggregated counts", () => {
    expect(summarizeRunCounts({ total: 5, passed: 2, failed: 1 })).toMatchObject({ pending: 2, status: "RUNNING" });
  });

  it.each([
    [{ total: 1, passed: 1, failed: 1 }, "exceeds total"],
    [{ total: -1, passed: 0, failed: 0 }, "total must be a count"],
    [{ total: 2, passed: 0.5, failed: 0 }, "passed must be a count"],
  ])("refuses contradictory counts %o", (counts, message) => {
    expect(() => summarizeRunCounts(counts)).toThrow(message);
  });
});
