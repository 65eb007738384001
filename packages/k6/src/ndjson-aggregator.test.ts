import { describe, expect, it } from "vitest";
import { aggregateNdjson } from "./aggregate-ndjson.js";
import { createNdjsonAggregator } from "./ndjson-aggregator.js";
import { chunksOf, metricNamed, withinDigits } from "./test-support.js";

const metric = (name: string, type: string, extra: object = {}) =>
  JSON.stringify({
    type: "Metric",
    data: { name, type, contains: "default", thresholds: [], submetrics: null, ...extra },
    metric: name,
  });
const point = (name: string, time: string, value: number, tags: Record<string, string> = {}) =>
  JSON.stringify({ metric: name, type: "Point", data: { time, value, tags } });
const ok = { expected_response: "true", status: "200" };
const T0 = Date.UTC(2024, 0, 1) / 1000;

// A small run whose every answer can be worked out by hand.
const RUN = [
  metric("vus", "gauge"),
  metric("http_reqs", "counter"),
  metric("http_req_duration", "trend", {
    contains: "time",
    thresholds: ["p(95)<250", { threshold: "avg<250", abortOnFail: true }],
  }),
  metric("http_req_failed", "rate", { thresholds: ["rate<0.1"] }),
  metric("checks", "rate"),
  metric("data_sent", "counter", { contains: "data" }),
  metric("my_trend", "trend"),
  metric("my_counter", "counter", { thresholds: ["count>0"] }),
  metric("iterations", "counter"),
  point("vus", "2024-01-01T00:00:00.050Z", 5),
  point("http_reqs", "2024-01-01T00:00:00.100Z", 1, ok),
  point("http_req_duration", "2024-01-01T00:00:00.100Z", 100, ok),
  point("http_req_failed", "2024-01-01T00:00:00.100Z", 0, ok),
  // The same second written in another zone, as k6 writes local time.
  point("http_reqs", "2024-01-01T05:30:00.600+05:30", 1, { expected_response: "false", status: "500" }),
  point("http_req_duration", "2024-01-01T05:30:00.600+05:30", 300, { expected_response: "false", status: "500" }),
  point("http_req_failed", "2024-01-01T05:30:00.600+05:30", 1, { expected_response: "false", status: "500" }),
  point("checks", "2024-01-01T00:00:00.700Z", 1, { check: "status 200", group: "" }),
  point("checks", "2024-01-01T00:00:00.700Z", 0, { check: "status 200", group: "" }),
  point("data_sent", "2024-01-01T00:00:00.800Z", 100),
  "",
  point("http_reqs", "2024-01-01T00:00:01.200Z", 1, ok),
  point("http_req_duration", "2024-01-01T00:00:01.200Z", 200, ok),
  point("http_req_failed", "2024-01-01T00:00:01.200Z", 0, ok),
  point("checks", "2024-01-01T00:00:01.300Z", 1, { check: "login ok", group: "::login" }),
  point("data_sent", "2024-01-01T00:00:01.300Z", 50),
  point("my_trend", "2024-01-01T00:00:01.300Z", -5),
  point("my_trend", "2024-01-01T00:00:01.300Z", 10),
  point("my_trend", "2024-01-01T00:00:01.300Z", -1),
  point("vus", "2024-01-01T00:00:10.000Z", 7),
  // Late: its second was closed (encoded) when second 10 began.
  point("http_req_duration", "2024-01-01T00:00:00.900Z", 150, ok),
];
const OPTIONS = {
  thresholds: {
    "http_req_duration{expected_response:true}": ["max<=200"],
    "http_reqs{status:500}": ["count<1"],
    http_req_duration: ["p(99.9)<=300"],
  },
};

function run() {
  const aggregator = createNdjsonAggregator(OPTIONS);
  for (const line of RUN) aggregator.push(line);
  return aggregator.result();
}

