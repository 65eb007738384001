/** k6's flags that make one shard of a distributed run execute its part of the load. */
export interface ExecutionSegmentFlags {
  /** `--execution-segment`, e.g. `1/3:2/3` for shard 1 of 3. */
  segment: string;
  /** `--execution-segment-sequence`, e.g. `0,1/3,2/3,1`; the same for every shard of a run. */
  sequence: string;
}

/**
 * The execution segment of shard `index` (0-based) of `count`: the shards split the run's VUs and
 * iterations into `count` equal, adjacent parts. Every shard passes the whole sequence so k6 spreads
 * VUs over the segments exactly as it would for one run (no shard gets rounding leftovers twice).
 * Fractions are reduced (`2/4` → `1/2`) and the ends are written `0` and `1`, as k6's docs do.
 */
export function executionSegmentFlags(index: number, count: number): ExecutionSegmentFlags {
  if (!Number.isSafeInteger(count) || count < 1)
    throw new RangeError(`shard count must be a positive integer, got ${count}`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`shard index must be an integer from 0 to ${count - 1}, got ${index}`);
  }
  const points = Array.from({ length: count + 1 }, (_, i) => fraction(i, count));
  return { segment: `${points[index]}:${points[index + 1]}`, sequence: points.join(",") };
}

/** `numerator/denominator` in lowest terms, `0` and `1` for the ends. */
function fraction(numerator: number, denominator: number): string {
  if (numerator === 0) return "0";
  if (numerator === denominator) return "1";
  const divisor = gcd(numerator, denominator);
  return `${numerator / divisor}/${denominator / divisor}`;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
