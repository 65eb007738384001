/** Latency summary of repeated async calls. */
export interface Latency {
  name: string;
  count: number;
  p50: number;
  p99: number;
  mean: number;
}

/** Runs `fn` for `warmup` then `count` sequential iterations and reports latency in ms. */
export async function measure(name: string, fn: () => Promise<unknown>, count = 2000, warmup = 200): Promise<Latency> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { name, count, p50: at(0.5), p99: at(0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

/** Prints rows with their ratio to the first (the baseline). */
export function report(title: string, rows: Latency[]): void {
  const base = rows[0];
  console.log(`\n${title}`);
  console.log(
    "  name".padEnd(52),
    "n".padStart(6),
    "p50 ms".padStart(9),
    "p99 ms".padStart(9),
    "x baseline p50".padStart(16),
  );
  for (const r of rows) {
    const ratio = base ? (r.p50 / base.p50).toFixed(2) : "-";
    console.log(
      `  ${r.name}`.padEnd(52),
      String(r.count).padStart(6),
      r.p50.toFixed(3).padStart(9),
      r.p99.toFixed(3).padStart(9),
      ratio.padStart(16),
    );
  }
}
