import { describe, expect, it } from "vitest";
import { parseSummaryExport } from "./summary-export.js";
import { fixtures, metricNamed } from "./test-support.js";

const VALUE_NAMES = {
  trend: ["avg", "max", "med", "min", "p(90)", "p(95)"],
  rate: ["fails", "passes", "rate"],
  counter: ["count", "rate"],
  gauge: ["max", "min", "value"],
};

describe("parseSummaryExport on every real --summary-export file", () => {
  it.each(fixtures("summary-export"))("%s: every metric typed from its values, with k6's value names", (_, text) => {
    const raw = JSON.parse(text).metrics as Record<string, Record<string, unknown>>;
    const summary = parseSummaryExport(text);
    expect(summary.metrics.map((m) => m.name).sort()).toEqual(Object.keys(raw).sort());
    for (const metric of summary.metrics) {
      expect(Object.keys(metric.values).sort()).toEqual(VALUE_NAMES[metric.type]);
      const source = raw[metric.name] as Record<string, number>;
      if (metric.type === "rate") {
        expect(metric.values).toEqual({ rate: source.value, passes: source.passes, fails: source.fails });
      } else for (const [key, value] of Object.entries(metric.values)) expect(value).toBe(source[key]);
    }
    const thresholdCount = Object.values(raw).reduce((n, m) => n + Object.keys(m.thresholds ?? {}).length, 0);
    expect(summary.thresholds).toHaveLength(thresholdCount);
    expect(summary.durationMs).toBeGreaterThan(0);
  });

  it("reads a threshold value true as FAILED and false as passed", () => {
    const [, failed] = fixtures("summary-export").find(([n]) => n.includes("threshold-failed")) ?? [];
    expect(parseSummaryExport(failed as string).thresholds).toEqual([
      { metric: "http_req_duration", expression: "p(95)<50", ok: false },
    ]);
    const [, passed] = fixtures("summary-export").find(([n]) => n.includes("groups_thresholds")) ?? [];
    expect(parseSummaryExport(passed as string).thresholds).toEqual([
      { metric: "http_req_duration", expression: "p(95)<1000", ok: true },
    ]);
  });

  it("types rates, counters, gauges, trends and keeps submetrics as metrics of their own", () => {
    const [, text] = fixtures("summary-export").find(([n]) => n.includes("sweet-poision")) ?? [];
    const summary = parseSummaryExport(text as string);
    expect(metricNamed(summary, "http_req_failed")).toEqual({
      name: "http_req_failed",
      type: "rate",
      values: { rate: 0.22851878243852633, passes: 171890, fails: 580302 },
    });
    expect(metricNamed(summary, "auth_limited_429").type).toBe("rate");
    expect(metricNamed(summary, "dropped_iterations")).toMatchObject({ type: "counter", values: { count: 188 } });
    expect(metricNamed(summary, "vus")).toMatchObject({ type: "gauge", values: { value: 147, min: 25, max: 2961 } });
    expect(metricNamed(summary, "http_req_duration{expected_response:true}")).toMatchObject({
      type: "trend",
      contains: "time",
      values: { "p(95)": 179.97679984999996 },
    });
    expect(metricNamed(summary, "data_sent").contains).toBe("data");
    expect(metricNamed(summary, "auth_success_200").contains).toBeUndefined();
    // 752192 http_reqs at 16704.12/s: the duration k6 divided by.
    expect(summary.durationMs).toBeCloseTo(45_030.31, 1);
  });

  it("takes checks from the root group and nested groups with the group path", () => {
    const [, text] = fixtures("summary-export").find(([n]) => n.includes("groups_thresholds")) ?? [];
    expect(parseSummaryExport(text as string).checks).toEqual([
      { group: "::Main page", name: "status is 200", passes: 1, fails: 0 },
    ]);
    const [, ws] = fixtures("summary-export").find(([n]) => n.includes("centrifugo")) ?? [];
    expect(parseSummaryExport(ws as string).checks).toEqual([
      { group: "", name: "Connection status is 101 (Switching Protocols)", passes: 1016, fails: 0 },
    ]);
  });

  it("names what is wrong in malformed input", () => {
    expect(() => parseSummaryExport("{")).toThrow(/^summary export: not JSON/);
    expect(() => parseSummaryExport("[]")).toThrow("summary export: expected an object");
    expect(() => parseSummaryExport("{}")).toThrow("summary export: metrics: expected an object");
    expect(() => parseSummaryExport('{"metrics":{"http_reqs":5}}')).toThrow(
      "summary export: metrics.http_reqs: expected an object",
    );
    expect(() => parseSummaryExport('{"metrics":{"http_reqs":{"count":"5"}}}')).toThrow(
      "summary export: metrics.http_reqs.count: expected a number",
    );
    expect(() => parseSummaryExport('{"metrics":{"x":{"foo":1}}}')).toThrow(
      "summary export: metrics.x: cannot tell the metric type from its values (foo)",
    );
    expect(() => parseSummaryExport('{"metrics":{"x":{"count":1,"rate":1,"thresholds":{"count<2":"no"}}}}')).toThrow(
      "summary export: metrics.x.thresholds.count<2: expected true or false",
    );
    expect(() =>
      parseSummaryExport('{"metrics":{},"root_group":{"path":"","checks":{"c":{"name":"c","passes":1}}}}'),
    ).toThrow("summary export: root_group.checks.c.fails: expected a number");
  });
});
