// Public API of @tstr/k6: k6 output parsers, mergeable histograms, threshold verdicts and analysis (pure, no I/O beyond the streams given).

export { type AggregateNdjsonOptions, aggregateNdjson } from "./aggregate-ndjson.js";
export {
  type CounterAggregate,
  emptyAggregate,
  type GaugeAggregate,
  HISTOGRAM_SCALE,
  K6_AGGREGATE_FORMAT,
  type K6Aggregate,
  type MetricAggregate,
  type RateAggregate,
  type SecondAggregate,
  type TrendAggregate,
} from "./aggregate-types.js";
export { type AnomalyOptions, detectAnomalies } from "./anomalies.js";
export { parseHandleSummary } from "./handle-summary.js";
export { mergeAggregates } from "./merge-aggregates.js";
export {
  createNdjsonAggregator,
  type NdjsonAggregator,
  type NdjsonOptions,
  type NdjsonResult,
} from "./ndjson-aggregator.js";
export { forEachLine, type LineOptions, type TextSource } from "./ndjson-lines.js";
export { parseK6Aggregate } from "./parse-aggregate.js";
export {
  detectRegressions,
  type RegressionOptions,
  type RegressionReport,
  type RunStats,
  runStatsOf,
} from "./regressions.js";
export { parseSubmetricName, type SubmetricName } from "./submetric-name.js";
export { seriesOfAggregate, summarizeAggregate } from "./summarize-aggregate.js";
export { parseSummaryExport } from "./summary-export.js";
export {
  parseThresholdExpression,
  type ThresholdAggregation,
  type ThresholdExpression,
  type ThresholdOperator,
  ThresholdSyntaxError,
} from "./threshold-expression.js";
export { evaluateThresholds } from "./thresholds.js";
export type {
  CheckResult,
  Finding,
  K6Summary,
  MetricSummary,
  MetricType,
  SeriesPoint,
  ThresholdResult,
} from "./types.js";
export { K6_ERROR_EXIT_CODES, K6_THRESHOLDS_FAILED_EXIT_CODE, type K6Verdict, k6Verdict } from "./verdict.js";
