import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { K6VerdictResult } from "@tstr/db";
import { type FieldViolation, mapEntryPath, ValidationError } from "@tstr/domain";
import {
  type K6Aggregate,
  type K6Summary,
  parseK6Aggregate,
  type SeriesPoint,
  seriesOfAggregate,
  summarizeAggregate,
} from "@tstr/k6";
import type { K6Report, ReportResultsRequest } from "@tstr/proto";
import { K6_VERDICT_FROM_PROTO, METRIC_TYPE_FROM_PROTO } from "../mapping/k6-mapping.js";

/** A run attempt's k6 results, checked and in @tstr/k6's terms. */
export interface K6Payload {
  summary: K6Summary;
  verdict: K6VerdictResult;
  reason?: string;
  series: SeriesPoint[];
  /** The mergeable aggregate, when the runner had k6's NDJSON output. */
  aggregate?: K6Aggregate;
}

const LIMITS = { metrics: 2_000, thresholds: 2_000, checks: 10_000, series: 7 * 24 * 3600, name: 1_000 };
const MAX_INT = 2_147_483_647;
const MAX_VIOLATIONS = 20;

/**
 * Reads the k6 part of a ReportResults: the `k6` report and the `k6_aggregate` bytes (a K6Aggregate
 * as UTF-8 JSON, histograms included). Without a `k6` report the summary, series and verdict are
 * derived from the aggregate. Anything malformed is refused with a ValidationError naming the field
 * (`k6.metrics[2].values["p(95)"]`, `k6_aggregate.metrics.http_reqs.counter.sum`), before anything
 * is stored. Returns undefined when the request carries no k6 results.
 */
export function readK6Payload(req: ReportResultsRequest): K6Payload | undefined {
  const aggregate = req.k6Aggregate.length > 0 ? readAggregate(req.k6Aggregate) : undefined;
  if (req.k6) {
    const payload: K6Payload = readReport(req.k6, req);
    if (!aggregate) return payload;
    return {
      ...payload,
      summary: { ...payload.summary, durationMs: aggregate.aggregate.durationMs },
      aggregate: aggregate.aggregate,
    };
  }
  if (!aggregate) return undefined;
  const failed = aggregate.summary.thresholds.some((t) => !t.ok);
  return {
    summary: aggregate.summary,
    verdict: failed ? "FAIL" : "PASS",
    ...(failed ? { reason: "THRESHOLDS" } : {}),
    series: aggregate.series,
    aggregate: aggregate.aggregate,
  };
}

/** Parses the aggregate and decodes every histogram once, so a bad one is refused now, not at merge time. */
function readAggregate(bytes: Uint8Array): { aggregate: K6Aggregate; summary: K6Summary; series: SeriesPoint[] } {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ValidationError([{ path: "k6_aggregate", message: "is not UTF-8 text" }]);
  }
  try {
    const aggregate = parseK6Aggregate(text);
    return { aggregate, summary: summarizeAggregate(aggregate), series: seriesOfAggregate(aggregate) };
  } catch (error) {
    throw new ValidationError([aggregateViolation(error)]);
  }
}

/** `k6 aggregate: metrics.x.trend.sum: expected a number` → that field under `k6_aggregate`. */
function aggregateViolation(error: unknown): FieldViolation {
  const text = (error instanceof Error ? error.message : String(error)).replace(/^k6 aggregate: /, "");
  const cut = text.indexOf(": ");
  const path = cut > 0 ? text.slice(0, cut) : "";
  if (!path || /\s/.test(path)) return { path: "k6_aggregate", message: text };
  return { path: `k6_aggregate.${path}`, message: text.slice(cut + 2) };
}

