import { isObject, type JsonObject } from "./json-fields.js";
import type { MetricAccumulator } from "./metric-accumulators.js";
import { SeriesRole } from "./second-buckets.js";
import { parseSubmetricName } from "./submetric-name.js";
import type { MetricType } from "./types.js";

/** A submetric being aggregated: the samples of its parent whose tags all match. */
export interface DeclaredSubmetric {
  name: string;
  tags: [string, string][];
  accumulator: MetricAccumulator;
}

/** A metric declared by a Metric line. */
export interface DeclaredMetric {
  name: string;
  type: MetricType;
  contains: string | undefined;
  accumulator: MetricAccumulator;
  submetrics: DeclaredSubmetric[];
  /** Which per-second column its samples feed. */
  role: SeriesRole;
}

const TYPES: readonly string[] = ["trend", "rate", "counter", "gauge"];
const ROLES: ReadonlyMap<string, SeriesRole> = new Map([
  ["http_reqs", SeriesRole.Requests],
  ["http_req_failed", SeriesRole.FailedRequests],
  ["http_req_duration", SeriesRole.Latency],
  ["vus", SeriesRole.Vus],
  ["data_sent", SeriesRole.DataSent],
  ["data_received", SeriesRole.DataReceived],
  ["checks", SeriesRole.Checks],
]);

/** Whether a sample's tags carry every tag of the submetric. */
export function submetricMatches(sub: DeclaredSubmetric, tags: JsonObject | undefined): boolean {
  if (tags === undefined) return false;
  for (const [key, value] of sub.tags) if (tags[key] !== value) return false;
  return true;
}

/** The metrics, submetrics and threshold definitions an NDJSON stream (plus the script's options) declares. */
export class NdjsonMetrics {
  private readonly metrics = new Map<string, DeclaredMetric>();
  private readonly definitions = new Map<string, string[]>();
  /** Submetrics named by threshold definitions, by parent, until the parent's Metric line arrives. */
  private readonly wanted = new Map<string, { name: string; tags: [string, string][] }[]>();
  /** Problems with the threshold definitions given as options. */
  readonly optionProblems: string[] = [];

  constructor(
    thresholds: Record<string, string[]>,
    private readonly newAccumulator: (type: MetricType) => MetricAccumulator,
  ) {
    for (const [name, expressions] of Object.entries(thresholds)) this.addThresholds(name, expressions);
  }

  get(name: string): DeclaredMetric | undefined {
    return this.metrics.get(name);
  }

  /** Takes a Metric line's `data`; returns a problem description when it is unusable. */
  declare(data: unknown): string | undefined {
    if (!isObject(data)) return 'Metric line without "data"';
    const { name, type, contains } = data;
    if (typeof name !== "string" || name === "") return 'Metric line without a "name"';
    if (typeof type !== "string" || !TYPES.includes(type)) {
      return `Metric ${name}: "type" ${JSON.stringify(type)} is not one of ${TYPES.join(", ")}`;
    }
    let metric = this.metrics.get(name);
    if (metric !== undefined && metric.type !== type) {
      return `Metric ${name} declared again as a ${type} (it is a ${metric.type}); the new declaration is ignored`;
    }
    if (metric === undefined) {
      metric = {
        name,
        type: type as MetricType,
        contains: typeof contains === "string" ? contains : undefined,
        accumulator: this.newAccumulator(type as MetricType),
        submetrics: [],
        role: ROLES.get(name) ?? SeriesRole.None,
      };
      this.metrics.set(name, metric);
      for (const sub of this.wanted.get(name) ?? []) this.addSubmetric(metric, sub.name, sub.tags);
      this.wanted.delete(name);
    }
    const expressions = thresholdSources(data.thresholds);
    if (expressions.length > 0) this.addThresholds(name, expressions);
    for (const sub of Array.isArray(data.submetrics) ? data.submetrics : []) {
      if (!isObject(sub) || typeof sub.name !== "string" || !isObject(sub.tags)) {
        return `Metric ${name}: a submetric without "name" and "tags"`;
      }
      const tags = Object.entries(sub.tags).map(([k, v]): [string, string] => [k, String(v)]);
      this.addSubmetric(metric, sub.name, tags);
    }
    return undefined;
  }

  /** Every metric and submetric with its accumulator, in declaration order. */
  all(): { name: string; contains: string | undefined; accumulator: MetricAccumulator }[] {
    return [...this.metrics.values()].flatMap((m) => [
      m,
      ...m.submetrics.map((s) => ({ name: s.name, contains: m.contains, accumulator: s.accumulator })),
    ]);
  }

  thresholdDefinitions(): Record<string, string[]> {
    return Object.fromEntries([...this.definitions].map(([name, list]) => [name, [...list]]));
  }

  private addThresholds(name: string, expressions: string[]): void {
    const list = this.definitions.get(name) ?? [];
    for (const e of expressions) if (!list.includes(e)) list.push(e);
    this.definitions.set(name, list);
    if (!name.includes("{")) return;
    try {
      const parsed = parseSubmetricName(name);
      if (parsed === undefined) return;
      const parent = this.metrics.get(parsed.parent);
      if (parent === undefined)
        this.wanted.set(parsed.parent, [...(this.wanted.get(parsed.parent) ?? []), { name, ...parsed }]);
      else this.addSubmetric(parent, name, parsed.tags);
    } catch (error) {
      this.optionProblems.push(`thresholds: ${(error as Error).message}`);
    }
  }

  private addSubmetric(parent: DeclaredMetric, name: string, tags: [string, string][]): void {
    if (parent.submetrics.some((s) => s.name === name)) return;
    parent.submetrics.push({ name, tags, accumulator: this.newAccumulator(parent.type) });
  }
}

/** k6 writes a threshold as its source string, or as `{threshold, abortOnFail, …}` when it has options. */
function thresholdSources(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((t) =>
    typeof t === "string" ? [t] : isObject(t) && typeof t.threshold === "string" ? [t.threshold] : [],
  );
}
