import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { aggregateNdjson } from "./aggregate-ndjson.js";
import { parseHandleSummary } from "./handle-summary.js";
import { parseSummaryExport } from "./summary-export.js";
import { fixtures } from "./test-support.js";
import type { MetricSummary } from "./types.js";

// The fixtures come from different runs, so values cannot be compared across formats; what must
// agree is how each parser describes the same metric: its type, its value names and its contains.
const byName = (metrics: MetricSummary[][]) => new Map(metrics.flat().map((m) => [m.name, m]));
const exported = byName(fixtures("summary-export").map(([, t]) => parseSummaryExport(t).metrics));
const handled = byName(fixtures("handlesummary").map(([, t]) => parseHandleSummary(t).metrics));

describe("the three parsers describe a metric the same way", () => {
  const shared = [...exported.keys()].filter((name) => handled.has(name));

  it("the fixtures share metrics of every type, submetrics included", () => {
    expect(new Set(shared.map((n) => handled.get(n)?.type))).toEqual(new Set(["trend", "rate", "counter", "gauge"]));
    expect(shared).toContain("http_req_duration{expected_response:true}");
  });

  it("summary export infers the type and value names handleSummary declares", () => {
    for (const name of shared) {
      const a = exported.get(name) as MetricSummary;
      const b = handled.get(name) as MetricSummary;
      expect({ name, type: a.type, keys: Object.keys(a.values).sort() }).toEqual({
        name,
        type: b.type,
        keys: Object.keys(b.values).sort(),
      });
      if (b.contains !== "default") expect({ name, contains: a.contains }).toEqual({ name, contains: b.contains });
    }
  });

  it("NDJSON summaries type metrics like handleSummary and carry at least its value names", async () => {
    for (const [file, text] of fixtures("ndjson")) {
      const { summary } = await aggregateNdjson(Readable.from([text]));
      for (const metric of summary.metrics.filter((m) => handled.has(m.name))) {
        const b = handled.get(metric.name) as MetricSummary;
        expect({ file, name: metric.name, type: metric.type, contains: metric.contains }).toEqual({
          file,
          name: metric.name,
          type: b.type,
          contains: b.contains,
        });
        expect(Object.keys(metric.values)).toEqual(expect.arrayContaining(Object.keys(b.values)));
      }
    }
  });
});
