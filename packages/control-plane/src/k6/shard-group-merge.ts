import type { K6ReportContent, K6ReportsRepository, ShardState } from "@tstr/db";
import type { Logger } from "../logging/logger.js";
import { type K6Analysis, reportStatsOf } from "./k6-analysis.js";
import type { LlmSummaries } from "./llm-summaries.js";
import { type MergedShards, mergeShardAggregates } from "./merge-shard-aggregates.js";

/** What a merge attempt found. */
export type ShardGroupMergeState = "merged" | "merged-already" | "pending" | "no-reports";

/**
 * Merges a distributed k6 run once every shard of its group has finished: the shards' aggregates
 * merged, thresholds judged once on the merged data, findings computed on it, one group report
 * stored. When the merged verdict is not PASS, the shards that finished PASS take it (FAIL
 * THRESHOLDS, or ERROR K6_SHARD_MISSING_METRICS) and their logs say why. Safe to call for every
 * finished shard on every replica: the group's advisory lock serialises callers and the stored
 * report marks the group merged, so it happens exactly once. A group where no shard reported any
 * k6 results (never placed, cancelled before starting) gets no report.
 */
export function createShardGroupMerge(deps: {
  reports: K6ReportsRepository;
  analyze: K6Analysis;
  summaries: LlmSummaries;
  logger: Logger;
}) {
  return async function mergeShardGroup(shardGroupId: string): Promise<ShardGroupMergeState> {
    const outcome = await deps.reports.withShardGroup(shardGroupId, async (group) => {
      if (await group.merged()) return { state: "merged-already" } as const;
      const shards = await group.shards();
      const first = shards[0];
      if (!first || shards.some((s) => s.status !== "FINISHED")) return { state: "pending" } as const;
      if (!shards.some((s) => s.reported)) return { state: "no-reports" } as const;
      const merged = mergeShardAggregates(shards, first.shardCount);
      const findings = await deps.analyze(merged.summary, {
        namespace: first.namespace,
        testId: first.testId,
        testName: first.testName,
        labels: first.labels,
        excludeShardGroupId: shardGroupId,
      });
      const report = groupReport(merged, [...merged.findings, ...findings], first.shardCount);
      await group.saveReport({ ...report, runId: first.runId, missingShards: merged.missingShards });
      const changed =
        report.verdict === "PASS"
          ? []
          : await group.failPassedShards({
              result: report.verdict,
              reason: report.reason ?? report.verdict,
              log: verdictLine(merged, first.shardCount),
            });
      return { state: "merged", report, first, changed } as const;
    });
    if (outcome.state !== "merged") return outcome.state;
    const { report, first, changed } = outcome;
    deps.logger.info("k6 shard group merged", {
      shardGroupId,
      verdict: report.verdict,
      reason: report.reason,
      shards: report.shards,
      changedRuns: changed,
    });
    deps.summaries.request(report, summaryContext(first, shardGroupId), (text) =>
      deps.reports.setGroupLlmSummary(shardGroupId, text),
    );
    return "merged";
  };
}

export type ShardGroupMerge = ReturnType<typeof createShardGroupMerge>;

function groupReport(merged: MergedShards, findings: K6ReportContent["findings"], shards: number): K6ReportContent {
  return {
    verdict: merged.verdict,
    ...(merged.reason ? { reason: merged.reason } : {}),
    metrics: merged.summary.metrics,
    thresholds: merged.summary.thresholds,
    checks: merged.summary.checks,
    series: merged.series,
    findings,
    ...(merged.summary.durationMs === undefined ? {} : { durationMs: merged.summary.durationMs }),
    stats: reportStatsOf(merged.summary),
    aggregate: merged.aggregate,
    shards,
  };
}

/** The line added to the log of a shard whose result the merged verdict changed. */
function verdictLine(merged: MergedShards, shards: number): string {
  if (merged.verdict === "FAIL") {
    const failed = merged.summary.thresholds
      .filter((t) => !t.ok)
      .map((t) => `${t.metric}: ${t.expression}`)
      .join("; ");
    return `the merged k6 metrics of this run's ${shards} shards failed thresholds (${failed}); result changed to FAIL (THRESHOLDS)`;
  }
  const missing = merged.missingShards.map((i) => i + 1).join(", ");
  return missing
    ? `shard(s) ${missing} of ${shards} reported no k6 metrics, so the merged verdict of this run's shards is ERROR (${merged.reason}); result changed to ERROR`
    : `the k6 metrics of this run's ${shards} shards could not be merged; result changed to ERROR (${merged.reason})`;
}

function summaryContext(first: ShardState, shardGroupId: string) {
  return { testName: first.testName, labels: first.labels, ids: { shardGroupId, runId: first.runId } };
}
