import type { ExecutionHandle, ResultFile } from "@tstr/executor";
import { aggregateNdjson, type K6Summary, type NdjsonResult, parseHandleSummary, parseSummaryExport } from "@tstr/k6";
import { describeError } from "../rpc-errors.js";
import { K6_NDJSON_FILE, K6_SUMMARY_FILE } from "./k6-command-line.js";

/** Opens one file of the results directory as a stream; undefined when it is not there. */
export type OpenResult = (path: string) => Promise<AsyncIterable<Uint8Array> | undefined>;

/**
 * Opens results through the executor's stream when it has one; otherwise from the files already
 * read with results() (within the runner's results budget).
 */
export function resultOpener(handle: ExecutionHandle, files: readonly ResultFile[]): OpenResult {
  if (handle.openResult) return (path) => handle.openResult?.(path) ?? Promise.resolve(undefined);
  return async (path) => {
    const file = files.find((f) => f.path === path);
    if (!file) return undefined;
    return (async function* () {
      yield file.content;
    })();
  };
}

/** What k6 left in the results directory, parsed. */
export interface K6Outputs {
  /** `k6.ndjson`, aggregated: the preferred source (series, mergeable aggregate). */
  ndjson?: NdjsonResult;
  /** `k6-summary.json`. */
  summary?: K6Summary;
  /** What could not be read, one sentence each, for the run's log. */
  problems: string[];
}

/** A summary larger than this is not a summary k6 wrote; it is not read. */
const MAX_SUMMARY_BYTES = 16 * 1024 * 1024;
/** Unusable NDJSON lines quoted in the log. */
const QUOTED_PROBLEMS = 3;

/**
 * Reads k6's outputs after the workload ended: `k6.ndjson` streamed through aggregateNdjson (never
 * held whole) and `k6-summary.json` (the legacy summary export; a handleSummary JSON is accepted
 * too). Nothing here throws: a missing, truncated or malformed output becomes a problem, and the
 * run is then judged by what is left (at worst its exit code).
 */
export async function readK6Outputs(open: OpenResult): Promise<K6Outputs> {
  const problems: string[] = [];
  const [ndjson, summary] = await Promise.all([
    readNdjson(open, problems).catch((error) => {
      problems.push(`${K6_NDJSON_FILE}: could not be read: ${describeError(error)}`);
      return undefined;
    }),
    readSummary(open, problems).catch((error) => {
      problems.push(`${K6_SUMMARY_FILE}: could not be read: ${describeError(error)}`);
      return undefined;
    }),
  ]);
  if (!ndjson && !summary && problems.length === 0) {
    problems.push(
      `k6 wrote neither ${K6_SUMMARY_FILE} nor ${K6_NDJSON_FILE} into the results directory; the run is judged by its exit code`,
    );
  }
  return { ...(ndjson ? { ndjson } : {}), ...(summary ? { summary } : {}), problems };
}

/** The summary the report and the verdict use: the NDJSON's when it has samples, else the export's. */
export function reportedSummary(outputs: K6Outputs): K6Summary | undefined {
  if (outputs.ndjson && (outputs.ndjson.points > 0 || !outputs.summary)) return outputs.ndjson.summary;
  return outputs.summary;
}

async function readNdjson(open: OpenResult, problems: string[]): Promise<NdjsonResult | undefined> {
  const stream = await open(K6_NDJSON_FILE);
  if (!stream) return undefined;
  const result = await aggregateNdjson(stream);
  if (result.problemCount > 0) {
    const quoted = result.problems.slice(0, QUOTED_PROBLEMS).join("; ");
    problems.push(
      `${K6_NDJSON_FILE}: ${result.problemCount} of ${result.lines} lines were unusable and skipped (${quoted})`,
    );
  }
  if (result.points === 0) problems.push(`${K6_NDJSON_FILE}: no metric samples`);
  return result;
}

async function readSummary(open: OpenResult, problems: string[]): Promise<K6Summary | undefined> {
  const stream = await open(K6_SUMMARY_FILE);
  if (!stream) return undefined;
  const text = await readCapped(stream, MAX_SUMMARY_BYTES);
  if (text === undefined) {
    problems.push(`${K6_SUMMARY_FILE}: larger than ${MAX_SUMMARY_BYTES} bytes; not read`);
    return undefined;
  }
  try {
    return parseSummaryExport(text);
  } catch (exportError) {
    try {
      return parseHandleSummary(text);
    } catch {
      problems.push(`${K6_SUMMARY_FILE}: ${(exportError as Error).message}`);
      return undefined;
    }
  }
}

/** The stream's text, or undefined (the rest left unread) once it passes `maxBytes`. */
async function readCapped(stream: AsyncIterable<Uint8Array>, maxBytes: number): Promise<string | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    // Leaving the loop early ends (destroys) the stream.
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
