import { readFileSync } from "node:fs";
import path from "node:path";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import { createNdjsonAggregator, k6Verdict, type NdjsonResult } from "@tstr/k6";
import { K6MetricSummary_Type, type ReportResultsRequestSchema, Run_Result, RunnerService } from "@tstr/proto";
import { clientOf, transportFor } from "./clients.js";

// What a runner sends for k6 runs, built with @tstr/k6 from real k6 output (the shared fixtures),
// and a runner driven by hand through the runner API (no Docker): the k6 tests' common ground.

const NDJSON = path.resolve(import.meta.dirname, "../../../../shared/fixtures/k6/ndjson");

/** The lines of a k6 `--out json` fixture. */
export function fixtureLines(file: string): string[] {
  return readFileSync(path.join(NDJSON, file), "utf8")
    .split("\n")
    .filter((line) => line.trim());
}

/**
 * Splits a fixture's samples between shards: every shard gets every Metric declaration; each Point
 * goes to the shard `shardOf` picks from its metric, value and index among that metric's points.
 */
export function splitPoints(
  lines: string[],
  shards: number,
  shardOf: (point: { metric: string; value: number; nth: number }) => number,
): string[][] {
  const parts = Array.from({ length: shards }, () => [] as string[]);
  const seen = new Map<string, number>();
  for (const line of lines) {
    const parsed = JSON.parse(line) as { type: string; metric: string; data: { value: number } };
    if (parsed.type !== "Point") {
      for (const part of parts) part.push(line);
      continue;
    }
    const nth = seen.get(parsed.metric) ?? 0;
    seen.set(parsed.metric, nth + 1);
    parts[shardOf({ metric: parsed.metric, value: parsed.data.value, nth })]?.push(line);
  }
  return parts;
}

/** What the runner's NDJSON aggregation makes of these lines, with the script's thresholds. */
export function aggregateLines(lines: string[], thresholds: Record<string, string[]> = {}): NdjsonResult {
  const aggregator = createNdjsonAggregator({ thresholds });
  for (const line of lines) aggregator.push(line);
  return aggregator.result();
}

const TYPES = {
  trend: K6MetricSummary_Type.TREND,
  rate: K6MetricSummary_Type.RATE,
  counter: K6MetricSummary_Type.COUNTER,
  gauge: K6MetricSummary_Type.GAUGE,
};

/**
 * The ReportResults of a k6 attempt as the runner contract describes it: the attempt's own
 * report (local verdict, summary, series, no findings) and the aggregate as UTF-8 JSON.
 */
export function k6Results(
  runId: string,
  attempt: number,
  result: NdjsonResult,
  opts: { shards?: number; aggregate?: boolean } = {},
): MessageInitShape<typeof ReportResultsRequestSchema> {
  const { summary, series } = result;
  const failed = summary.thresholds.some((t) => !t.ok);
  const verdict = k6Verdict({ exitCode: failed ? 99 : 0, thresholds: summary.thresholds });
  const p95 = summary.metrics.find((m) => m.name === "http_req_duration")?.values["p(95)"];
  return {
    runId,
    attempt,
    resultData: { "k6.verdict": verdict.result, ...(p95 === undefined ? {} : { "k6.p95_ms": String(p95) }) },
    k6: {
      verdict: Run_Result[verdict.result],
      metrics: summary.metrics.map((m) => ({
        name: m.name,
        type: TYPES[m.type],
        values: m.values,
        contains: m.contains ?? "",
      })),
      thresholds: summary.thresholds.map((t) => ({ metric: t.metric, expression: t.expression, ok: t.ok })),
      checks: summary.checks.map((c) => ({ ...c, passes: BigInt(c.passes), fails: BigInt(c.fails) })),
      series: series.map((p) => ({
        ...p,
        time: timestampFromDate(p.time),
        latencyP50: p.latencyP50 ?? 0,
        latencyP90: p.latencyP90 ?? 0,
        latencyP95: p.latencyP95 ?? 0,
        latencyP99: p.latencyP99 ?? 0,
      })),
      shards: opts.shards ?? 1,
    },
    k6Aggregate:
      opts.aggregate === false ? new Uint8Array() : new TextEncoder().encode(JSON.stringify(result.aggregate)),
  };
}

/** A runner registered through `url`, driving its runs by hand. */
export async function handRunner(url: string, registrationToken: string, name: string, accept: string) {
  const reg = await clientOf(RunnerService, transportFor(url, { token: registrationToken })).registerRunner({
    name,
    capacity: 4,
    acceptSelectors: [accept],
  });
  const api: Client<typeof RunnerService> = clientOf(RunnerService, transportFor(url, { token: reg.runnerToken }));
  const id = reg.runner?.id ?? "";
  return {
    id,
    api,
    /** Takes up to `slots` runs and starts the ones that may start; returns run id → attempt. */
    async take(slots: number): Promise<Map<string, number>> {
      const work = await api.acquireWork({ runnerId: id, freeSlots: slots, wait: { seconds: 0n, nanos: 500_000_000 } });
      return new Map(work.assignments.map((a) => [a.run?.id ?? "", a.attempt]));
    },
    start: (runId: string, attempt: number) => api.startRun({ runId, attempt }),
    report: (request: MessageInitShape<typeof ReportResultsRequestSchema>) => api.reportResults(request),
    finish: (runId: string, attempt: number, result = Run_Result.PASS, resultReason = "") =>
      api.finishRun({ runId, attempt, result, reason: resultReason }),
  };
}