function readReport(report: K6Report, req: ReportResultsRequest): Omit<K6Payload, "aggregate"> {
  const violations: FieldViolation[] = [];
  const bad = (path: string, message: string) => {
    if (violations.length < MAX_VIOLATIONS) violations.push({ path, message });
  };
  const verdict = K6_VERDICT_FROM_PROTO[report.verdict];
  if (!verdict) bad("k6.verdict", "must be PASS, FAIL or ERROR");
  if (report.runId && report.runId !== req.runId) bad("k6.run_id", `must be empty or the run_id "${req.runId}"`);
  if (report.attempt && report.attempt !== req.attempt) bad("k6.attempt", `must be 0 or the attempt ${req.attempt}`);
  for (const [field, limit] of [
    ["metrics", LIMITS.metrics],
    ["thresholds", LIMITS.thresholds],
    ["checks", LIMITS.checks],
    ["series", LIMITS.series],
  ] as const) {
    if (report[field].length > limit) bad(`k6.${field}`, `at most ${limit} entries`);
  }
  const name = (value: string, path: string) => {
    if (!value) bad(path, "must not be empty");
    else if (value.length > LIMITS.name) bad(path, `at most ${LIMITS.name} characters`);
  };
  const count = (value: number, path: string, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isFinite(value) || value < 0 || value > max) bad(path, `must be a number from 0 to ${max}`);
  };
  const seen = new Set<string>();
  const metrics = report.metrics.map((m, i) => {
    const path = `k6.metrics[${i}]`;
    name(m.name, `${path}.name`);
    if (seen.has(m.name)) bad(`${path}.name`, `"${m.name}" is listed twice`);
    seen.add(m.name);
    const type = METRIC_TYPE_FROM_PROTO[m.type];
    if (!type) bad(`${path}.type`, "must be TREND, RATE, COUNTER or GAUGE");
    for (const [key, value] of Object.entries(m.values)) {
      if (!key) bad(`${path}.values`, "keys must not be empty");
      if (!Number.isFinite(value)) bad(mapEntryPath(`${path}.values`, key), "must be a finite number");
    }
    return { name: m.name, type: type ?? "gauge", ...(m.contains ? { contains: m.contains } : {}), values: m.values };
  });
  const thresholds = report.thresholds.map((t, i) => {
    name(t.metric, `k6.thresholds[${i}].metric`);
    name(t.expression, `k6.thresholds[${i}].expression`);
    return { metric: t.metric, expression: t.expression, ok: t.ok };
  });
  const checks = report.checks.map((c, i) => {
    name(c.name, `k6.checks[${i}].name`);
    const passes = Number(c.passes);
    const fails = Number(c.fails);
    count(passes, `k6.checks[${i}].passes`);
    count(fails, `k6.checks[${i}].fails`);
    return { group: c.group, name: c.name, passes, fails };
  });
  let previous = Number.NEGATIVE_INFINITY;
  const series = report.series.map((p, i): SeriesPoint => {
    const path = `k6.series[${i}]`;
    const time = p.time ? timestampDate(p.time) : new Date(Number.NaN);
    if (Number.isNaN(time.getTime())) bad(`${path}.time`, "is required");
    else if (time.getTime() <= previous) bad(`${path}.time`, "times must be strictly ascending");
    previous = time.getTime();
    for (const key of ["requests", "failedRequests", "vus", "checksPassed", "checksFailed"] as const) {
      count(p[key], `${path}.${snake(key)}`, MAX_INT);
    }
    for (const key of ["dataSent", "dataReceived"] as const) count(p[key], `${path}.${snake(key)}`);
    const point: SeriesPoint = {
      time,
      requests: p.requests,
      failedRequests: p.failedRequests,
      vus: p.vus,
      dataSent: p.dataSent,
      dataReceived: p.dataReceived,
      checksPassed: p.checksPassed,
      checksFailed: p.checksFailed,
    };
    for (const key of ["latencyP50", "latencyP90", "latencyP95", "latencyP99"] as const) {
      if (!Number.isFinite(p[key]) || p[key] < 0) bad(`${path}.${snake(key)}`, "must be a number ≥ 0");
      // 0 is proto's "unset": a second without requests has no latency.
      else if (p[key] > 0) point[key] = p[key];
    }
    return point;
  });
  if (violations.length) throw new ValidationError(violations);
  const failed = thresholds.some((t) => !t.ok);
  return {
    summary: { metrics, thresholds, checks },
    verdict: verdict ?? "ERROR",
    ...(verdict === "FAIL" && failed ? { reason: "THRESHOLDS" } : {}),
    series,
  };
}

const snake = (key: string) => key.replace(/[A-Z0-9]+/g, (c) => `_${c.toLowerCase()}`);
