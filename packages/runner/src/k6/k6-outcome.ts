import type { RunResult } from "@tstr/domain";
import { type K6Verdict, k6Verdict, type ThresholdResult } from "@tstr/k6";

/** How a k6 attempt ends, and what its result data says about the local verdict. */
export interface K6Outcome {
  /** The verdict of this attempt's own data (reported in K6Report.verdict). */
  verdict: K6Verdict;
  /** What FinishRun reports: the verdict, except for a shard's failed thresholds. */
  result: RunResult;
  reason?: string;
  /** `k6.*` result data keys decided here (`k6.verdict`, and `k6.local_thresholds` for shards). */
  resultData: Record<string, string>;
}

/**
 * Decides a k6 attempt from k6's exit code and the thresholds of its summary (k6Verdict). A shard
 * of a distributed run (shardCount > 1) saw only its part of the load, so its failed thresholds
 * mean nothing on their own: it finishes PASS with `k6.local_thresholds=failed`, and the server
 * judges the thresholds once on the shards' merged data. k6's own errors still end a shard ERROR.
 * With no summary (`thresholds` empty) the exit code alone decides.
 */
export function k6Outcome(input: { exitCode: number; thresholds: ThresholdResult[]; shardCount: number }): K6Outcome {
  const verdict = k6Verdict({ exitCode: input.exitCode, thresholds: input.thresholds });
  const resultData: Record<string, string> = { "k6.verdict": verdict.result };
  if (input.shardCount <= 1) return { verdict, result: verdict.result, reason: verdict.reason, resultData };
  const thresholdsFailed = verdict.reason === "THRESHOLDS";
  resultData["k6.local_thresholds"] = thresholdsFailed ? "failed" : "ok";
  if (thresholdsFailed) return { verdict, result: "PASS", resultData };
  return { verdict, result: verdict.result, reason: verdict.reason, resultData };
}
