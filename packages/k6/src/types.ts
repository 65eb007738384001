/** k6's four metric kinds. */
export type MetricType = "trend" | "rate" | "counter" | "gauge";

/**
 * One metric (or submetric, e.g. `http_req_duration{expected_response:true}`) of a finished run.
 * `values` uses k6's own value names: trend `avg`, `min`, `med`, `max`, `p(90)`, `p(95)`, `p(99)`
 * (plus any other `p(N)` present); rate `rate`, `passes`, `fails`; counter `count`, `rate`;
 * gauge `value`, `min`, `max`. Times are in milliseconds, data in bytes.
 */
export interface MetricSummary {
  name: string;
  type: MetricType;
  /** k6's `contains`: "time", "data" or "default"; absent when the source does not say. */
  contains?: string;
  values: Record<string, number>;
}

/** One threshold expression of one metric and whether it held. */
export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
  /** Why the threshold could not be evaluated (it then counts as failed). */
  error?: string;
}

/** A k6 check: `group` is the group path like `::login` (`""` for the root group). */
export interface CheckResult {
  group: string;
  name: string;
  passes: number;
  fails: number;
}

/** The end-of-test summary of a k6 run, whatever output it was read from. */
export interface K6Summary {
  metrics: MetricSummary[];
  thresholds: ThresholdResult[];
  checks: CheckResult[];
  /** Test run duration; absent when the source does not carry it. */
  durationMs?: number;
}

/**
 * One second of a run's time series. Latencies are http_req_duration percentiles in ms, read from a
 * per-second HdrHistogram with 2 significant digits (the upper edge of the bucket: at most 1 % high).
 */
export interface SeriesPoint {
  /** Start of the second, UTC. */
  time: Date;
  /** http_reqs in this second. */
  requests: number;
  /** http_req_failed samples that were true (failed) in this second. */
  failedRequests: number;
  /** Last vus sample at or before this second (summed over shards in merged aggregates). */
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

/** What an analysis rule or the regression check found. */
export interface Finding {
  kind: "rule" | "regression";
  /** Stable identifier, e.g. `HIGH_ERROR_RATE`, `P95_REGRESSION`. */
  code: string;
  severity: "info" | "warning" | "critical";
  message: string;
  /** The numbers the finding rests on, named (e.g. `errorRate`, `baselineMedian`). */
  evidence: Record<string, number>;
  recommendation: string;
}
