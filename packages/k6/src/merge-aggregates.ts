import type { JsHistogram } from "hdr-histogram-js";
import {
  emptyAggregate,
  K6_AGGREGATE_FORMAT,
  type K6Aggregate,
  type MetricAggregate,
  type TrendAggregate,
} from "./aggregate-types.js";
import { mergeSeries } from "./merge-series.js";
import { decodeTrendHistogram, encodeTrendHistogram, newTrendHistogram } from "./trend-histogram.js";
import type { CheckResult } from "./types.js";

/** Gauges that count VUs: each shard runs its own, so the whole run has their sum. */
const ADDITIVE_GAUGES = new Set(["vus", "vus_max"]);

/**
 * Merges the aggregates of the shards of one distributed run into the aggregate of the whole run:
 * trend histograms, counts and sums add (min/max over shards); rates and counters add; the gauges
 * `vus` and `vus_max` add, other gauges take the largest value; checks add per (group, name);
 * the per-second series merges by second (latency histograms add, `vus` summed over shards with
 * each shard's last sample carried forward); threshold definitions are united. The duration is the
 * span from the earliest first sample to the latest last sample, which is the longest shard's
 * duration when the shards start together. Throws when a metric has different types in two parts.
 */
export function mergeAggregates(parts: K6Aggregate[]): K6Aggregate {
  const merged = emptyAggregate();
  const byName = new Map<string, Located[]>();
  for (const [i, part] of parts.entries()) {
    if (part.format !== K6_AGGREGATE_FORMAT) {
      throw new Error(`parts[${i}].format: expected ${JSON.stringify(K6_AGGREGATE_FORMAT)}`);
    }
    for (const [name, metric] of Object.entries(part.metrics)) {
      const list = byName.get(name) ?? [];
      const first = list[0]?.metric;
      if (first !== undefined && first.type !== metric.type) {
        throw new Error(`parts[${i}].metrics.${name}: is a ${metric.type} here but a ${first.type} in an earlier part`);
      }
      list.push({ metric, path: `parts[${i}].metrics.${name}` });
      byName.set(name, list);
    }
    for (const [name, expressions] of Object.entries(part.thresholdDefinitions)) {
      const list = merged.thresholdDefinitions[name] ?? [];
      for (const e of expressions) if (!list.includes(e)) list.push(e);
      merged.thresholdDefinitions[name] = list;
    }
    merged.checks = addChecks(merged.checks, part.checks);
  }
  for (const [name, list] of byName) merged.metrics[name] = mergeMetric(name, list);
  const timed = parts.filter((p) => p.startMs !== undefined && p.endMs !== undefined);
  if (timed.length > 0) {
    merged.startMs = Math.min(...timed.map((p) => p.startMs as number));
    merged.endMs = Math.max(...timed.map((p) => p.endMs as number));
  }
  merged.durationMs = Math.max(
    0,
    ...parts.map((p) => p.durationMs),
    timed.length > 0 ? (merged.endMs as number) - (merged.startMs as number) : 0,
  );
  merged.series = mergeSeries(parts.map((p) => p.series));
  return merged;
}

/** A part's metric and its field path, for errors. */
interface Located {
  metric: MetricAggregate;
  path: string;
}

/** Merges one metric's parts (all of the same type). */
function mergeMetric(name: string, parts: Located[]): MetricAggregate {
  const metrics = parts.map((p) => p.metric);
  const contains = metrics.find((m) => m.contains !== undefined)?.contains;
  const base = contains === undefined ? {} : { contains };
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  switch (metrics[0]?.type) {
    case "trend":
      return { type: "trend", ...base, trend: mergeTrends(parts) };
    case "rate": {
      const rates = metrics.map((m) => (m as Extract<MetricAggregate, { type: "rate" }>).rate);
      return {
        type: "rate",
        ...base,
        rate: { passes: sum(rates.map((r) => r.passes)), fails: sum(rates.map((r) => r.fails)) },
      };
    }
    case "counter": {
      const counters = metrics.map((m) => (m as Extract<MetricAggregate, { type: "counter" }>).counter);
      return {
        type: "counter",
        ...base,
        counter: { sum: sum(counters.map((c) => c.sum)), samples: sum(counters.map((c) => c.samples)) },
      };
    }
    default: {
      const gauges = metrics
        .map((m) => (m as Extract<MetricAggregate, { type: "gauge" }>).gauge)
        .filter((g) => g.samples > 0);
      if (gauges.length === 0) return { type: "gauge", ...base, gauge: { value: 0, min: 0, max: 0, samples: 0 } };
      const samples = sum(gauges.map((g) => g.samples));
      const gauge = ADDITIVE_GAUGES.has(name)
        ? {
            value: sum(gauges.map((g) => g.value)),
            min: sum(gauges.map((g) => g.min)),
            max: sum(gauges.map((g) => g.max)),
            samples,
          }
        : {
            value: Math.max(...gauges.map((g) => g.value)),
            min: Math.min(...gauges.map((g) => g.min)),
            max: Math.max(...gauges.map((g) => g.max)),
            samples,
          };
      return { type: "gauge", ...base, gauge };
    }
  }
}

/** Adds trend histograms (decoding each part once, encoding once), counts and sums; min/max over non-empty parts. */
function mergeTrends(parts: Located[]): TrendAggregate {
  const trends = parts.map((p) => ({
    trend: (p.metric as Extract<MetricAggregate, { type: "trend" }>).trend,
    path: `${p.path}.trend`,
  }));
  const add = (field: "histogram" | "negativeHistogram"): string | undefined => {
    let total: JsHistogram | undefined;
    for (const { trend, path } of trends) {
      const encoded = trend[field];
      if (encoded === undefined) continue;
      const histogram = decodeTrendHistogram(encoded, `${path}.${field}`);
      if (total === undefined) total = histogram;
      else total.add(histogram);
    }
    return total === undefined ? undefined : encodeTrendHistogram(total);
  };
  const nonEmpty = trends.map((t) => t.trend).filter((t) => t.count > 0);
  const negative = add("negativeHistogram");
  return {
    histogram: add("histogram") ?? encodeTrendHistogram(newTrendHistogram()),
    ...(negative === undefined ? {} : { negativeHistogram: negative }),
    count: trends.reduce((n, t) => n + t.trend.count, 0),
    sum: trends.reduce((n, t) => n + t.trend.sum, 0),
    min: nonEmpty.length > 0 ? Math.min(...nonEmpty.map((t) => t.min)) : 0,
    max: nonEmpty.length > 0 ? Math.max(...nonEmpty.map((t) => t.max)) : 0,
  };
}

function addChecks(into: CheckResult[], from: CheckResult[]): CheckResult[] {
  const result = into.map((c) => ({ ...c }));
  for (const check of from) {
    const same = result.find((c) => c.group === check.group && c.name === check.name);
    if (same) {
      same.passes += check.passes;
      same.fails += check.fails;
    } else result.push({ ...check });
  }
  return result;
}
