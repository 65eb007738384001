// Stored k6 reports. The shapes mirror @tstr/k6's summary types (so its values store as they are)
// without this package depending on it.

/** k6's four metric kinds. */
export type K6MetricKind = "trend" | "rate" | "counter" | "gauge";

/** One metric or submetric; `values` uses k6's value names (`avg`, `p(95)`, `rate`, `count`…). */
export interface K6MetricRecord {
  name: string;
  type: K6MetricKind;
  contains?: string;
  values: Record<string, number>;
}

/** One threshold expression and whether it held (`error` when it could not be evaluated). */
export interface K6ThresholdRecord {
  metric: string;
  expression: string;
  ok: boolean;
  error?: string;
}

/** A k6 check's counts; `group` is k6's group path (`::login`, `""` for the root). */
export interface K6CheckRecord {
  group: string;
  name: string;
  passes: number;
  fails: number;
}

/** One second of a run (latencies are http_req_duration percentiles in ms). */
export interface K6SeriesRecord {
  time: Date;
  requests: number;
  failedRequests: number;
  vus: number;
  latencyP50?: number;
  latencyP90?: number;
  latencyP95?: number;
  latencyP99?: number;
  dataSent: number;
  dataReceived: number;
  checksPassed: number;
  checksFailed: number;
}

export type K6FindingSeverity = "info" | "warning" | "critical";

/** What an analysis rule or the regression check found. */
export interface K6FindingRecord {
  kind: "rule" | "regression";
  code: string;
  severity: K6FindingSeverity;
  message: string;
  evidence: Record<string, number>;
  recommendation: string;
}

/** A k6 verdict: thresholds held (PASS), failed (FAIL), or the run or its data went wrong (ERROR). */
export type K6VerdictResult = "PASS" | "FAIL" | "ERROR";

/** The numbers searches filter on and baselines compare, read from the metrics at ingest. */
export interface K6ReportStats {
  /** http_req_duration p(95), ms. */
  p95Ms?: number;
  /** http_req_failed rate, 0..1. */
  errorRate?: number;
  /** http_reqs per second. */
  rps?: number;
}

/** What a stored report holds, whether of one run attempt or of a merged shard group. */
export interface K6ReportContent {
  verdict: K6VerdictResult;
  reason?: string;
  metrics: K6MetricRecord[];
  thresholds: K6ThresholdRecord[];
  checks: K6CheckRecord[];
  series: K6SeriesRecord[];
  findings: K6FindingRecord[];
  durationMs?: number;
  stats: K6ReportStats;
  /** The mergeable @tstr/k6 aggregate (plain JSON), when the run had one. */
  aggregate?: unknown;
  /** How many runners the data came from (1 for one run's own report). */
  shards: number;
}

/** The report of one attempt of one run. */
export interface K6RunReport extends K6ReportContent {
  runId: string;
  attempt: number;
  llmSummary?: string;
  createdAt: Date;
}

/** The merged report of a distributed run; `runId` is the group's first shard. */
export interface K6GroupReport extends K6ReportContent {
  shardGroupId: string;
  runId: string;
  /** Indexes of shards that reported no aggregate (the verdict is then ERROR). */
  missingShards: number[];
  llmSummary?: string;
  createdAt: Date;
}
