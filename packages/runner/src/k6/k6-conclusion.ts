import type { RunResult } from "@tstr/domain";
import { k6Verdict } from "@tstr/k6";
import type { K6Report } from "@tstr/proto";
import { k6Outcome } from "./k6-outcome.js";
import { type OpenResult, readK6Outputs, reportedSummary } from "./k6-outputs.js";
import { k6Reporting } from "./k6-report.js";

/** Everything a finished k6 workload leads to: the run's result, its report and log lines. */
export interface K6Conclusion {
  result: RunResult;
  reason?: string;
  /** Lines for the run's log (system stream): unreadable outputs, the verdict's detail. */
  notes: string[];
  /** `k6.verdict`, `k6.p95_ms`, `k6.error_rate`, `k6.rps`, and `k6.local_thresholds` for shards. */
  resultData: Record<string, string>;
  /** Absent when k6 left no readable output. */
  report?: K6Report;
  /** JSON of the K6Aggregate, empty without an NDJSON. */
  aggregate: Uint8Array;
}

/**
 * Reads k6's outputs from the results directory once the workload has exited by itself, decides
 * the attempt (k6Outcome: the summary's thresholds and k6's exit code; a shard's failed thresholds
 * are left to the server) and builds what ReportResults carries. Never throws: without usable
 * outputs the exit code alone decides, and the notes say why.
 */
export async function concludeK6Run(input: {
  open: OpenResult;
  exitCode: number;
  runId: string;
  attempt: number;
  shardCount: number;
}): Promise<K6Conclusion> {
  const outputs = await readK6Outputs(input.open);
  const summary = reportedSummary(outputs);
  const shardCount = Math.max(1, input.shardCount);
  const outcome = k6Outcome({ exitCode: input.exitCode, thresholds: summary?.thresholds ?? [], shardCount });
  const reporting = k6Reporting({
    runId: input.runId,
    attempt: input.attempt,
    shards: shardCount,
    verdict: outcome.verdict,
    outputs,
  });
  const notes = outputs.problems.map((problem) => `k6: ${problem}`);
  if (outcome.verdict.detail) notes.push(`k6: ${outcome.verdict.detail}`);
  if (outcome.resultData["k6.local_thresholds"] === "failed") {
    notes.push(
      `k6: this shard's own thresholds failed; the server judges them on the merged data of all ${shardCount} shards`,
    );
  }
  return {
    result: outcome.result,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    notes,
    resultData: { ...reporting?.resultData, ...outcome.resultData },
    ...(reporting ? { report: reporting.report } : {}),
    aggregate: reporting?.aggregate ?? new Uint8Array(),
  };
}

/**
 * Reads what k6 wrote before it was stopped (timed out or cancelled: k6 writes its outputs on
 * SIGTERM) so those metrics are reported too. The stop decides the run (`stopped`, e.g. TIMED_OUT
 * `DEADLINE`), and `k6.verdict` says so; the report's own verdict, which the contract keeps to
 * PASS or FAIL `THRESHOLDS`, is the thresholds' on the data gathered until the stop. Undefined
 * when k6 left nothing readable (the stop alone then decides, with nothing more to say).
 */
export async function concludeStoppedK6Run(input: {
  open: OpenResult;
  stopped: { result: RunResult; reason?: string };
  runId: string;
  attempt: number;
  shardCount: number;
}): Promise<K6Conclusion | undefined> {
  const outputs = await readK6Outputs(input.open);
  const summary = reportedSummary(outputs);
  if (!summary) return undefined;
  const reporting = k6Reporting({
    runId: input.runId,
    attempt: input.attempt,
    shards: Math.max(1, input.shardCount),
    verdict: k6Verdict({ exitCode: 0, thresholds: summary.thresholds }),
    outputs,
  });
  const notes = outputs.problems.map((problem) => `k6: ${problem}`);
  notes.push(`k6: reporting the metrics k6 wrote until it was stopped; the run stays ${input.stopped.result}`);
  return {
    result: input.stopped.result,
    ...(input.stopped.reason ? { reason: input.stopped.reason } : {}),
    notes,
    resultData: { ...reporting?.resultData, "k6.verdict": input.stopped.result },
    ...(reporting ? { report: reporting.report } : {}),
    aggregate: reporting?.aggregate ?? new Uint8Array(),
  };
}
