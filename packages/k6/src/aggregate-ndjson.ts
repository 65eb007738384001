import { createNdjsonAggregator, type NdjsonOptions, type NdjsonResult } from "./ndjson-aggregator.js";
import { forEachLine, type TextSource } from "./ndjson-lines.js";

/** Options of {@link aggregateNdjson}. */
export interface AggregateNdjsonOptions extends NdjsonOptions {
  /** Longest line kept (UTF-16 code units); longer ones are counted as problems. Default 1 MiB. */
  maxLineLength?: number;
}

/**
 * Aggregates a k6 `--out json` NDJSON stream (e.g. `fs.createReadStream(path)`), line by line in
 * memory that does not grow with the number of samples. Chunks may split lines and UTF-8
 * characters anywhere. Malformed lines are reported in `problems`, never thrown; only the source's
 * own errors reject.
 */
export async function aggregateNdjson(source: TextSource, options: AggregateNdjsonOptions = {}): Promise<NdjsonResult> {
  const aggregator = createNdjsonAggregator(options);
  const maxLineLength = options.maxLineLength ?? 1024 * 1024;
  await forEachLine(source, (line) => aggregator.push(line), {
    maxLineLength,
    onOverlong: () => aggregator.skipLine(`longer than ${maxLineLength} characters; skipped`),
  });
  return aggregator.result();
}
