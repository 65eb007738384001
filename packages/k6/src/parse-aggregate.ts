import {
  K6_AGGREGATE_FORMAT,
  type K6Aggregate,
  type MetricAggregate,
  type SecondAggregate,
} from "./aggregate-types.js";
import { type JsonObject, JsonReader } from "./json-fields.js";
import type { CheckResult } from "./types.js";

/**
 * Checks that untrusted JSON (text or already parsed, e.g. from a runner's report) is a
 * {@link K6Aggregate} and returns it typed; throws naming the offending field
 * (`k6 aggregate: metrics.http_reqs.counter.sum: expected a number`). Histogram encodings are
 * checked when they are decoded (summarising or merging), with the same kind of message.
 */
export function parseK6Aggregate(input: unknown): K6Aggregate {
  const reader = new JsonReader("k6 aggregate");
  const root = reader.object(typeof input === "string" ? reader.parse(input) : input, "");
  if (root.format !== K6_AGGREGATE_FORMAT)
    throw reader.error("format", `expected ${JSON.stringify(K6_AGGREGATE_FORMAT)}`);
  const metrics: Record<string, MetricAggregate> = {};
  for (const [name, value] of Object.entries(reader.object(root.metrics, "metrics"))) {
    metrics[name] = metricOf(reader, reader.object(value, `metrics.${name}`), `metrics.${name}`);
  }
  const checks = arrayOf(reader, root.checks, "checks").map(([path, value]): CheckResult => {
    const c = reader.object(value, path);
    return {
      group: reader.string(c.group, `${path}.group`),
      name: reader.string(c.name, `${path}.name`),
      passes: count(reader, c.passes, `${path}.passes`),
      fails: count(reader, c.fails, `${path}.fails`),
    };
  });
  const series = arrayOf(reader, root.series, "series").map(([path, value]) => secondOf(reader, value, path));
  for (let i = 1; i < series.length; i++) {
    if ((series[i] as SecondAggregate).second <= (series[i - 1] as SecondAggregate).second) {
      throw reader.error(`series[${i}].second`, "seconds must be strictly ascending");
    }
  }
  const thresholdDefinitions: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(reader.object(root.thresholdDefinitions, "thresholdDefinitions"))) {
    thresholdDefinitions[name] = arrayOf(reader, value, `thresholdDefinitions.${name}`).map(([p, e]) =>
      reader.string(e, p),
    );
  }
  const aggregate: K6Aggregate = {
    format: K6_AGGREGATE_FORMAT,
    metrics,
    checks,
    durationMs: count(reader, root.durationMs, "durationMs"),
    series,
    thresholdDefinitions,
  };
  if (root.startMs !== undefined) aggregate.startMs = reader.number(root.startMs, "startMs");
  if (root.endMs !== undefined) aggregate.endMs = reader.number(root.endMs, "endMs");
  return aggregate;
}

function metricOf(reader: JsonReader, m: JsonObject, path: string): MetricAggregate {
  const contains = reader.optionalString(m.contains, `${path}.contains`);
  const base = contains === undefined ? {} : { contains };
  const field = (name: string) => reader.object(m[name], `${path}.${name}`);
  switch (m.type) {
    case "trend": {
      const t = field("trend");
      const p = `${path}.trend`;
      const negative = reader.optionalString(t.negativeHistogram, `${p}.negativeHistogram`);
      return {
        type: "trend",
        ...base,
        trend: {
          histogram: reader.string(t.histogram, `${p}.histogram`),
          ...(negative === undefined ? {} : { negativeHistogram: negative }),
          count: count(reader, t.count, `${p}.count`),
          sum: reader.number(t.sum, `${p}.sum`),
          min: reader.number(t.min, `${p}.min`),
          max: reader.number(t.max, `${p}.max`),
        },
      };
    }
    case "rate": {
      const r = field("rate");
      const rate = {
        passes: count(reader, r.passes, `${path}.rate.passes`),
        fails: count(reader, r.fails, `${path}.rate.fails`),
      };
      return { type: "rate", ...base, rate };
    }
    case "counter": {
      const c = field("counter");
      const counter = {
        sum: reader.number(c.sum, `${path}.counter.sum`),
        samples: count(reader, c.samples, `${path}.counter.samples`),
      };
      return { type: "counter", ...base, counter };
    }
    case "gauge": {
      const g = field("gauge");
      const p = `${path}.gauge`;
      const gauge = {
        value: reader.number(g.value, `${p}.value`),
        min: reader.number(g.min, `${p}.min`),
        max: reader.number(g.max, `${p}.max`),
        samples: count(reader, g.samples, `${p}.samples`),
      };
      return { type: "gauge", ...base, gauge };
    }
    default:
      throw reader.error(`${path}.type`, "expected one of trend, rate, counter, gauge");
  }
}

function secondOf(reader: JsonReader, value: unknown, path: string): SecondAggregate {
  const s = reader.object(value, path);
  const second: SecondAggregate = {
    second: reader.number(s.second, `${path}.second`),
    requests: count(reader, s.requests, `${path}.requests`),
    failedRequests: count(reader, s.failedRequests, `${path}.failedRequests`),
    dataSent: count(reader, s.dataSent, `${path}.dataSent`),
    dataReceived: count(reader, s.dataReceived, `${path}.dataReceived`),
    checksPassed: count(reader, s.checksPassed, `${path}.checksPassed`),
    checksFailed: count(reader, s.checksFailed, `${path}.checksFailed`),
  };
  if (s.vus !== undefined) second.vus = reader.number(s.vus, `${path}.vus`);
  if (s.latency !== undefined) second.latency = reader.string(s.latency, `${path}.latency`);
  return second;
}

function count(reader: JsonReader, value: unknown, path: string): number {
  const n = reader.number(value, path);
  if (n < 0) throw reader.error(path, "expected a number ≥ 0");
  return n;
}

function arrayOf(reader: JsonReader, value: unknown, path: string): [string, unknown][] {
  if (!Array.isArray(value)) throw reader.error(path, "expected an array");
  return value.map((item, i) => [`${path}[${i}]`, item]);
}
