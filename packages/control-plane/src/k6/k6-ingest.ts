import type { K6ReportContent, K6ReportsRepository, RunRecord } from "@tstr/db";
import type { ReportResultsRequest } from "@tstr/proto";
import { type K6Analysis, reportStatsOf } from "./k6-analysis.js";
import { readK6Payload } from "./k6-payload.js";
import type { LlmSummaries } from "./llm-summaries.js";

/**
 * Stores the k6 results of a ReportResults for the run's attempt (a resent report replaces the
 * earlier one): checked first, so a malformed payload is refused whole. Findings are computed
 * here for a run that is not sharded; a shard's are computed on its group's merged data.
 */
export function createK6Ingest(deps: { reports: K6ReportsRepository; analyze: K6Analysis; summaries: LlmSummaries }) {
  return async function ingestK6Results(run: RunRecord, req: ReportResultsRequest): Promise<void> {
    const payload = readK6Payload(req);
    if (!payload) return;
    const sharded = run.shardCount > 1 && run.shardGroupId !== undefined;
    const findings = sharded
      ? []
      : await deps.analyze(payload.summary, {
          namespace: run.namespace,
          testId: run.testId,
          testName: run.testName,
          labels: run.labels,
          excludeRunId: run.id,
        });
    const report: K6ReportContent = {
      verdict: payload.verdict,
      ...(payload.reason ? { reason: payload.reason } : {}),
      metrics: payload.summary.metrics,
      thresholds: payload.summary.thresholds,
      checks: payload.summary.checks,
      series: payload.series,
      findings,
      ...(payload.summary.durationMs === undefined ? {} : { durationMs: payload.summary.durationMs }),
      stats: reportStatsOf(payload.summary),
      ...(payload.aggregate ? { aggregate: payload.aggregate } : {}),
      shards: 1,
    };
    const { version } = await deps.reports.saveRunReport(run.id, req.attempt, report);
    if (sharded) return;
    deps.summaries.request(report, { testName: run.testName, labels: run.labels, ids: { runId: run.id } }, (text) =>
      deps.reports.setRunLlmSummary(run.id, req.attempt, version, text),
    );
  };
}

export type K6Ingest = ReturnType<typeof createK6Ingest>;
