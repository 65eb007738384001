import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { K6Summary, MetricSummary } from "./types.js";

// Test helpers only (not exported from the package).

/** Real k6 outputs (see /work/shared/fixtures/README.md); tests iterate the folders so new files are tested too. */
export const K6_FIXTURES = path.resolve(import.meta.dirname, "../../../../shared/fixtures/k6");

/** `[file name, contents]` of every fixture of one kind. */
export function fixtures(kind: "summary-export" | "handlesummary" | "ndjson"): [string, string][] {
  const dir = path.join(K6_FIXTURES, kind);
  return readdirSync(dir)
    .sort()
    .map((name) => [name, readFileSync(path.join(dir, name), "utf8")]);
}

/** The path of one fixture file. */
export const fixturePath = (kind: string, name: string) => path.join(K6_FIXTURES, kind, name);

/** The metric called `name`; throws when the summary has none. */
export function metricNamed(summary: K6Summary, name: string): MetricSummary {
  const metric = summary.metrics.find((m) => m.name === name);
  if (metric === undefined) throw new Error(`no metric ${name} in ${summary.metrics.map((m) => m.name).join(", ")}`);
  return metric;
}

/** Nearest-rank quantile of a sample (the k-th smallest, k = ceil(q·n)), as HdrHistogram approximates it. */
export function nearestRank(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

/** Whether `actual` is within the relative resolution of `digits` significant digits of `exact`. */
export function withinDigits(actual: number, exact: number, digits: number): boolean {
  const tolerance = Math.abs(exact) * 10 ** -digits + 1e-6; // + one histogram unit (1e-6 ms)
  return Math.abs(actual - exact) <= tolerance;
}

/** Async chunks of `text` cut every `size` bytes (so lines and UTF-8 characters are split). */
export async function* chunksOf(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
