import { readFileSync } from "node:fs";
import path from "node:path";
import { createNdjsonAggregator, type K6Aggregate, summarizeAggregate } from "@tstr/k6";
import { describe, expect, it } from "vitest";
import { K6_SHARD_MERGE_FAILED, K6_SHARD_MISSING_METRICS, mergeShardAggregates } from "./merge-shard-aggregates.js";

// The merge of a distributed run's shards, on a real k6 output's samples dealt out to two shards.

const FIXTURE = path.resolve(
  import.meta.dirname,
  "../../../../../shared/fixtures/k6/ndjson/r00tsh_golang-api-test_k6_results.ndjson",
);
const lines = readFileSync(FIXTURE, "utf8").split("\n").filter(Boolean);
const declarations = lines.filter((l) => l.includes('"type":"Metric"'));
const points = lines.filter((l) => !l.includes('"type":"Metric"'));

function aggregate(part: string[], thresholds: Record<string, string[]>): K6Aggregate {
  const aggregator = createNdjsonAggregator({ thresholds });
  for (const line of [...declarations, ...part]) aggregator.push(line);
  return aggregator.result().aggregate;
}

const thresholds = { http_reqs: ["count<200"], http_req_duration: ["p(95)<100"] };
// Stored aggregates come back from JSONB as plain JSON.
const stored = (a: K6Aggregate) => JSON.parse(JSON.stringify(a)) as unknown;
const halves = [0, 1].map((shard) =>
  stored(
    aggregate(
      points.filter((_, i) => i % 2 === shard),
      thresholds,
    ),
  ),
);

describe("mergeShardAggregates", () => {
  it("judges the thresholds once on the merged data", () => {
    const merged = mergeShardAggregates(
      halves.map((aggregate, shardIndex) => ({ shardIndex, aggregate })),
      2,
    );
    expect(merged).toMatchObject({ verdict: "FAIL", reason: "THRESHOLDS", missingShards: [], findings: [] });
    expect(merged.summary.thresholds.map((t) => [t.metric, t.expression, t.ok])).toEqual([
      ["http_req_duration", "p(95)<100", true],
      ["http_reqs", "count<200", false],
    ]);
    const whole = summarizeAggregate(aggregate(points, thresholds));
    expect(merged.summary.metrics.find((m) => m.name === "http_reqs")?.values.count).toBe(300);
    expect(merged.summary.metrics.find((m) => m.name === "http_req_duration")?.values["p(95)"]).toBe(
      whole.metrics.find((m) => m.name === "http_req_duration")?.values["p(95)"],
    );
    expect(merged.series.reduce((n, p) => n + p.requests, 0)).toBe(300);
  });

  it("passes when every merged threshold holds", () => {
    const loose = [0, 1].map((shard) =>
      stored(
        aggregate(
          points.filter((_, i) => i % 2 === shard),
          { http_reqs: ["count<1000"] },
        ),
      ),
    );
    const merged = mergeShardAggregates(
      loose.map((aggregate, shardIndex) => ({ shardIndex, aggregate })),
      2,
    );
    expect(merged).toMatchObject({ verdict: "PASS", missingShards: [] });
    expect(merged.reason).toBeUndefined();
  });

  it("is ERROR and names the shards without an aggregate (or with one that does not parse)", () => {
    const merged = mergeShardAggregates(
      [
        { shardIndex: 0, aggregate: halves[0] },
        { shardIndex: 2, aggregate: { format: "something else" } },
      ],
      3,
    );
    expect(merged).toMatchObject({ verdict: "ERROR", reason: K6_SHARD_MISSING_METRICS, missingShards: [1, 2] });
    expect(merged.findings.map((f) => [f.code, f.severity, f.evidence])).toEqual([
      [K6_SHARD_MISSING_METRICS, "critical", { missingShards: 2, shards: 3 }],
    ]);
    expect(merged.findings[0]?.message).toMatch(/^shards 2, 3 of 3 reported no k6 metrics: this report covers 1 of 3/);
    expect(merged.summary.metrics.find((m) => m.name === "http_reqs")?.values.count).toBe(150);
  });

  it("is ERROR when the shards' metrics do not merge", () => {
    const other = JSON.parse(JSON.stringify(halves[1]));
    other.metrics.http_reqs = { type: "rate", rate: { passes: 1, fails: 1 } };
    const merged = mergeShardAggregates(
      [
        { shardIndex: 0, aggregate: halves[0] },
        { shardIndex: 1, aggregate: other },
      ],
      2,
    );
    expect(merged).toMatchObject({ verdict: "ERROR", reason: K6_SHARD_MERGE_FAILED });
    expect(merged.findings[0]?.message).toMatch(/http_reqs: is a rate here but a counter/);
  });
});
