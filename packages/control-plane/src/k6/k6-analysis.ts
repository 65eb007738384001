import type { K6BaselineQuery, K6ReportStats, K6ReportsRepository } from "@tstr/db";
import { detectAnomalies, detectRegressions, type Finding, type K6Summary, type RunStats, runStatsOf } from "@tstr/k6";

/** How many earlier passing runs a run's regressions are judged against, by default. */
export const DEFAULT_BASELINE_RUNS = 20;

/** The numbers a report stores for searches and baselines (p95, error rate, requests per second). */
export function reportStatsOf(summary: K6Summary): K6ReportStats {
  const { p95Ms, errorRate, throughput } = runStatsOf(summary);
  return {
    ...(p95Ms === undefined ? {} : { p95Ms }),
    ...(errorRate === undefined ? {} : { errorRate }),
    ...(throughput === undefined ? {} : { rps: throughput }),
  };
}

/** Which earlier runs a summary is compared with: the same test and label set, this run excluded. */
export type K6BaselineScope = Omit<K6BaselineQuery, "limit">;

/**
 * Findings of a k6 summary: the rule-based anomalies, and regressions against the baseline (the
 * newest `baselineRuns` passing k6 runs of the same test and label set, excluding this one).
 */
export function createK6Analysis(deps: { reports: K6ReportsRepository; baselineRuns: number }) {
  return async (summary: K6Summary, scope: K6BaselineScope): Promise<Finding[]> => {
    const baseline = await deps.reports.baselineStats({ ...scope, limit: deps.baselineRuns });
    const regressions = detectRegressions(runStatsOf(summary), baseline.map(runStatsFrom));
    return [...detectAnomalies(summary), ...regressions.findings];
  };
}

export type K6Analysis = ReturnType<typeof createK6Analysis>;

function runStatsFrom(stats: K6ReportStats): RunStats {
  return {
    ...(stats.p95Ms === undefined ? {} : { p95Ms: stats.p95Ms }),
    ...(stats.errorRate === undefined ? {} : { errorRate: stats.errorRate }),
    ...(stats.rps === undefined ? {} : { throughput: stats.rps }),
  };
}
