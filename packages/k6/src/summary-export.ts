import { builtinContains } from "./builtin-metrics.js";
import { checksOfGroups } from "./group-checks.js";
import { type JsonObject, JsonReader } from "./json-fields.js";
import { quantileOfKey } from "./quantiles.js";
import type { K6Summary, MetricSummary, MetricType, ThresholdResult } from "./types.js";

/**
 * Parses the legacy `k6 run --summary-export` JSON. Its metrics carry no type, so it is inferred from
 * the value names: avg/min/med/max/p(N) → trend, passes/fails/value → rate, count/rate → counter,
 * value/min/max → gauge; a rate's `value` becomes `rate`. In this format a threshold value `true`
 * means the threshold FAILED (grafana/k6-docs#30), so `ok` is its negation. Submetrics such as
 * `http_req_duration{expected_response:true}` are metrics of their own under that name. The format
 * has no run duration; `durationMs` is derived from a counter's `count / rate` when one has both.
 */
export function parseSummaryExport(text: string): K6Summary {
  const reader = new JsonReader("summary export");
  const root = reader.object(reader.parse(text), "");
  const metricsObject = reader.object(root.metrics, "metrics");
  const metrics: MetricSummary[] = [];
  const thresholds: ThresholdResult[] = [];
  for (const [name, value] of Object.entries(metricsObject)) {
    const path = `metrics.${name}`;
    const fields = reader.object(value, path);
    metrics.push(metricOf(reader, name, fields, path));
    const defined = reader.optionalObject(fields.thresholds, `${path}.thresholds`) ?? {};
    for (const [expression, failed] of Object.entries(defined)) {
      thresholds.push({ metric: name, expression, ok: !reader.boolean(failed, `${path}.thresholds.${expression}`) });
    }
  }
  const checks = root.root_group === undefined ? [] : checksOfGroups(reader, root.root_group, "root_group");
  const durationMs = durationFromCounters(metrics);
  return { metrics, thresholds, checks, ...(durationMs === undefined ? {} : { durationMs }) };
}

function metricOf(reader: JsonReader, name: string, fields: JsonObject, path: string): MetricSummary {
  const values: Record<string, number> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key !== "thresholds") values[key] = reader.number(value, `${path}.${key}`);
  }
  const type = inferType(values);
  if (type === undefined) {
    throw reader.error(path, `cannot tell the metric type from its values (${Object.keys(values).join(", ")})`);
  }
  const contains = builtinContains(name);
  return {
    name,
    type,
    ...(contains === undefined ? {} : { contains }),
    values: type === "rate" ? rateValues(values) : values,
  };
}

/** k6 names a rate's ratio `value` in this format and `rate` everywhere else. */
function rateValues(values: Record<string, number>): Record<string, number> {
  const passes = values.passes ?? 0;
  const fails = values.fails ?? 0;
  const total = passes + fails;
  return { rate: values.value ?? (total > 0 ? passes / total : 0), passes, fails };
}

function inferType(values: Record<string, number>): MetricType | undefined {
  const has = (key: string) => key in values;
  if (has("avg") || has("med") || Object.keys(values).some((k) => quantileOfKey(k) !== undefined)) return "trend";
  if (has("passes") || has("fails")) return "rate";
  if (has("count")) return "counter";
  if (has("value")) return "gauge";
  return undefined;
}

/** k6 computes a counter's rate as count / run duration, so any counter with both gives the duration back. */
function durationFromCounters(metrics: MetricSummary[]): number | undefined {
  const preferred = ["iterations", "http_reqs"];
  const counters = metrics
    .filter((m) => m.type === "counter" && (m.values.count ?? 0) > 0 && (m.values.rate ?? 0) > 0)
    .sort((a, b) => rank(preferred, a.name) - rank(preferred, b.name));
  const counter = counters[0];
  return counter ? ((counter.values.count ?? 0) / (counter.values.rate ?? 1)) * 1000 : undefined;
}

const rank = (order: string[], name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
