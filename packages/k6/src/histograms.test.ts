import fc from "fast-check";
import { build, JsHistogram } from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { HISTOGRAM_SCALE } from "./aggregate-types.js";
import {
  decodeSparse,
  encodeSparse,
  recordSparse,
  SERIES_DIGITS,
  type SparseHistogram,
  sparseQuantiles,
} from "./series-histogram.js";
import { nearestRank, withinDigits } from "./test-support.js";
import {
  decodeTrendHistogram,
  encodeTrendHistogram,
  newTrendHistogram,
  recordScaled,
  trendQuantiles,
} from "./trend-histogram.js";

const QUANTILES = [0, 0.01, 0.5, 0.9, 0.95, 0.99, 0.999, 1];
const latencies = fc.array(fc.double({ min: 0, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 300 });

function sparseOf(values: number[]): SparseHistogram {
  const sparse: SparseHistogram = new Map();
  for (const v of values) recordSparse(sparse, v);
  return sparse;
}

describe("per-second (sparse) histograms", () => {
  it("give HdrHistogram's own percentiles", () => {
    fc.assert(
      fc.property(latencies, (values) => {
        const reference = build({ numberOfSignificantValueDigits: SERIES_DIGITS, useWebAssembly: false });
        for (const v of values) reference.recordValue(Math.round(v * HISTOGRAM_SCALE));
        const ours = sparseQuantiles(sparseOf(values), QUANTILES.slice(1));
        expect(ours).toEqual(QUANTILES.slice(1).map((q) => reference.getValueAtPercentile(q * 100) / HISTOGRAM_SCALE));
      }),
    );
  });

  it("are within 2 significant digits of the exact nearest-rank percentiles", () => {
    fc.assert(
      fc.property(latencies, (values) => {
        const sorted = [...values].sort((a, b) => a - b);
        const ours = sparseQuantiles(sparseOf(values), QUANTILES);
        QUANTILES.forEach((q, i) => {
          expect(withinDigits(ours[i] as number, nearestRank(sorted, q), SERIES_DIGITS)).toBe(true);
        });
      }),
    );
  });

  it("encode to standard HdrHistogram V2 that decodes to the same counts, here and in hdr-histogram-js", () => {
    fc.assert(
      fc.property(latencies, (values) => {
        const sparse = sparseOf(values);
        const encoded = encodeSparse(sparse);
        expect(decodeSparse(encoded, "x")).toEqual(sparse);
        const decoded = decodeWithLibrary(encoded);
        expect(decoded.totalCount).toBe(values.length);
        expect(decoded.getValueAtPercentile(95) / HISTOGRAM_SCALE).toBe(sparseQuantiles(sparse, [0.95])[0]);
      }),
    );
    expect(decodeSparse(encodeSparse(new Map()), "x")).toEqual(new Map());
  });

  it("refuse what is not one of theirs, naming the field", () => {
    expect(() => decodeSparse("", "series[3].latency")).toThrow(
      "series[3].latency: not a per-second latency histogram (too short)",
    );
    const trend = newTrendHistogram();
    trend.recordValue(5);
    expect(() => decodeSparse(encodeTrendHistogram(trend), "s")).toThrow(
      "not an uncompressed HdrHistogram V2 encoding",
    );
    const bytes = Buffer.from(encodeSparse(sparseOf([1, 2, 3])), "base64");
    bytes[15] = 3; // significant digits
    expect(() => decodeSparse(bytes.toString("base64"), "s")).toThrow("expected 2 significant digits");
    expect(() => decodeSparse(bytes.subarray(0, 41).toString("base64"), "s")).toThrow(
      "payload shorter than its header says",
    );
  });
});

/** hdr-histogram-js's own decoder of uncompressed V2 encodings. */
const decodeWithLibrary = (base64: string): JsHistogram =>
  (JsHistogram as unknown as { decode(data: Uint8Array): JsHistogram }).decode(
    new Uint8Array(Buffer.from(base64, "base64")),
  );

describe("whole-run trend histograms", () => {
  const samples = fc.array(fc.double({ min: -5_000, max: 600_000, noNaN: true }), { minLength: 1, maxLength: 300 });

  it("are within 3 significant digits of the exact nearest-rank percentiles, negative samples included", () => {
    fc.assert(
      fc.property(samples, (values) => {
        const positive = newTrendHistogram();
        const negative = newTrendHistogram();
        for (const v of values) recordScaled(v >= 0 ? positive : negative, Math.abs(v));
        const sorted = [...values].sort((a, b) => a - b);
        const hasNegative = values.some((v) => v < 0);
        const ours = trendQuantiles(
          positive,
          hasNegative ? negative : undefined,
          QUANTILES,
          sorted[0] as number,
          sorted.at(-1) as number,
        );
        QUANTILES.forEach((q, i) => {
          const exact = nearestRank(sorted, q);
          expect({ q, exact, ok: withinDigits(ours[i] as number, exact, 3) }).toEqual({ q, exact, ok: true });
        });
      }),
    );
  });

  it("survive encoding, and refuse other precisions", () => {
    const histogram = newTrendHistogram();
    for (const v of [0.0012, 5.5, 18.498, 1234.5678]) recordScaled(histogram, v);
    const decoded = decodeTrendHistogram(encodeTrendHistogram(histogram), "h");
    expect(decoded.totalCount).toBe(4);
    expect(trendQuantiles(decoded, undefined, [0.5, 1], 0, 1e9)).toEqual(
      trendQuantiles(histogram, undefined, [0.5, 1], 0, 1e9),
    );
    const coarse = build({ numberOfSignificantValueDigits: 2, useWebAssembly: false });
    coarse.recordValue(10);
    expect(() =>
      decodeTrendHistogram(encodeTrendHistogram(coarse as JsHistogram), "metrics.x.trend.histogram"),
    ).toThrow("metrics.x.trend.histogram: histogram has 2 significant digits and lowest value 1; expected 3 and 1");
    expect(() => decodeTrendHistogram("!!", "h")).toThrow(/^h: not an HdrHistogram compressed base64 encoding/);
  });
});
