import { createReadStream } from "node:fs";
import { describe, expect, it } from "vitest";
import { aggregateNdjson } from "./aggregate-ndjson.js";
import { createNdjsonAggregator } from "./ndjson-aggregator.js";
import { fixturePath, fixtures, metricNamed, nearestRank, withinDigits } from "./test-support.js";
import type { K6Summary } from "./types.js";

// The fixtures' own summaries are not available (they come from other runs), so each NDJSON file
// is checked against an exact, naive computation over its points done here: every sample kept in
// arrays, sorted for percentiles.
interface Sample {
  metric: string;
  ms: number;
  value: number;
  tags: Record<string, string>;
}

function samplesOf(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const { type, metric, data } = JSON.parse(line);
    if (type === "Metric") types.set(data.name, data.type);
    else samples.push({ metric, ms: Date.parse(data.time), value: data.value, tags: data.tags ?? {} });
  }
  return { types, samples };
}

const values = (samples: Sample[], metric: string, tags: Record<string, string> = {}) =>
  samples
    .filter((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v))
    .map((s) => s.value);

function expectTrend(summary: K6Summary, name: string, exact: number[]): void {
  const metric = metricNamed(summary, name).values;
  const sorted = [...exact].sort((a, b) => a - b);
  const mean = exact.reduce((a, b) => a + b, 0) / exact.length;
  expect(Math.abs((metric.avg as number) - mean)).toBeLessThanOrEqual(Math.abs(mean) * 1e-12);
  expect(metric.min).toBe(sorted[0]);
  expect(metric.max).toBe(sorted.at(-1));
  for (const [key, q] of [
    ["med", 0.5],
    ["p(90)", 0.9],
    ["p(95)", 0.95],
    ["p(99)", 0.99],
  ] as const) {
    const want = nearestRank(sorted, q);
    expect({ name, key, ok: withinDigits(metric[key] as number, want, 3), got: metric[key], want }).toMatchObject({
      ok: true,
    });
  }
}

describe.each(fixtures("ndjson"))("aggregateNdjson on %s", (file, text) => {
  const { types, samples } = samplesOf(text);
  const resultPromise = aggregateNdjson(createReadStream(fixturePath("ndjson", file)));

  it("reads every line without problems and counts every point", async () => {
    const result = await resultPromise;
    expect(result.problems).toEqual([]);
    expect(result.points).toBe(samples.length);
    expect(result.lines).toBe(text.split("\n").filter((l, i, all) => l || i < all.length - 1).length);
  });

  it("sums counters exactly: http_reqs count is the number of http_reqs points", async () => {
    const { summary } = await resultPromise;
    expect(metricNamed(summary, "http_reqs").values.count).toBe(values(samples, "http_reqs").length);
    const span = Math.max(...samples.map((s) => s.ms)) - Math.min(...samples.map((s) => s.ms));
    expect(Math.abs((summary.durationMs ?? 0) - span)).toBeLessThan(1);
    for (const [name] of [...types].filter(([, t]) => t === "counter")) {
      const count = values(samples, name).reduce((a, b) => a + b, 0);
      expect(metricNamed(summary, name).values).toEqual({ count, rate: count / ((summary.durationMs ?? 0) / 1000) });
    }
  });

  it("gives every trend its exact mean/min/max and percentiles within HdrHistogram's 3 digits", async () => {
    const { summary } = await resultPromise;
    for (const [name] of [...types].filter(([, t]) => t === "trend")) expectTrend(summary, name, values(samples, name));
    expectTrend(
      summary,
      "http_req_duration{expected_response:true}",
      values(samples, "http_req_duration", { expected_response: "true" }),
    );
  });

  it("counts rate passes (non-zero samples) and fails, gauges' last/min/max, and checks per group", async () => {
    const { summary } = await resultPromise;
    for (const [name, type] of types) {
      const v = values(samples, name);
      if (type === "rate") {
        const passes = v.filter((x) => x !== 0).length;
        expect(metricNamed(summary, name).values).toEqual({
          rate: passes / v.length,
          passes,
          fails: v.length - passes,
        });
      }
      if (type === "gauge") {
        expect(metricNamed(summary, name).values).toEqual({
          value: v.at(-1),
          min: Math.min(...v),
          max: Math.max(...v),
        });
      }
    }
    const checks = new Map<string, { group: string; name: string; passes: number; fails: number }>();
    for (const s of samples.filter((x) => x.metric === "checks")) {
      const key = `${s.tags.group}\u0000${s.tags.check}`;
      const c = checks.get(key) ?? { group: s.tags.group ?? "", name: s.tags.check ?? "", passes: 0, fails: 0 };
      if (s.value !== 0) c.passes++;
      else c.fails++;
      checks.set(key, c);
    }
    expect(summary.checks).toEqual([...checks.values()]);
  });

  it("builds the per-second series from the points of each second", async () => {
    const { series } = await resultPromise;
    const seconds = [...new Set(samples.map((s) => Math.floor(s.ms / 1000)))].sort((a, b) => a - b);
    expect(series.map((p) => p.time.getTime() / 1000)).toEqual(seconds);
    let vus = 0;
    for (const point of series) {
      const inSecond = samples.filter((s) => Math.floor(s.ms / 1000) === point.time.getTime() / 1000);
      const sum = (metric: string) => values(inSecond, metric).reduce((a, b) => a + b, 0);
      const nonZero = (metric: string) => values(inSecond, metric).filter((v) => v !== 0).length;
      vus = values(inSecond, "vus").at(-1) ?? vus;
      const checks = values(inSecond, "checks");
      expect(point).toMatchObject({
        requests: sum("http_reqs"),
        failedRequests: nonZero("http_req_failed"),
        vus,
        dataSent: sum("data_sent"),
        dataReceived: sum("data_received"),
        checksPassed: nonZero("checks"),
        checksFailed: checks.length - nonZero("checks"),
      });
      const latencies = values(inSecond, "http_req_duration").sort((a, b) => a - b);
      if (latencies.length === 0) expect(point.latencyP95).toBeUndefined();
      for (const [key, q] of [
        ["latencyP50", 0.5],
        ["latencyP90", 0.9],
        ["latencyP95", 0.95],
        ["latencyP99", 0.99],
      ] as const) {
        if (latencies.length > 0) expect(withinDigits(point[key] as number, nearestRank(latencies, q), 2)).toBe(true);
      }
    }
  });

  it("gives the same result pushed line by line as streamed in chunks", async () => {
    const aggregator = createNdjsonAggregator();
    for (const line of text.split("\n")) aggregator.push(line);
    const pushed = aggregator.result();
    const streamed = await resultPromise;
    expect(pushed.summary).toEqual(streamed.summary);
    expect(pushed.aggregate).toEqual(streamed.aggregate);
  });
});
