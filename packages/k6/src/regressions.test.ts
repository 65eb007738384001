import { describe, expect, it } from "vitest";
import { detectRegressions, type RunStats, runStatsOf } from "./regressions.js";

const stable: RunStats[] = [200, 205, 198, 202, 201, 199, 203].map((p95Ms) => ({
  p95Ms,
  errorRate: 0.01,
  throughput: 100,
}));

describe("detectRegressions", () => {
  it("flags an outlier against a stable baseline", () => {
    const report = detectRegressions({ p95Ms: 260 }, stable);
    expect(report.notes).toEqual([]);
    expect(report.findings).toHaveLength(1);
    const [finding] = report.findings;
    expect(finding).toMatchObject({ kind: "regression", code: "P95_REGRESSION", severity: "warning" });
    expect(finding?.evidence).toMatchObject({ current: 260, baselineMedian: 201, baselineRuns: 7 });
    expect(finding?.evidence.baselineMad).toBeCloseTo(1.4826 * 2, 10);
    expect(finding?.evidence.relativeChange).toBeCloseTo(59 / 201, 10);
    expect(finding?.message).toContain("p(95) latency rose to 260 from a baseline median of 201");
  });

  it("does not flag the same relative move in a noisy series", () => {
    const noisy = [150, 260, 190, 240, 170, 230, 201].map((p95Ms) => ({ p95Ms }));
    expect(detectRegressions({ p95Ms: 260 }, noisy).findings).toEqual([]);
  });

  it("does not flag improvements", () => {
    expect(detectRegressions({ p95Ms: 120, errorRate: 0, throughput: 200 }, stable).findings).toEqual([]);
  });

  it("flags throughput drops and error rate rises, critical from a 50 % move", () => {
    const { findings } = detectRegressions({ p95Ms: 201, errorRate: 0.05, throughput: 60 }, stable);
    expect(findings.map((f) => [f.code, f.severity])).toEqual([
      ["ERROR_RATE_REGRESSION", "critical"],
      ["THROUGHPUT_REGRESSION", "warning"],
    ]);
    // MAD 0 (identical baseline values): the relative change alone decides.
    expect(findings[1]?.evidence).not.toHaveProperty("madsFromMedian");
  });

  it("needs a minimum relative change even on a perfectly stable baseline", () => {
    expect(detectRegressions({ throughput: 95 }, stable).findings).toEqual([]);
    expect(detectRegressions({ throughput: 95 }, stable, { minRelativeChange: 0.04 }).findings).toHaveLength(1);
  });

  it("ignores tiny error rates against an error-free baseline unless told otherwise", () => {
    const clean = stable.map((r) => ({ ...r, errorRate: 0 }));
    expect(detectRegressions({ errorRate: 0.001 }, clean).findings).toEqual([]);
    const [finding] = detectRegressions({ errorRate: 0.02 }, clean).findings;
    expect(finding?.message).toContain("from zero");
    expect(finding?.evidence).not.toHaveProperty("relativeChange");
    expect(
      detectRegressions({ errorRate: 0.001 }, clean, { minAbsoluteChange: { errorRate: 0 } }).findings,
    ).toHaveLength(1);
  });

  it("judges nothing with too few baseline runs, and says so", () => {
    const report = detectRegressions(
      { p95Ms: 900, errorRate: 0.5 },
      stable.slice(0, 4).map(({ p95Ms }) => ({ p95Ms })),
    );
    expect(report.findings).toEqual([]);
    expect(report.notes).toEqual([
      "p95Ms: 4 baseline run(s) with a value, 5 needed; not judged",
      "errorRate: 0 baseline run(s) with a value, 5 needed; not judged",
    ]);
    expect(detectRegressions({ p95Ms: 900 }, stable.slice(0, 4), { minRuns: 3 }).findings).toHaveLength(1);
  });
});

describe("runStatsOf", () => {
  it("reads p95, error rate and throughput from a summary", () => {
    expect(
      runStatsOf({
        metrics: [
          { name: "http_req_duration", type: "trend", values: { "p(95)": 250 } },
          { name: "http_req_failed", type: "rate", values: { rate: 0.02 } },
          { name: "http_reqs", type: "counter", values: { count: 1000, rate: 33.3 } },
        ],
        thresholds: [],
        checks: [],
      }),
    ).toEqual({ p95Ms: 250, errorRate: 0.02, throughput: 33.3 });
    expect(runStatsOf({ metrics: [], thresholds: [], checks: [] })).toEqual({});
  });
});
