import { clone, create, toBinary } from "@bufbuild/protobuf";
import type { K6Aggregate } from "@tstr/k6";
import { type K6Report, type ReportResultsRequest, ReportResultsRequestSchema } from "@tstr/proto";
import type { CollectedResults } from "./results-collector.js";

/**
 * The server reads requests of up to 4 MiB; a ReportResults is kept below this so framing and
 * headers still fit.
 */
export const MAX_REPORT_BYTES = 3.5 * 1024 * 1024;
/** Distinct checks (group, name) one report carries at most. */
export const MAX_REPORTED_CHECKS = 1_000;

/** The ReportResults of one attempt: result data, test cases and, for k6, its report and aggregate. */
export function resultsRequest(input: {
  runId: string;
  attempt: number;
  results: Pick<CollectedResults, "data" | "testCases">;
  k6?: K6Report;
  k6Aggregate?: Uint8Array;
}): ReportResultsRequest {
  return create(ReportResultsRequestSchema, {
    runId: input.runId,
    attempt: input.attempt,
    resultData: input.results.data,
    testCases: input.results.testCases,
    ...(input.k6 ? { k6: input.k6 } : {}),
    k6Aggregate: input.k6Aggregate ?? new Uint8Array(),
  });
}

/** A request fitted under the size limit, and one log line per thing that was cut. */
export interface FittedResultsRequest {
  request: ReportResultsRequest;
  notes: string[];
}

/**
 * Fits a ReportResults under the server's size limit before it is sent, cutting the bulk of a k6
 * report in order of least value:
 * 1. checks beyond `maxChecks` distinct ones (always, whatever the size), in the report and the
 *    aggregate, keeping those with the most failures;
 * 2. the aggregate's per-second buckets (the report keeps its own series; only the merged series of
 *    a distributed run loses this shard's seconds);
 * 3. the report's per-second series, keeping every 2nd, 4th, 8th… second until it fits.
 * Result data, test cases, metrics and thresholds are never cut; a request still too large is sent
 * as it is (with a note) and left to the server's refusal (see deliverResults). Does not modify
 * `request`.
 */
export function fitResultsRequest(
  request: ReportResultsRequest,
  limits: { maxBytes: number; maxChecks: number } = { maxBytes: MAX_REPORT_BYTES, maxChecks: MAX_REPORTED_CHECKS },
): FittedResultsRequest {
  const fitted = clone(ReportResultsRequestSchema, request);
  const notes: string[] = [];
  const aggregate = parseAggregate(fitted.k6Aggregate);
  const report = fitted.k6;
  const encodeAggregate = () => {
    if (aggregate) fitted.k6Aggregate = new TextEncoder().encode(JSON.stringify(aggregate));
  };
  const checkCount = Math.max(report?.checks.length ?? 0, aggregate?.checks.length ?? 0);
  if (checkCount > limits.maxChecks) {
    if (report) report.checks = keepMostFailing(report.checks, limits.maxChecks, (check) => Number(check.fails));
    if (aggregate) aggregate.checks = keepMostFailing(aggregate.checks, limits.maxChecks, (check) => check.fails);
    notes.push(
      `the k6 report keeps ${limits.maxChecks} of ${checkCount} distinct checks (those with the most failures); the rest are left out`,
    );
    encodeAggregate();
  }
  const originalBytes = sizeOf(request);
  if (sizeOf(fitted) <= limits.maxBytes) return { request: fitted, notes };
  if (aggregate && aggregate.series.length > 0) {
    aggregate.series = [];
    encodeAggregate();
    notes.push(
      `the k6 report (${originalBytes} bytes) is over the ${limits.maxBytes}-byte limit: the mergeable aggregate is sent without its per-second buckets`,
    );
  }
  if (report && report.series.length > 2 && sizeOf(fitted) > limits.maxBytes) {
    const series = report.series;
    let stride = 1;
    while (sizeOf(fitted) > limits.maxBytes && report.series.length > 2) {
      stride *= 2;
      report.series = series.filter((_, i) => i % stride === 0 || i === series.length - 1);
    }
    notes.push(
      `the k6 report's per-second series is downsampled to one second in ${stride} (${report.series.length} of ${series.length} points) to stay under ${limits.maxBytes} bytes`,
    );
  }
  const bytes = sizeOf(fitted);
  if (bytes > limits.maxBytes) {
    notes.push(
      `the results are still ${bytes} bytes, over the ${limits.maxBytes}-byte limit; the server may refuse them`,
    );
  }
  return { request: fitted, notes };
}

/**
 * The request to send again after the server refused `request`: without the k6 aggregate and the
 * report's per-second series, keeping result data, test cases and the summary (metrics,
 * thresholds, checks). Undefined when there is nothing of that to leave out.
 */
export function reducedResultsRequest(request: ReportResultsRequest): ReportResultsRequest | undefined {
  if (request.k6Aggregate.length === 0 && (request.k6?.series.length ?? 0) === 0) return undefined;
  const reduced = clone(ReportResultsRequestSchema, request);
  reduced.k6Aggregate = new Uint8Array();
  if (reduced.k6) reduced.k6.series = [];
  return reduced;
}

function sizeOf(request: ReportResultsRequest): number {
  return toBinary(ReportResultsRequestSchema, request).byteLength;
}

/** The aggregate as the runner encoded it (JSON.stringify of a K6Aggregate); undefined if absent or unreadable. */
function parseAggregate(bytes: Uint8Array): K6Aggregate | undefined {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as K6Aggregate;
  } catch {
    return undefined;
  }
}

/** The `max` items with the most failures, in their original order. */
function keepMostFailing<T>(items: T[], max: number, fails: (item: T) => number): T[] {
  const kept = new Set(
    items
      .map((item, index) => ({ index, fails: fails(item) }))
      .sort((a, b) => b.fails - a.fails || a.index - b.index)
      .slice(0, max)
      .map((entry) => entry.index),
  );
  return items.filter((_, index) => kept.has(index));
}
