/**
 * Values at the given quantiles (0..1, ascending or not) of a bucketed distribution: `values` are
 * the buckets' representative values in ascending order and `counts` their sample counts. Each
 * result is the value of the first bucket whose cumulative count reaches `ceil(q × total)` (at
 * least 1): HdrHistogram's `getValueAtPercentile`, computed for all quantiles in one pass.
 * Returns 0 for every quantile when `total` is 0 (k6 reports 0 for an empty trend).
 */
export function quantilesOfBuckets(
  values: ArrayLike<number>,
  counts: ArrayLike<number>,
  quantiles: number[],
): number[] {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i] ?? 0;
  const result = new Array<number>(quantiles.length).fill(0);
  if (total === 0) return result;
  const order = quantiles.map((_, i) => i).sort((a, b) => (quantiles[a] ?? 0) - (quantiles[b] ?? 0));
  let next = 0;
  let cumulative = 0;
  for (let i = 0; i < counts.length && next < order.length; i++) {
    cumulative += counts[i] ?? 0;
    while (next < order.length) {
      const slot = order[next] ?? 0;
      if (cumulative < countAtQuantile(quantiles[slot] ?? 0, total)) break;
      result[slot] = values[i] ?? 0;
      next++;
    }
  }
  return result;
}

/** Rank reached by quantile `q` of `total` samples, rounded up but immune to one-ulp float error (as HdrHistogram does). */
function countAtQuantile(q: number, total: number): number {
  const fp = Math.min(Math.max(q, 0), 1) * total;
  const ulp = fp > 0 ? 2 ** (Math.floor(Math.log2(fp)) - 52) : 0;
  return Math.max(1, Math.ceil(fp - ulp));
}

/** Parses the `N` of a k6 `p(N)` value name into a quantile (0..1), or undefined when `key` is not one. */
export function quantileOfKey(key: string): number | undefined {
  const match = /^p\(\s*([0-9]+(?:\.[0-9]+)?)\s*\)$/.exec(key);
  if (!match) return undefined;
  const percent = Number(match[1]);
  return percent <= 100 ? percent / 100 : undefined;
}

/** k6's name for the value at `percent` (e.g. `p(95)`, `p(99.9)`). */
export const percentileKey = (percent: number): string => `p(${percent})`;
