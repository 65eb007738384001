import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { aggregateNdjson } from "./aggregate-ndjson.js";
import { metricNamed } from "./test-support.js";

setFlagsFromString("--expose_gc");
const gc = runInNewContext("gc") as () => void;

const POINTS = 1_000_000;
const SECONDS = 500;

/**
 * A k6 NDJSON stream of {@link POINTS} samples over {@link SECONDS} seconds, generated chunk by
 * chunk. `heapAt` records the live heap (after a full GC) when 10 % and 100 % of it has been read.
 */
async function* generatedRun(heapAt: number[]): AsyncGenerator<string> {
  yield [
    '{"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default"},"metric":"http_reqs"}',
    '{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":["p(95)<900"]},"metric":"http_req_duration"}',
    "",
  ].join("\n");
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const perChunk = 2000;
  for (let i = 0; i < POINTS; i += perChunk) {
    if (i === POINTS / 10) heapAt.push(liveHeap());
    const lines: string[] = [];
    for (let j = i; j < i + perChunk; j += 2) {
      const ms = Math.floor((j / POINTS) * SECONDS * 1000);
      const time = new Date(Date.UTC(2024, 0, 1) + ms).toISOString();
      const tags = `{"status":"${random() < 0.01 ? 500 : 200}"}`;
      lines.push(`{"metric":"http_reqs","type":"Point","data":{"time":"${time}","value":1,"tags":${tags}}}`);
      const value = (random() * 1000).toFixed(3);
      lines.push(
        `{"metric":"http_req_duration","type":"Point","data":{"time":"${time}","value":${value},"tags":${tags}}}`,
      );
    }
    yield `${lines.join("\n")}\n`;
  }
  heapAt.push(liveHeap());
}

function liveHeap(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

describe("aggregateNdjson memory", () => {
  it(`aggregates ${POINTS.toLocaleString("en")} points keeping nothing per point`, async () => {
    const heapAt: number[] = [];
    const result = await aggregateNdjson(generatedRun(heapAt));
    const [early = 0, late = 0] = heapAt;

    expect(result.points).toBe(POINTS);
    expect(result.problems).toEqual([]);
    expect(metricNamed(result.summary, "http_reqs").values.count).toBe(POINTS / 2);
    expect(result.series).toHaveLength(SECONDS);
    expect(result.series.reduce((n, s) => n + s.requests, 0)).toBe(POINTS / 2);
    // Uniform 0..1000 ms: p95 near 950, so the threshold fails.
    expect(metricNamed(result.summary, "http_req_duration").values["p(95)"]).toBeCloseTo(950, -1);
    expect(result.summary.thresholds).toEqual([{ metric: "http_req_duration", expression: "p(95)<900", ok: false }]);
    // While the last 900,000 points stream through, the heap may grow only by what is kept per
    // second (450 more seconds, each a few counters and an encoded latency histogram). Keeping even
    // one number per point would take 3.6 MB more (450,000 durations × 8 bytes, as a packed array).
    expect(late - early).toBeLessThan(1.5 * 1024 * 1024);
  }, 60_000);
});
