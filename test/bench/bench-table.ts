/** Percentiles of a latency sample, in ms. */
export interface Distribution {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles (p99 of 300 samples is the 297th smallest). */
export function distributionOf(samples: number[]): Distribution {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
}

/** A printed table column: its heading and how wide it is (right-aligned unless `left`). */
export interface Column {
  title: string;
  width: number;
  left?: boolean;
}

/** Prints a titled fixed-width table; cells are already formatted strings. */
export function printTable(title: string, columns: Column[], rows: string[][]): void {
  const line = (cells: string[]) =>
    `  ${cells.map((cell, i) => (columns[i]?.left ? cell.padEnd(columns[i].width) : cell.padStart(columns[i]?.width ?? 0))).join(" ")}`;
  console.log(`\n${title}`);
  console.log(line(columns.map((c) => c.title)));
  for (const row of rows) console.log(line(row));
}

/** Formats a number with `digits` decimals and thousands separators. */
export const fmt = (value: number, digits = 0): string =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
