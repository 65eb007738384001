import type { K6VerdictResult } from "@tstr/db";
import {
  emptyAggregate,
  type Finding,
  type K6Aggregate,
  type K6Summary,
  mergeAggregates,
  parseK6Aggregate,
  type SeriesPoint,
  seriesOfAggregate,
  summarizeAggregate,
} from "@tstr/k6";

/** Reason of a merged verdict when a shard sent no aggregate. */
export const K6_SHARD_MISSING_METRICS = "K6_SHARD_MISSING_METRICS";
/** Reason of a merged verdict when the shards' aggregates do not merge (a metric of two types). */
export const K6_SHARD_MERGE_FAILED = "K6_SHARD_MERGE_FAILED";

/** What one shard's current attempt sent: its aggregate as stored JSON, if any. */
export interface ShardAggregate {
  shardIndex: number;
  aggregate?: unknown;
}

/** The whole distributed run, from its shards' aggregates. */
export interface MergedShards {
  summary: K6Summary;
  series: SeriesPoint[];
  aggregate: K6Aggregate;
  verdict: K6VerdictResult;
  reason?: string;
  /** Shard indexes (0-based) without an aggregate. */
  missingShards: number[];
  /** Findings about the merge itself (missing shards, data that does not merge). */
  findings: Finding[];
}

/**
 * Merges the aggregates of shards 0…shardCount-1 (mergeAggregates) and judges the thresholds once,
 * on the merged data (summarizeAggregate). The verdict is PASS when every threshold holds and FAIL
 * (THRESHOLDS) otherwise; ERROR (K6_SHARD_MISSING_METRICS) when a shard sent no aggregate — the
 * report then covers the others and a finding names the missing shards.
 */
export function mergeShardAggregates(shards: readonly ShardAggregate[], shardCount: number): MergedShards {
  const present: K6Aggregate[] = [];
  const missingShards: number[] = [];
  for (let index = 0; index < shardCount; index++) {
    const stored = shards.find((s) => s.shardIndex === index)?.aggregate;
    const aggregate = stored === undefined ? undefined : tryParse(stored);
    if (aggregate) present.push(aggregate);
    else missingShards.push(index);
  }
  let aggregate: K6Aggregate;
  try {
    aggregate = mergeAggregates(present);
  } catch (error) {
    const findings = [mergeFailedFinding((error as Error).message), ...missingFindings(missingShards, shardCount)];
    return {
      summary: summarizeAggregate(emptyAggregate()),
      series: [],
      aggregate: emptyAggregate(),
      verdict: "ERROR",
      reason: K6_SHARD_MERGE_FAILED,
      missingShards,
      findings,
    };
  }
  // Stored aggregates are JSONB, which reorders object keys: thresholds are listed by metric, as k6 does.
  const summary = summarizeAggregate(aggregate);
  summary.thresholds.sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
  const failed = summary.thresholds.some((t) => !t.ok);
  const verdict: Pick<MergedShards, "verdict" | "reason"> = missingShards.length
    ? { verdict: "ERROR", reason: K6_SHARD_MISSING_METRICS }
    : failed
      ? { verdict: "FAIL", reason: "THRESHOLDS" }
      : { verdict: "PASS" };
  return {
    summary,
    series: seriesOfAggregate(aggregate),
    aggregate,
    ...verdict,
    missingShards,
    findings: missingFindings(missingShards, shardCount),
  };
}

/** Stored aggregates were checked at ingest; one that no longer parses counts as missing. */
function tryParse(stored: unknown): K6Aggregate | undefined {
  try {
    return parseK6Aggregate(stored);
  } catch {
    return undefined;
  }
}

function missingFindings(missing: number[], shardCount: number): Finding[] {
  if (missing.length === 0) return [];
  const names = missing.map((i) => i + 1).join(", ");
  return [
    {
      kind: "rule",
      code: K6_SHARD_MISSING_METRICS,
      severity: "critical",
      message:
        `shard${missing.length > 1 ? "s" : ""} ${names} of ${shardCount} reported no k6 metrics: this report covers ` +
        `${shardCount - missing.length} of ${shardCount} shards, so its thresholds were judged on partial data`,
      evidence: { missingShards: missing.length, shards: shardCount },
      recommendation:
        "Read the missing shards' logs: k6 may not have started (image, script or option error), or its " +
        "--out json file was not written to the results directory. Run the test again once they are fixed.",
    },
  ];
}

function mergeFailedFinding(problem: string): Finding {
  return {
    kind: "rule",
    code: K6_SHARD_MERGE_FAILED,
    severity: "critical",
    message: `the shards' metrics do not merge: ${problem}`,
    evidence: {},
    recommendation: "Every shard must run the same script and k6 version; check the shards' run configurations.",
  };
}
