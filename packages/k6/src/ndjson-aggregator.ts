import { K6_AGGREGATE_FORMAT, type K6Aggregate, type MetricAggregate } from "./aggregate-types.js";
import { isObject, type JsonObject } from "./json-fields.js";
import { newAccumulator } from "./metric-accumulators.js";
import { NdjsonMetrics, submetricMatches } from "./ndjson-metrics.js";
import { createRfc3339Clock } from "./rfc3339-clock.js";
import { SecondBuckets, SeriesRole } from "./second-buckets.js";
import { seriesOfAggregate, summarizeAggregate } from "./summarize-aggregate.js";
import type { CheckResult, K6Summary, SeriesPoint } from "./types.js";

/** Options of {@link createNdjsonAggregator}. */
export interface NdjsonOptions {
  /**
   * Threshold definitions from the script's options, added to those the Metric lines declare.
   * Submetric names among them (`http_req_duration{status:200}`) make their samples aggregated.
   */
  thresholds?: Record<string, string[]>;
  /** How many problems `result().problems` lists (all are counted). Default 20. */
  maxProblems?: number;
}

/** What a k6 `--out json` stream adds up to. */
export interface NdjsonResult {
  summary: K6Summary;
  series: SeriesPoint[];
  /** Mergeable form, for distributed runs. */
  aggregate: K6Aggregate;
  thresholdDefinitions: Record<string, string[]>;
  /** The first `maxProblems` unusable lines, each starting with `line N:`. */
  problems: string[];
  /** All unusable lines, listed or not. */
  problemCount: number;
  /** Lines seen (blank ones included) and Point lines aggregated. */
  lines: number;
  points: number;
}

/** Aggregates a k6 NDJSON stream line by line, in memory that grows with seconds and metrics, not samples. */
export interface NdjsonAggregator {
  /** Takes one line (without its newline). Blank lines are ignored; unusable ones are counted as problems. */
  push(line: string): void;
  /** Counts a line that was not even given (e.g. too long to keep) as a problem. */
  skipLine(problem: string): void;
  /** Everything so far; the aggregator can keep taking lines afterwards. */
  result(): NdjsonResult;
}

/**
 * Creates an aggregator for k6's `--out json` NDJSON: `Metric` lines declare a metric's type,
 * contains, thresholds and submetrics; `Point` lines carry a sample's time, value and tags. It never
 * throws on bad input: a malformed line is counted and reported in `problems` with its number.
 * The run duration is the span from the first to the last sample.
 */
export function createNdjsonAggregator(options: NdjsonOptions = {}): NdjsonAggregator {
  const maxProblems = options.maxProblems ?? 20;
  const metrics = new NdjsonMetrics(options.thresholds ?? {}, newAccumulator);
  const seconds = new SecondBuckets();
  const clock = createRfc3339Clock();
  const checks = new CheckCounts();
  const problems: string[] = [];
  let problemCount = 0;
  let lines = 0;
  let points = 0;
  let startMs = Number.POSITIVE_INFINITY;
  let endMs = Number.NEGATIVE_INFINITY;

  const note = (text: string) => {
    problemCount++;
    if (problems.length < maxProblems) problems.push(text);
  };
  const problem = (text: string) => note(`line ${lines}: ${text}`);
  for (const text of metrics.optionProblems) note(text);

  const point = (line: JsonObject) => {
    const name = line.metric;
    const data = line.data;
    if (typeof name !== "string" || !isObject(data)) return problem('Point without a "metric" name and "data"');
    const metric = metrics.get(name);
    if (metric === undefined) return problem(`Point of metric ${JSON.stringify(name)} before its Metric line`);
    const value = data.value;
    if (typeof value !== "number") return problem(`Point of ${name}: "value" is not a number`);
    const time = data.time;
    const ms = typeof time === "string" ? clock(time) : Number.NaN;
    if (Number.isNaN(ms)) return problem(`Point of ${name}: "time" is not an RFC 3339 timestamp`);
    const tags = isObject(data.tags) ? data.tags : undefined;
    points++;
    if (ms < startMs) startMs = ms;
    if (ms > endMs) endMs = ms;
    metric.accumulator.add(value);
    for (const sub of metric.submetrics) if (submetricMatches(sub, tags)) sub.accumulator.add(value);
    if (metric.role !== SeriesRole.None) {
      seconds.add(metric.role, ms, value);
      if (metric.role === SeriesRole.Checks) checks.add(tags, value);
    }
  };

  return {
    push(line) {
      lines++;
      if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === "")) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        return problem(`not JSON (${(error as Error).message.slice(0, 200)})`);
      }
      if (!isObject(parsed)) return problem("not a JSON object");
      if (parsed.type === "Point") return point(parsed);
      if (parsed.type === "Metric") {
        const declared = metrics.declare(parsed.data);
        if (declared !== undefined) problem(declared);
        return;
      }
      problem(`unknown line type ${JSON.stringify(parsed.type)} (expected "Metric" or "Point")`);
    },
    skipLine(text) {
      lines++;
      problem(text);
    },
    result() {
      const hasSamples = points > 0;
      const aggregate: K6Aggregate = {
        format: K6_AGGREGATE_FORMAT,
        metrics: Object.fromEntries(
          metrics
            .all()
            .map(({ name, accumulator, contains }): [string, MetricAggregate] => [
              name,
              accumulator.toAggregate(contains),
            ]),
        ),
        checks: checks.list(),
        durationMs: hasSamples ? endMs - startMs : 0,
        ...(hasSamples ? { startMs, endMs } : {}),
        series: seconds.toAggregate(),
        thresholdDefinitions: metrics.thresholdDefinitions(),
      };
      return {
        summary: summarizeAggregate(aggregate),
        series: seriesOfAggregate(aggregate),
        aggregate,
        thresholdDefinitions: aggregate.thresholdDefinitions,
        problems: [...problems],
        problemCount,
        lines,
        points,
      };
    },
  };
}

/** Passes and fails per (group, check), from the `checks` metric's `group` and `check` tags. */
class CheckCounts {
  private readonly byGroup = new Map<string, Map<string, CheckResult>>();
  private readonly ordered: CheckResult[] = [];

  add(tags: JsonObject | undefined, value: number): void {
    const group = typeof tags?.group === "string" ? tags.group : "";
    const name = typeof tags?.check === "string" ? tags.check : "";
    let checks = this.byGroup.get(group);
    if (checks === undefined) {
      checks = new Map();
      this.byGroup.set(group, checks);
    }
    let check = checks.get(name);
    if (check === undefined) {
      check = { group, name, passes: 0, fails: 0 };
      checks.set(name, check);
      this.ordered.push(check);
    }
    if (value !== 0) check.passes++;
    else check.fails++;
  }

  list(): CheckResult[] {
    return this.ordered.map((c) => ({ ...c }));
  }
}
