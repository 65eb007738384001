import { describe, expect, it } from "vitest";
import { emptyAggregate, type K6Aggregate } from "./aggregate-types.js";
import { mergeAggregates } from "./merge-aggregates.js";
import { createNdjsonAggregator, type NdjsonResult } from "./ndjson-aggregator.js";
import { parseK6Aggregate } from "./parse-aggregate.js";
import { seriesOfAggregate, summarizeAggregate } from "./summarize-aggregate.js";
import { fixtures, metricNamed } from "./test-support.js";
import type { K6Summary } from "./types.js";

function aggregate(lines: string[]): NdjsonResult {
  const aggregator = createNdjsonAggregator();
  for (const line of lines) aggregator.push(line);
  return aggregator.result();
}

/** Summary with averages rounded to 12 significant digits (sums add in a different order) and checks sorted. */
function comparable(summary: K6Summary): K6Summary {
  return {
    ...summary,
    metrics: summary.metrics.map((m) =>
      m.type === "trend" ? { ...m, values: { ...m.values, avg: Number((m.values.avg ?? 0).toPrecision(12)) } } : m,
    ),
    checks: [...summary.checks].sort((a, b) => `${a.group}/${a.name}`.localeCompare(`${b.group}/${b.name}`)),
  };
}

describe("mergeAggregates on a fixture's points split in two shards", () => {
  it.each(fixtures("ndjson"))("%s: merging the halves gives the summary and series of all points", (_, text) => {
    const lines = text.split("\n").filter((l) => l.trim());
    const declarations = lines.filter((l) => l.includes('"type":"Metric"'));
    const points = lines.filter((l) => !l.includes('"type":"Metric"'));
    // VU gauges add up across shards, so each VU sample must go to one shard only: all to the first.
    const isVuGauge = (l: string) => /"metric":"vus(_max)?"/.test(l);
    const first = points.filter((l, i) => isVuGauge(l) || i % 2 === 0);
    const second = points.filter((l, i) => !isVuGauge(l) && i % 2 === 1);
    const whole = aggregate(lines);
    const merged = mergeAggregates([
      aggregate([...declarations, ...first]).aggregate,
      aggregate([...declarations, ...second]).aggregate,
    ]);

    expect(comparable(summarizeAggregate(merged))).toEqual(comparable(whole.summary));
    expect(seriesOfAggregate(merged)).toEqual(whole.series);
    const http = (a: K6Aggregate) => a.metrics.http_req_duration;
    expect(http(merged)).toMatchObject({
      trend: { count: (http(whole.aggregate) as { trend: { count: number } }).trend.count },
    });
  });

  it("a single part merges to itself, and no parts to the empty aggregate", () => {
    const [, text] = fixtures("ndjson")[0] ?? [];
    const { aggregate: one, summary } = aggregate((text as string).split("\n"));
    expect(summarizeAggregate(mergeAggregates([one]))).toEqual(summary);
    expect(mergeAggregates([])).toEqual(emptyAggregate());
    expect(summarizeAggregate(mergeAggregates([one, emptyAggregate()]))).toEqual(summary);
  });
});

describe("mergeAggregates of real shards", () => {
  const shard = (vus: number, latency: number, offsetMs: number) =>
    aggregate([
      '{"type":"Metric","data":{"name":"vus","type":"gauge","contains":"default"},"metric":"vus"}',
      '{"type":"Metric","data":{"name":"temperature","type":"gauge","contains":"default"},"metric":"temperature"}',
      '{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":["p(95)<150"]},"metric":"http_req_duration"}',
      '{"type":"Metric","data":{"name":"checks","type":"rate","contains":"default"},"metric":"checks"}',
      `{"type":"Point","metric":"vus","data":{"time":"${new Date(1e12 + offsetMs).toISOString()}","value":${vus}}}`,
      `{"type":"Point","metric":"temperature","data":{"time":"${new Date(1e12 + offsetMs).toISOString()}","value":${vus * 10}}}`,
      `{"type":"Point","metric":"http_req_duration","data":{"time":"${new Date(1e12 + offsetMs + 1500).toISOString()}","value":${latency}}}`,
      `{"type":"Point","metric":"checks","data":{"time":"${new Date(1e12 + offsetMs + 1500).toISOString()}","value":1,"tags":{"check":"ok","group":"::g"}}}`,
    ]).aggregate;

  it("adds VUs across shards, takes the largest other gauge, adds checks and evaluates thresholds on the whole", () => {
    const merged = mergeAggregates([shard(5, 100, 0), shard(7, 200, 300)]);
    const summary = summarizeAggregate(merged);
    expect(metricNamed(summary, "vus").values).toEqual({ value: 12, min: 12, max: 12 });
    expect(metricNamed(summary, "temperature").values).toEqual({ value: 70, min: 50, max: 70 });
    expect(metricNamed(summary, "http_req_duration").values).toMatchObject({ avg: 150, min: 100, max: 200 });
    expect(summary.checks).toEqual([{ group: "::g", name: "ok", passes: 2, fails: 0 }]);
    // Each shard alone passes p(95)<150 or not; the whole run's p95 is 200.
    expect(summarizeAggregate(shard(5, 100, 0)).thresholds[0]?.ok).toBe(true);
    expect(summary.thresholds).toEqual([{ metric: "http_req_duration", expression: "p(95)<150", ok: false }]);
    expect(merged.durationMs).toBe(1800);
    // The first second holds both shards' VU samples, the second their requests: VUs carry forward.
    expect(seriesOfAggregate(merged).map((p) => p.vus)).toEqual([12, 12]);
  });

  it("refuses a metric with different types in two parts, naming it", () => {
    const a = shard(1, 1, 0);
    const b: K6Aggregate = {
      ...shard(1, 1, 0),
      metrics: { vus: { type: "counter", counter: { sum: 1, samples: 1 } } },
    };
    expect(() => mergeAggregates([a, b])).toThrow(
      "parts[1].metrics.vus: is a counter here but a gauge in an earlier part",
    );
    expect(() => mergeAggregates([{ ...a, format: "other" as K6Aggregate["format"] }])).toThrow("parts[0].format");
  });

  it("survives a JSON round trip through parseK6Aggregate, which names what is wrong", () => {
    const merged = mergeAggregates([shard(5, 100, 0), shard(7, 200, 300)]);
    expect(parseK6Aggregate(JSON.stringify(merged))).toEqual(merged);
    expect(parseK6Aggregate(JSON.parse(JSON.stringify(merged)))).toEqual(merged);
    const broken = JSON.parse(JSON.stringify(merged));
    broken.metrics.vus.gauge.samples = "2";
    expect(() => parseK6Aggregate(broken)).toThrow("k6 aggregate: metrics.vus.gauge.samples: expected a number");
    broken.metrics.vus = { type: "histogram" };
    expect(() => parseK6Aggregate(broken)).toThrow("k6 aggregate: metrics.vus.type: expected one of trend");
    expect(() => parseK6Aggregate({ ...merged, series: [...merged.series].reverse() })).toThrow(
      "k6 aggregate: series[1].second: seconds must be strictly ascending",
    );
    const badHistogram = JSON.parse(JSON.stringify(merged));
    badHistogram.metrics.http_req_duration.trend.histogram = "bm90IGEgaGlzdG9ncmFt";
    expect(() => summarizeAggregate(parseK6Aggregate(badHistogram))).toThrow(
      /^metrics\.http_req_duration\.trend\.histogram: not an HdrHistogram compressed base64 encoding/,
    );
  });
});
