import type { K6Aggregate, MetricAggregate } from "./aggregate-types.js";
import { percentileKey } from "./quantiles.js";
import { decodeSparse, sparseQuantiles } from "./series-histogram.js";
import { parseThresholdExpression } from "./threshold-expression.js";
import { evaluateThresholds } from "./thresholds.js";
import { decodeTrendHistogram, trendQuantiles } from "./trend-histogram.js";
import type { K6Summary, MetricSummary, SeriesPoint } from "./types.js";

/** Percentiles every trend summary carries (k6's defaults plus p(99)); `med` is p(50). */
const TREND_PERCENTILES = [90, 95, 99];

/**
 * The summary of an aggregate (of one run or of merged shards): metrics that have samples or
 * thresholds (as k6 shows them), sorted by name, with each trend's `p(N)` also computed for any N
 * its thresholds use; checks; and thresholds evaluated on this data (see {@link evaluateThresholds}).
 */
export function summarizeAggregate(aggregate: K6Aggregate): K6Summary {
  const thresholdPercentiles = percentilesByMetric(aggregate.thresholdDefinitions);
  const withThresholds = Object.keys(aggregate.thresholdDefinitions);
  const metrics: MetricSummary[] = [];
  for (const name of Object.keys(aggregate.metrics).sort()) {
    const metric = aggregate.metrics[name] as MetricAggregate;
    const hasThresholds = withThresholds.some((m) => m === name || m.startsWith(`${name}{`));
    if (samplesOf(metric) === 0 && !hasThresholds) continue;
    metrics.push(metricSummaryOf(name, metric, aggregate.durationMs, thresholdPercentiles.get(name) ?? []));
  }
  return {
    metrics,
    thresholds: evaluateThresholds(aggregate.thresholdDefinitions, metrics),
    checks: aggregate.checks.map((c) => ({ ...c })),
    durationMs: aggregate.durationMs,
  };
}

/**
 * The per-second series of an aggregate: latency percentiles from each second's histogram, and
 * `vus` carried forward from the last second that had a sample (0 before the first).
 */
export function seriesOfAggregate(aggregate: K6Aggregate): SeriesPoint[] {
  let vus = 0;
  return aggregate.series.map((s, i) => {
    if (s.vus !== undefined) vus = s.vus;
    const point: SeriesPoint = {
      time: new Date(s.second * 1000),
      requests: s.requests,
      failedRequests: s.failedRequests,
      vus,
      dataSent: s.dataSent,
      dataReceived: s.dataReceived,
      checksPassed: s.checksPassed,
      checksFailed: s.checksFailed,
    };
    if (s.latency !== undefined) {
      const [p50, p90, p95, p99] = sparseQuantiles(
        decodeSparse(s.latency, `series[${i}].latency`),
        [0.5, 0.9, 0.95, 0.99],
      );
      Object.assign(point, { latencyP50: p50, latencyP90: p90, latencyP95: p95, latencyP99: p99 });
    }
    return point;
  });
}

/** How many samples a metric aggregate holds. */
export function samplesOf(metric: MetricAggregate): number {
  switch (metric.type) {
    case "trend":
      return metric.trend.count;
    case "rate":
      return metric.rate.passes + metric.rate.fails;
    case "counter":
      return metric.counter.samples;
    case "gauge":
      return metric.gauge.samples;
  }
}

function metricSummaryOf(
  name: string,
  metric: MetricAggregate,
  durationMs: number,
  extraPercentiles: number[],
): MetricSummary {
  const base = { name, type: metric.type, ...(metric.contains === undefined ? {} : { contains: metric.contains }) };
  switch (metric.type) {
    case "trend": {
      const { count, sum, min, max } = metric.trend;
      const percents = [...new Set([50, ...TREND_PERCENTILES, ...extraPercentiles])];
      const positive = decodeTrendHistogram(metric.trend.histogram, `metrics.${name}.trend.histogram`);
      const negative =
        metric.trend.negativeHistogram === undefined
          ? undefined
          : decodeTrendHistogram(metric.trend.negativeHistogram, `metrics.${name}.trend.negativeHistogram`);
      const at = trendQuantiles(
        positive,
        negative,
        percents.map((p) => p / 100),
        min,
        max,
      );
      const values: Record<string, number> = { avg: count > 0 ? sum / count : 0, min, med: at[0] ?? 0, max };
      percents.forEach((p, i) => {
        if (p !== 50 || extraPercentiles.includes(50)) values[percentileKey(p)] = at[i] ?? 0;
      });
      return { ...base, values };
    }
    case "rate": {
      const { passes, fails } = metric.rate;
      return { ...base, values: { rate: passes + fails > 0 ? passes / (passes + fails) : 0, passes, fails } };
    }
    case "counter": {
      const { sum } = metric.counter;
      return { ...base, values: { count: sum, rate: durationMs > 0 ? sum / (durationMs / 1000) : 0 } };
    }
    case "gauge": {
      const { value, min, max } = metric.gauge;
      return { ...base, values: { value, min, max } };
    }
  }
}

/** The percentiles each metric's thresholds read (`p(99.9)<…` → 99.9); unparsable expressions are skipped here. */
function percentilesByMetric(definitions: Record<string, string[]>): Map<string, number[]> {
  const result = new Map<string, number[]>();
  for (const [metric, expressions] of Object.entries(definitions)) {
    for (const expression of expressions) {
      try {
        const { percentile } = parseThresholdExpression(expression);
        if (percentile !== undefined) result.set(metric, [...(result.get(metric) ?? []), percentile]);
      } catch {
        // evaluateThresholds reports it.
      }
    }
  }
  return result;
}
