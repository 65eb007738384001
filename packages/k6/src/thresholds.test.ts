import { describe, expect, it } from "vitest";
import { parseThresholdExpression, ThresholdSyntaxError } from "./threshold-expression.js";
import { evaluateThresholds } from "./thresholds.js";
import type { MetricSummary } from "./types.js";

describe("parseThresholdExpression", () => {
  it.each([
    ["p(95)<500", { aggregation: "p", percentile: 95, valueKey: "p(95)", operator: "<", threshold: 500 }],
    [
      "  p( 99.9 )  <=  1500.5 ",
      { aggregation: "p", percentile: 99.9, valueKey: "p(99.9)", operator: "<=", threshold: 1500.5 },
    ],
    ["p(95.0)<1", { valueKey: "p(95)" }],
    ["rate<0.01", { aggregation: "rate", valueKey: "rate", operator: "<", threshold: 0.01 }],
    ["count>=10", { aggregation: "count", operator: ">=", threshold: 10 }],
    ["value===3", { aggregation: "value", operator: "===", threshold: 3 }],
    ["avg == -2", { aggregation: "avg", operator: "==", threshold: -2 }],
    ["med!=.5", { aggregation: "med", operator: "!=", threshold: 0.5 }],
    ["max>1e3", { aggregation: "max", operator: ">", threshold: 1000 }],
    ["min < 0", { aggregation: "min", operator: "<", threshold: 0 }],
  ])("%s", (source, expected) => {
    expect(parseThresholdExpression(source)).toMatchObject({ source, ...expected });
  });

  it.each([
    ["", 0, "expected an aggregation"],
    ["p95<1", 0, 'unknown aggregation "p95"'],
    ["mean<1", 0, 'unknown aggregation "mean"'],
    ["p<1", 1, 'expected "(" after p'],
    ["p(95<1", 4, 'expected ")"'],
    ["p(-1)<1", 2, "expected a percentile from 0 to 100"],
    ["p(101)<1", 2, "percentile 101 is outside 0..100"],
    ["avg 500", 4, "expected an operator"],
    ["avg =< 5", 4, "expected an operator"],
    ["avg<", 4, "expected a number"],
    ["avg<5ms", 5, 'unexpected "ms"'],
    ["rate<0.1 && rate>0", 9, 'unexpected "&& rate>0"'],
  ])("%j is refused at position %i: %s", (source, position, problem) => {
    let error: unknown;
    try {
      parseThresholdExpression(source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ThresholdSyntaxError);
    expect(error).toMatchObject({ expression: source, position });
    expect((error as Error).message).toContain(`threshold ${JSON.stringify(source)}: ${problem}`);
    expect((error as Error).message).toContain(`at position ${position}`);
  });
});

const trend = (values: Record<string, number>): MetricSummary => ({ name: "http_req_duration", type: "trend", values });

describe("evaluateThresholds", () => {
  const metrics: MetricSummary[] = [
    trend({ avg: 120, min: 5, med: 100, max: 900, "p(90)": 300, "p(95)": 450, "p(99)": 800 }),
    { name: "http_req_failed", type: "rate", values: { rate: 0.02, passes: 2, fails: 98 } },
    { name: "http_reqs", type: "counter", values: { count: 100, rate: 10 } },
    { name: "vus", type: "gauge", values: { value: 3, min: 1, max: 10 } },
  ];

  it("compares the named value with every operator", () => {
    const results = evaluateThresholds(
      {
        http_req_duration: ["p(95)<500", "p(95)<450", "p(95)<=450", "avg>120", "med===100", "max!=900"],
        http_req_failed: ["rate<0.01", "rate<0.05"],
        http_reqs: ["count>=100", "rate>10"],
        vus: ["value==3"],
      },
      metrics,
    );
    expect(results.map((r) => [r.metric, r.expression, r.ok])).toEqual([
      ["http_req_duration", "p(95)<500", true],
      ["http_req_duration", "p(95)<450", false],
      ["http_req_duration", "p(95)<=450", true],
      ["http_req_duration", "avg>120", false],
      ["http_req_duration", "med===100", true],
      ["http_req_duration", "max!=900", false],
      ["http_req_failed", "rate<0.01", false],
      ["http_req_failed", "rate<0.05", true],
      ["http_reqs", "count>=100", true],
      ["http_reqs", "rate>10", false],
      ["vus", "value==3", true],
    ]);
  });

  it("evaluates a metric without samples on k6's empty-sink zeros", () => {
    const results = evaluateThresholds(
      { errors: ["count<10", "count>0"], http_req_failed: ["rate<0.01"], checks: ["rate>0.9"], missing: ["p(95)<1"] },
      [
        { name: "errors", type: "counter", values: { count: 0, rate: 0 } },
        { name: "http_req_failed", type: "rate", values: { rate: 0, passes: 0, fails: 0 } },
      ],
    );
    expect(results.map((r) => r.ok)).toEqual([true, false, true, false, true]);
  });

  it("fails, with the reason, thresholds it cannot evaluate", () => {
    const results = evaluateThresholds(
      { http_req_duration: ["p(99.9)<1", "count<1", "p95<1"], vus: ["max<100"], http_req_failed: ["value<1"] },
      metrics,
    );
    expect(results).toEqual([
      {
        metric: "http_req_duration",
        expression: "p(99.9)<1",
        ok: false,
        error: "http_req_duration has no p(99.9) value in the summary",
      },
      {
        metric: "http_req_duration",
        expression: "count<1",
        ok: false,
        error: "http_req_duration is a trend metric: it has no count (supported: avg, min, max, med, p(N))",
      },
      {
        metric: "http_req_duration",
        expression: "p95<1",
        ok: false,
        error: expect.stringContaining('threshold "p95<1": unknown aggregation "p95"'),
      },
      {
        metric: "vus",
        expression: "max<100",
        ok: false,
        error: "vus is a gauge metric: it has no max (supported: value)",
      },
      { metric: "http_req_failed", expression: "value<1", ok: false, error: expect.stringContaining("has no value") },
    ]);
  });
});
