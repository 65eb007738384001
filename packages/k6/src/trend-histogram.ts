import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type JsHistogram } from "hdr-histogram-js";
import { HISTOGRAM_SCALE } from "./aggregate-types.js";
import { quantilesOfBuckets } from "./quantiles.js";

/** Whole-run trend histograms keep 3 significant digits (0.1 % relative error), like k6's own summary. */
export const TREND_DIGITS = 3;
const MAX_SCALED = Number.MAX_SAFE_INTEGER;

/** An empty auto-resizing histogram with 64-bit counts, so merged shards never overflow a bucket. */
export function newTrendHistogram(): JsHistogram {
  return build({
    bitBucketSize: 64,
    numberOfSignificantValueDigits: TREND_DIGITS,
    lowestDiscernibleValue: 1,
    autoResize: true,
    useWebAssembly: false,
  }) as JsHistogram;
}

/** Records a (non-negative) sample given in its own unit, scaled to an integer; huge values are capped. */
export function recordScaled(histogram: JsHistogram, value: number): void {
  const scaled = Math.round(value * HISTOGRAM_SCALE);
  histogram.recordValue(Math.min(scaled, MAX_SCALED));
}

/** HdrHistogram V2 compressed base64, readable by any HdrHistogram implementation. */
export const encodeTrendHistogram = (histogram: JsHistogram): string => encodeIntoCompressedBase64(histogram);

/** Decodes {@link encodeTrendHistogram}'s output; throws naming `path` when it is not a histogram. */
export function decodeTrendHistogram(text: string, path: string): JsHistogram {
  let histogram: JsHistogram;
  try {
    histogram = decodeFromCompressedBase64(text, 64, false) as JsHistogram;
  } catch (error) {
    throw new Error(`${path}: not an HdrHistogram compressed base64 encoding (${(error as Error).message})`);
  }
  if (histogram.numberOfSignificantValueDigits !== TREND_DIGITS || histogram.lowestDiscernibleValue !== 1) {
    throw new Error(
      `${path}: histogram has ${histogram.numberOfSignificantValueDigits} significant digits and lowest value ` +
        `${histogram.lowestDiscernibleValue}; expected ${TREND_DIGITS} and 1`,
    );
  }
  histogram.autoResize = true;
  return histogram;
}

/**
 * Values (in the samples' unit) at the given quantiles of a trend recorded as a histogram of its
 * non-negative samples plus one of the absolute values of its negative samples. Each value is the
 * upper edge of the bucket the quantile falls in, clamped to the exact [min, max] seen.
 */
export function trendQuantiles(
  positive: JsHistogram,
  negative: JsHistogram | undefined,
  quantiles: number[],
  min: number,
  max: number,
): number[] {
  const values: number[] = [];
  const counts: number[] = [];
  if (negative) {
    const neg = nonEmptyBuckets(negative);
    for (let i = neg.indexes.length - 1; i >= 0; i--) {
      // The upper edge of a mirrored bucket [-high, -low] is -low.
      values.push(-negative.lowestEquivalentValue(negative.valueFromIndex(neg.indexes[i] ?? 0)) / HISTOGRAM_SCALE);
      counts.push(neg.counts[i] ?? 0);
    }
  }
  const pos = nonEmptyBuckets(positive);
  for (let i = 0; i < pos.indexes.length; i++) {
    values.push(positive.highestEquivalentValue(positive.valueFromIndex(pos.indexes[i] ?? 0)) / HISTOGRAM_SCALE);
    counts.push(pos.counts[i] ?? 0);
  }
  return quantilesOfBuckets(values, counts, quantiles).map((v) => Math.min(Math.max(v, min), max));
}

/** The indexes and counts of a histogram's non-empty buckets, ascending. */
function nonEmptyBuckets(histogram: JsHistogram): { indexes: number[]; counts: number[] } {
  const indexes: number[] = [];
  const counts: number[] = [];
  if (histogram.totalCount === 0) return { indexes, counts };
  const last = Math.min(histogram.countsArrayIndex(histogram.maxValue), histogram.countsArrayLength - 1);
  for (let i = 0; i <= last; i++) {
    const count = histogram.getCountAtIndex(i);
    if (count > 0) {
      indexes.push(i);
      counts.push(count);
    }
  }
  return { indexes, counts };
}
