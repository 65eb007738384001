import { cronDueBench } from "./cron-due.js";
import { dispatchLatencyBench } from "./dispatch-latency.js";
import { dispatchThroughputBench } from "./dispatch-throughput.js";
import { k6NdjsonBench } from "./k6-ndjson.js";
import { logIngestionBench } from "./log-ingestion.js";
import { rpcOverheadBench } from "./rpc-overhead.js";

// `pnpm bench`: every benchmark in turn, each on its own throwaway PostgreSQL and printing ratios
// against a baseline measured in the same run. Targets are reported, not asserted: the exit code
// says only whether every benchmark ran to the end.
const benchmarks: [string, () => Promise<void>][] = [
  ["rpc overhead", rpcOverheadBench],
  ["dispatch latency", dispatchLatencyBench],
  ["dispatch throughput", dispatchThroughputBench],
  ["log ingestion", logIngestionBench],
  ["cron scheduling", cronDueBench],
  ["k6 NDJSON", k6NdjsonBench],
];

const failed: string[] = [];
for (const [name, bench] of benchmarks) {
  const started = performance.now();
  try {
    await bench();
    console.log(`  (${name}: ${((performance.now() - started) / 1000).toFixed(1)} s including setup)`);
  } catch (error) {
    failed.push(name);
    console.error(`\n${name} failed:`, error);
  }
}
if (failed.length) {
  console.error(`\nbenchmarks that did not finish: ${failed.join(", ")}`);
  process.exitCode = 1;
}
