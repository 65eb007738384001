import type { CheckResult } from "./types.js";

/** Value of {@link K6Aggregate.format}; bumped when the encoding changes incompatibly. */
export const K6_AGGREGATE_FORMAT = "tstr.k6.aggregate.v1";

/**
 * Trend values are recorded in histograms as `Math.round(value × HISTOGRAM_SCALE)` (nanoseconds for
 * the millisecond values of time metrics), so sub-millisecond timings keep 3 significant digits.
 */
export const HISTOGRAM_SCALE = 1_000_000;

/** A trend's mergeable state. `count`, `sum`, `min` and `max` are exact; percentiles come from the histogram. */
export interface TrendAggregate {
  /** Values ≥ 0: HdrHistogram (3 significant digits) V2 compressed base64, values scaled by {@link HISTOGRAM_SCALE}. */
  histogram: string;
  /** Absolute values of negative samples (custom trends only), same encoding; absent when there were none. */
  negativeHistogram?: string;
  count: number;
  sum: number;
  /** 0 when `count` is 0. */
  min: number;
  max: number;
}

/** A rate's mergeable state: samples that were non-zero (`passes`) and zero (`fails`). */
export interface RateAggregate {
  passes: number;
  fails: number;
}

/** A counter's mergeable state; its rate is `sum` over the run duration. */
export interface CounterAggregate {
  sum: number;
  samples: number;
}

/** A gauge's mergeable state: the last value and the extremes (all 0 when `samples` is 0). */
export interface GaugeAggregate {
  value: number;
  min: number;
  max: number;
  samples: number;
}

/** One metric or submetric of an aggregate, by type. */
export type MetricAggregate =
  | { type: "trend"; contains?: string; trend: TrendAggregate }
  | { type: "rate"; contains?: string; rate: RateAggregate }
  | { type: "counter"; contains?: string; counter: CounterAggregate }
  | { type: "gauge"; contains?: string; gauge: GaugeAggregate };

/** One second of the series in mergeable form. */
export interface SecondAggregate {
  /** Unix time in whole seconds. */
  second: number;
  requests: number;
  failedRequests: number;
  /** Last vus sample in this second; absent when none fell in it (the series carries the previous one forward). */
  vus?: number;
  dataSent: number;
  dataReceived: number;
  checksPassed: number;
  checksFailed: number;
  /**
   * http_req_duration samples of this second: HdrHistogram V2 (uncompressed) encoding in base64,
   * same scale and precision as trend histograms; absent when there were none.
   */
  latency?: string;
}

/**
 * Everything needed to summarise a k6 run, in a form that adds up: aggregates of the shards of a
 * distributed run merge with `mergeAggregates` into the aggregate of the whole run. Plain JSON.
 */
export interface K6Aggregate {
  format: typeof K6_AGGREGATE_FORMAT;
  /** By metric name; submetrics under their full name (`http_req_duration{expected_response:true}`). */
  metrics: Record<string, MetricAggregate>;
  checks: CheckResult[];
  /** From the first to the last sample (over all shards when merged). */
  durationMs: number;
  /** Epoch milliseconds of the first and last sample; absent when there were no samples. */
  startMs?: number;
  endMs?: number;
  /** Seconds with at least one sample, ascending. */
  series: SecondAggregate[];
  /** Threshold expressions by metric name, as declared by the script. */
  thresholdDefinitions: Record<string, string[]>;
}

/** An aggregate with no metrics and no samples: the identity of `mergeAggregates`. */
export function emptyAggregate(): K6Aggregate {
  return { format: K6_AGGREGATE_FORMAT, metrics: {}, checks: [], durationMs: 0, series: [], thresholdDefinitions: {} };
}
