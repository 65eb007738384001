import { compareThreshold, parseThresholdExpression, type ThresholdAggregation } from "./threshold-expression.js";
import type { MetricSummary, MetricType, ThresholdResult } from "./types.js";

/** The aggregations k6 accepts for each metric type (k6 refuses the others as an invalid configuration). */
const SUPPORTED: Record<MetricType, readonly ThresholdAggregation[]> = {
  trend: ["avg", "min", "max", "med", "p"],
  rate: ["rate"],
  counter: ["count", "rate"],
  gauge: ["value"],
};

/**
 * Evaluates k6 threshold definitions (`{ http_req_duration: ["p(95)<500"] }`) on summarised metrics.
 *
 * A threshold on a metric that has no samples is evaluated like k6 does at the end of a run: k6's
 * final evaluation (metrics/engine/engine.go, `evaluateThresholds(false, …)`) does not skip empty
 * sinks, and an empty sink reads as 0 for every aggregation (metrics/sink.go: count 0, rate 0,
 * gauge value 0, trend min/max/avg/percentiles 0). So `count<10` on an unused counter passes,
 * `count>0` fails, and `rate<0.01` on http_req_failed with no requests passes. A metric missing from
 * `metrics` altogether is treated the same way. An expression that cannot be parsed, or that asks
 * for an aggregation the metric's type does not have, fails with `error` saying why.
 */
export function evaluateThresholds(definitions: Record<string, string[]>, metrics: MetricSummary[]): ThresholdResult[] {
  const byName = new Map(metrics.map((m) => [m.name, m]));
  const results: ThresholdResult[] = [];
  for (const [metric, expressions] of Object.entries(definitions)) {
    for (const expression of expressions) {
      results.push(evaluateOne(metric, expression, byName.get(metric)));
    }
  }
  return results;
}

function evaluateOne(metric: string, expression: string, summary: MetricSummary | undefined): ThresholdResult {
  const failed = (error: string): ThresholdResult => ({ metric, expression, ok: false, error });
  let parsed: ReturnType<typeof parseThresholdExpression>;
  try {
    parsed = parseThresholdExpression(expression);
  } catch (error) {
    return failed((error as Error).message);
  }
  if (summary === undefined) return { metric, expression, ok: compareThreshold(parsed, 0) };
  if (!SUPPORTED[summary.type].includes(parsed.aggregation)) {
    return failed(
      `${metric} is a ${summary.type} metric: it has no ${parsed.aggregation === "p" ? "p(N)" : parsed.aggregation} ` +
        `(supported: ${SUPPORTED[summary.type].map((a) => (a === "p" ? "p(N)" : a)).join(", ")})`,
    );
  }
  const actual = summary.values[parsed.valueKey];
  if (actual === undefined) return failed(`${metric} has no ${parsed.valueKey} value in the summary`);
  return { metric, expression, ok: compareThreshold(parsed, actual) };
}