describe("createNdjsonAggregator on a hand-made run", () => {
  it("summarises every metric type exactly", () => {
    const { summary, problems, lines, points } = run();
    expect({ problems, lines, points }).toEqual({ problems: [], lines: RUN.length, points: RUN.length - 10 });
    expect(summary.durationMs).toBe(9950);
    expect(metricNamed(summary, "http_reqs").values).toEqual({ count: 3, rate: 3 / 9.95 });
    expect(metricNamed(summary, "http_req_failed").values).toEqual({ rate: 1 / 3, passes: 1, fails: 2 });
    expect(metricNamed(summary, "vus").values).toEqual({ value: 7, min: 5, max: 7 });
    expect(metricNamed(summary, "data_sent")).toMatchObject({ contains: "data", values: { count: 150 } });
    const duration = metricNamed(summary, "http_req_duration");
    expect(duration).toMatchObject({ type: "trend", contains: "time", values: { avg: 187.5, min: 100, max: 300 } });
    // Sorted 100, 150, 200, 300: nearest rank gives med 150, p90/p95/p99 300.
    for (const [key, exact] of Object.entries({ med: 150, "p(90)": 300, "p(95)": 300, "p(99)": 300, "p(99.9)": 300 })) {
      expect({ key, ok: withinDigits(duration.values[key] as number, exact, 3) }).toEqual({ key, ok: true });
    }
    expect(metricNamed(summary, "http_req_duration{expected_response:true}").values).toMatchObject({
      avg: 150,
      min: 100,
      max: 200,
    });
    expect(metricNamed(summary, "http_reqs{status:500}").values.count).toBe(1);
    const custom = metricNamed(summary, "my_trend").values;
    expect(custom).toMatchObject({ avg: 4 / 3, min: -5, max: 10 });
    expect(withinDigits(custom.med as number, -1, 3)).toBe(true);
  });

  it("shows metrics without samples only when they have thresholds, and evaluates those on zeros", () => {
    const { summary, aggregate } = run();
    expect(summary.metrics.map((m) => m.name)).not.toContain("iterations");
    expect(aggregate.metrics.iterations).toEqual({
      type: "counter",
      contains: "default",
      counter: { sum: 0, samples: 0 },
    });
    expect(metricNamed(summary, "my_counter").values).toEqual({ count: 0, rate: 0 });
  });

  it("evaluates thresholds from the Metric lines and the options, submetrics included", () => {
    const { summary, thresholdDefinitions } = run();
    expect(thresholdDefinitions).toEqual({
      "http_req_duration{expected_response:true}": ["max<=200"],
      "http_reqs{status:500}": ["count<1"],
      http_req_duration: ["p(99.9)<=300", "p(95)<250", "avg<250"],
      http_req_failed: ["rate<0.1"],
      my_counter: ["count>0"],
    });
    expect(summary.thresholds.map((t) => [t.metric, t.expression, t.ok])).toEqual([
      ["http_req_duration{expected_response:true}", "max<=200", true],
      ["http_reqs{status:500}", "count<1", false],
      ["http_req_duration", "p(99.9)<=300", true],
      ["http_req_duration", "p(95)<250", false],
      ["http_req_duration", "avg<250", true],
      ["http_req_failed", "rate<0.1", false],
      ["my_counter", "count>0", false],
    ]);
  });

  it("counts checks per group and check from the checks metric's tags", () => {
    expect(run().summary.checks).toEqual([
      { group: "", name: "status 200", passes: 1, fails: 1 },
      { group: "::login", name: "login ok", passes: 1, fails: 0 },
    ]);
  });

  it("builds the per-second series, late samples and zones included, carrying VUs forward", () => {
    const { series } = run();
    expect(series.map((p) => p.time.getTime() / 1000 - T0)).toEqual([0, 1, 10]);
    expect(series[0]).toMatchObject({
      requests: 2,
      failedRequests: 1,
      vus: 5,
      dataSent: 100,
      checksPassed: 1,
      checksFailed: 1,
    });
    expect(series[1]).toMatchObject({
      requests: 1,
      failedRequests: 0,
      vus: 5,
      dataSent: 50,
      checksPassed: 1,
      checksFailed: 0,
    });
    expect(series[2]).toMatchObject({ requests: 0, vus: 7, dataSent: 0 });
    expect(series[2]?.latencyP50).toBeUndefined();
    // Second 0 holds 100, 300 and the late 150.
    const [s0, s1] = series;
    expect(withinDigits(s0?.latencyP50 as number, 150, 2)).toBe(true);
    expect(withinDigits(s0?.latencyP95 as number, 300, 2)).toBe(true);
    expect(withinDigits(s1?.latencyP99 as number, 200, 2)).toBe(true);
  });

  it("reports unusable lines with their numbers, lists at most maxProblems and counts them all", () => {
    const aggregator = createNdjsonAggregator({ maxProblems: 5 });
    const bad = [
      "not json",
      "[1,2]",
      point("nope", "2024-01-01T00:00:00Z", 1),
      metric("http_reqs", "counter"),
      point("http_reqs", "yesterday", 1),
      '{"type":"Point","metric":"http_reqs","data":{"time":"2024-01-01T00:00:00Z","value":"1"}}',
      "   ",
      metric("x", "histogram"),
      metric("http_reqs", "trend"),
      '{"type":"Summary"}',
      point("http_reqs", "2024-01-01T00:00:00Z", 1),
    ];
    for (const line of bad) aggregator.push(line);
    const result = aggregator.result();
    expect(result.problems).toEqual([
      expect.stringMatching(/^line 1: not JSON \(/),
      "line 2: not a JSON object",
      'line 3: Point of metric "nope" before its Metric line',
      'line 5: Point of http_reqs: "time" is not an RFC 3339 timestamp',
      'line 6: Point of http_reqs: "value" is not a number',
    ]);
    expect(result.problemCount).toBe(8);
    expect(result.points).toBe(1);
    expect(metricNamed(result.summary, "http_reqs").values.count).toBe(1);
    const all = createNdjsonAggregator({ maxProblems: 100 });
    for (const line of bad) all.push(line);
    expect(all.result().problems.slice(5)).toEqual([
      'line 8: Metric x: "type" "histogram" is not one of trend, rate, counter, gauge',
      "line 9: Metric http_reqs declared again as a trend (it is a counter); the new declaration is ignored",
      'line 10: unknown line type "Summary" (expected "Metric" or "Point")',
    ]);
  });

  it("reports a malformed submetric name among the option thresholds", () => {
    const result = createNdjsonAggregator({ thresholds: { "http_reqs{status}": ["count<1"] } }).result();
    expect(result.problems).toEqual(['thresholds: submetric "http_reqs{status}": expected key:value, got "status"']);
  });

  it("keeps aggregating after result()", () => {
    const aggregator = createNdjsonAggregator();
    aggregator.push(metric("http_reqs", "counter"));
    aggregator.push(point("http_reqs", "2024-01-01T00:00:00Z", 1));
    expect(metricNamed(aggregator.result().summary, "http_reqs").values.count).toBe(1);
    aggregator.push(point("http_reqs", "2024-01-01T00:00:02Z", 2));
    expect(metricNamed(aggregator.result().summary, "http_reqs").values).toEqual({ count: 3, rate: 1.5 });
  });
});

describe("aggregateNdjson", () => {
  it("gives the same result from bytes cut anywhere, and skips overlong lines as problems", async () => {
    const maxLineLength = Math.max(...RUN.map((l) => l.length));
    const text = [...RUN, `{"pad":"${"x".repeat(maxLineLength)}"}`, ""].join("\n");
    const whole = run();
    for (const size of [1, 13, 4096]) {
      const result = await aggregateNdjson(chunksOf(text, size), { ...OPTIONS, maxLineLength });
      expect(result.summary).toEqual(whole.summary);
      expect(result.series).toEqual(whole.series);
      expect(result.problems).toEqual([`line ${RUN.length + 1}: longer than ${maxLineLength} characters; skipped`]);
    }
  });
});
