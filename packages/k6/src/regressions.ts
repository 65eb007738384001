import type { Finding, K6Summary } from "./types.js";

/** The numbers of a run that the regression check compares with the test's earlier runs. */
export interface RunStats {
  /** p(95) of http_req_duration, ms. */
  p95Ms?: number;
  /** http_req_failed rate, 0..1. */
  errorRate?: number;
  /** http_reqs per second. */
  throughput?: number;
}

/** Sensitivity of {@link detectRegressions}. */
export interface RegressionOptions {
  /** Fewest baseline runs with a value before that value is judged. Default 5. */
  minRuns?: number;
  /** How many (scaled) MADs from the baseline median a value must move. Default 3. */
  madThreshold?: number;
  /** Smallest move relative to the baseline median. Default 0.1 (10 %). */
  minRelativeChange?: number;
  /**
   * Smallest absolute move per statistic. Default `{ errorRate: 0.01 }`: against a baseline of 0 %
   * errors any failure is an infinite relative change, and one failed request in a thousand is not
   * a regression worth a finding.
   */
  minAbsoluteChange?: Partial<Record<keyof RunStats, number>>;
}

/** Findings, and notes on what could not be judged (too few baseline runs). */
export interface RegressionReport {
  findings: Finding[];
  notes: string[];
}

/** 1 / Φ⁻¹(3/4): makes the MAD estimate the standard deviation of normally distributed data. */
const MAD_SCALE = 1.4826;

const STATS: { key: keyof RunStats; code: string; label: string; worse: 1 | -1; recommendation: string }[] = [
  {
    key: "p95Ms",
    code: "P95_REGRESSION",
    label: "p(95) latency",
    worse: 1,
    recommendation:
      "Compare this run's changes (application version, configuration, data volume, infrastructure) with the " +
      "baseline's, and the latency series for where the slowdown starts; profile the slowest endpoints.",
  },
  {
    key: "errorRate",
    code: "ERROR_RATE_REGRESSION",
    label: "error rate",
    worse: 1,
    recommendation:
      "Group the new failures by status and URL and check what changed since the baseline runs " +
      "(deployments, dependencies, test data, rate limits).",
  },
  {
    key: "throughput",
    code: "THROUGHPUT_REGRESSION",
    label: "throughput",
    worse: -1,
    recommendation:
      "Check that the load profile (VUs, stages, sleeps) is unchanged, then look at latency and errors: " +
      "with the same VUs, fewer requests per second usually means slower responses.",
  },
];

/**
 * Compares a run with the test's baseline runs using robust statistics: for each of p95, error rate
 * and throughput, the baseline median and MAD (scaled by 1.4826). A finding needs the value to move
 * in the bad direction (p95 up, errors up, throughput down) by more than `madThreshold` MADs AND by
 * at least `minRelativeChange` of the median (and `minAbsoluteChange`). When the MAD is 0 (a perfectly
 * stable baseline) the relative change alone decides. Fewer than `minRuns` baseline values → no
 * finding for that statistic, and a note saying so. Critical when the move is 50 % of the median or more.
 */
export function detectRegressions(
  current: RunStats,
  baseline: RunStats[],
  options: RegressionOptions = {},
): RegressionReport {
  const minRuns = options.minRuns ?? 5;
  const madThreshold = options.madThreshold ?? 3;
  const minRelativeChange = options.minRelativeChange ?? 0.1;
  const minAbsolute = { errorRate: 0.01, ...options.minAbsoluteChange };
  const report: RegressionReport = { findings: [], notes: [] };
  for (const stat of STATS) {
    const value = current[stat.key];
    if (value === undefined || !Number.isFinite(value)) continue;
    const history = baseline.map((r) => r[stat.key]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (history.length < minRuns) {
      report.notes.push(`${stat.key}: ${history.length} baseline run(s) with a value, ${minRuns} needed; not judged`);
      continue;
    }
    const median = medianOf(history);
    const mad = MAD_SCALE * medianOf(history.map((v) => Math.abs(v - median)));
    const worsening = (value - median) * stat.worse;
    if (worsening <= 0 || worsening < (minAbsolute[stat.key] ?? 0)) continue;
    const relativeChange = median === 0 ? Number.POSITIVE_INFINITY : worsening / Math.abs(median);
    if (relativeChange < minRelativeChange) continue;
    if (mad > 0 && worsening <= madThreshold * mad) continue;
    report.findings.push({
      kind: "regression",
      code: stat.code,
      severity: relativeChange >= 0.5 ? "critical" : "warning",
      message:
        `${stat.label} ${stat.worse > 0 ? "rose" : "fell"} to ${round(value)} from a baseline median of ${round(median)} ` +
        `(${Number.isFinite(relativeChange) ? `${(relativeChange * 100).toFixed(0)} %` : "from zero"} worse` +
        `${mad > 0 ? `, ${(worsening / mad).toFixed(1)} MADs` : ""}, ${history.length} baseline runs)`,
      evidence: {
        current: value,
        baselineMedian: median,
        baselineMad: mad,
        baselineRuns: history.length,
        ...(Number.isFinite(relativeChange) ? { relativeChange } : {}),
        ...(mad > 0 ? { madsFromMedian: worsening / mad } : {}),
      },
      recommendation: stat.recommendation,
    });
  }
  return report;
}

/** The statistics {@link detectRegressions} compares, read from a run's summary. */
export function runStatsOf(summary: K6Summary): RunStats {
  const value = (metric: string, key: string) => summary.metrics.find((m) => m.name === metric)?.values[key];
  const stats: RunStats = {};
  const p95 = value("http_req_duration", "p(95)");
  const errorRate = value("http_req_failed", "rate");
  const throughput = value("http_reqs", "rate");
  if (p95 !== undefined) stats.p95Ms = p95;
  if (errorRate !== undefined) stats.errorRate = errorRate;
  if (throughput !== undefined) stats.throughput = throughput;
  return stats;
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const round = (v: number) => Number(v.toPrecision(4));
