/** A "nice" upper bound for an axis (1, 2, 2.5 or 5 × 10^n) at or above `max`. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const exp = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * exp >= max) return step * exp;
  return 10 * exp;
}

/** Maps a value of [d0, d1] onto [r0, r1]; a zero-width domain maps to the middle. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/** Up to `count` evenly spread indexes of an array of `length` items (first and last included). */
export function spreadIndexes(length: number, count: number): number[] {
  if (length <= count) return Array.from({ length }, (_, i) => i);
  const step = (length - 1) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(i * step));
}

/** Text anchor of the i-th of n axis labels, so the first and last stay inside the drawing. */
export function anchor(i: number, n: number): "start" | "middle" | "end" {
  if (n > 1 && i === 0) return "start";
  if (n > 1 && i === n - 1) return "end";
  return "middle";
}
