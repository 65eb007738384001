import { describe, expect, it } from "vitest";
import { parseHandleSummary } from "./handle-summary.js";
import { fixtures, metricNamed } from "./test-support.js";

describe("parseHandleSummary on every real handleSummary file", () => {
  it.each(fixtures("handlesummary"))("%s: metrics, thresholds and duration as written", (_, text) => {
    const raw = JSON.parse(text);
    const summary = parseHandleSummary(text);
    expect(summary.metrics).toHaveLength(Object.keys(raw.metrics).length);
    for (const metric of summary.metrics) {
      const source = raw.metrics[metric.name];
      expect(metric).toEqual({
        name: metric.name,
        type: source.type,
        contains: source.contains,
        values: source.values,
      });
    }
    const expected = Object.entries(raw.metrics).flatMap(([name, m]) =>
      Object.entries((m as { thresholds?: Record<string, { ok: boolean }> }).thresholds ?? {}).map(([e, r]) => ({
        metric: name,
        expression: e,
        ok: r.ok,
      })),
    );
    expect(summary.thresholds).toEqual(expected);
    expect(summary.durationMs).toBe(raw.state.testRunDurationMs);
  });

  it.each(fixtures("handlesummary"))("%s: compact and pretty forms parse the same", (_, text) => {
    const value = JSON.parse(text);
    expect(parseHandleSummary(JSON.stringify(value, null, 2))).toEqual(parseHandleSummary(JSON.stringify(value)));
  });

  it("keeps a failed threshold failed and reads checks written as an array", () => {
    const [, text] = fixtures("handlesummary").find(([n]) => n.includes("threshold-failed")) ?? [];
    const summary = parseHandleSummary(text as string);
    expect(summary.thresholds.filter((t) => !t.ok)).toEqual([
      { metric: "http_req_duration", expression: "p(95) < 5000", ok: false },
    ]);
    expect(summary.checks).toEqual([
      { group: "", name: "status is 200", passes: 854, fails: 0 },
      { group: "", name: "has translated field", passes: 854, fails: 0 },
      { group: "", name: "translation not empty", passes: 854, fails: 0 },
      { group: "", name: "response time < 10s", passes: 345, fails: 509 },
    ]);
    expect(metricNamed(summary, "checks").values).toEqual({ rate: 0.8509953161592506, passes: 2907, fails: 509 });
  });

  it("reads nested groups written as objects (older k6) with their paths", () => {
    const text = JSON.stringify({
      metrics: {},
      root_group: {
        path: "",
        checks: {},
        groups: {
          login: {
            path: "::login",
            checks: { ok: { name: "ok", passes: 2, fails: 1 } },
            groups: { mfa: { path: "::login::mfa", checks: [{ name: "code", passes: 1, fails: 0 }], groups: [] } },
          },
        },
      },
    });
    expect(parseHandleSummary(text).checks).toEqual([
      { group: "::login", name: "ok", passes: 2, fails: 1 },
      { group: "::login::mfa", name: "code", passes: 1, fails: 0 },
    ]);
  });

  it("names what is wrong in malformed input", () => {
    expect(() => parseHandleSummary("nope")).toThrow(/^handleSummary: not JSON/);
    expect(() => parseHandleSummary('{"metrics":{"x":{"type":"histogram","values":{}}}}')).toThrow(
      "handleSummary: metrics.x.type: expected one of trend, rate, counter, gauge",
    );
    expect(() => parseHandleSummary('{"metrics":{"x":{"type":"rate"}}}')).toThrow(
      "handleSummary: metrics.x.values: expected an object",
    );
    expect(() =>
      parseHandleSummary('{"metrics":{"x":{"type":"rate","values":{"rate":0},"thresholds":{"rate<1":true}}}}'),
    ).toThrow("handleSummary: metrics.x.thresholds.rate<1: expected an object");
    expect(() => parseHandleSummary('{"metrics":{},"state":{"testRunDurationMs":"1s"}}')).toThrow(
      "handleSummary: state.testRunDurationMs: expected a number",
    );
  });
});
