import { checksOfGroups } from "./group-checks.js";
import { JsonReader } from "./json-fields.js";
import type { K6Summary, MetricSummary, MetricType, ThresholdResult } from "./types.js";

const TYPES: readonly string[] = ["trend", "rate", "counter", "gauge"];

/**
 * Parses `JSON.stringify(data)` of k6's `handleSummary(data)` (compact or pretty): metrics with
 * their `type`, `contains` and `values`, thresholds as `{ "<expression>": { ok } }`, checks from
 * `root_group` and its nested groups, and the duration from `state.testRunDurationMs`.
 */
export function parseHandleSummary(text: string): K6Summary {
  const reader = new JsonReader("handleSummary");
  const root = reader.object(reader.parse(text), "");
  const metrics: MetricSummary[] = [];
  const thresholds: ThresholdResult[] = [];
  for (const [name, value] of Object.entries(reader.object(root.metrics, "metrics"))) {
    const path = `metrics.${name}`;
    const fields = reader.object(value, path);
    const type = reader.string(fields.type, `${path}.type`);
    if (!TYPES.includes(type)) throw reader.error(`${path}.type`, `expected one of ${TYPES.join(", ")}`);
    const contains = reader.optionalString(fields.contains, `${path}.contains`);
    const values: Record<string, number> = {};
    for (const [key, v] of Object.entries(reader.object(fields.values, `${path}.values`))) {
      values[key] = reader.number(v, `${path}.values.${key}`);
    }
    metrics.push({ name, type: type as MetricType, ...(contains === undefined ? {} : { contains }), values });
    const defined = reader.optionalObject(fields.thresholds, `${path}.thresholds`) ?? {};
    for (const [expression, result] of Object.entries(defined)) {
      const resultPath = `${path}.thresholds.${expression}`;
      const ok = reader.boolean(reader.object(result, resultPath).ok, `${resultPath}.ok`);
      thresholds.push({ metric: name, expression, ok });
    }
  }
  const checks = root.root_group === undefined ? [] : checksOfGroups(reader, root.root_group, "root_group");
  const state = reader.optionalObject(root.state, "state");
  const duration = state?.testRunDurationMs;
  const durationMs = duration === undefined ? undefined : reader.number(duration, "state.testRunDurationMs");
  return { metrics, thresholds, checks, ...(durationMs === undefined ? {} : { durationMs }) };
}
