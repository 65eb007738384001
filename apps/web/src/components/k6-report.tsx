import {
  K6Finding_Kind,
  type K6MetricSummary,
  type K6Report as K6ReportMessage,
  RunStatus,
  Severity,
} from "@tstr/proto";
import { formatLatency } from "../format/duration.js";
import { formatClock, toDate } from "../format/time.js";
import { Facts } from "./definition-list.js";
import { LineChart } from "./line-chart.js";
import { Empty } from "./states.js";
import { StatusBadge } from "./status-badge.js";

const SEVERITY: Record<Severity, { label: string; tone: string }> = {
  [Severity.UNSPECIFIED]: { label: "NOTE", tone: "unknown" },
  [Severity.INFO]: { label: "INFO", tone: "running" },
  [Severity.WARNING]: { label: "WARNING", tone: "error" },
  [Severity.CRITICAL]: { label: "CRITICAL", tone: "fail" },
};

/** A k6 run's report: verdict, key numbers, thresholds, checks, latency and throughput over time, findings. */
export function K6Report({ report }: { report: K6ReportMessage }) {
  const metric = (name: string) => report.metrics.find((m) => m.name === name);
  const value = (name: string, key: string) => metric(name)?.values[key];
  const duration = metric("http_req_duration");
  const failedRate = value("http_req_failed", "rate");
  const checks = metric("checks");
  const series = report.series.map((p) => ({ ...p, at: toDate(p.time)?.getTime() ?? 0 })).sort((a, b) => a.at - b.at);
  const clock = (x: number) => formatClock(new Date(x));
  return (
    <div class="k6-report">
      <div class="k6-verdict">
        Verdict <StatusBadge run={{ status: RunStatus.FINISHED, result: report.verdict }} />
        {report.shards > 1 && <span class="tag">{report.shards} shards merged</span>}
      </div>
      <div class="cards" data-testid="k6-summary">
        <Card label="Requests" value={fmtCount(value("http_reqs", "count"))} />
        <Card
          label="Throughput"
          value={value("http_reqs", "rate") === undefined ? "—" : `${fmt(value("http_reqs", "rate"))} req/s`}
        />
        <Card
          label="Errors"
          value={failedRate === undefined ? "—" : `${(failedRate * 100).toFixed(2)} %`}
          tone={failedRate && failedRate > 0.05 ? "fail" : undefined}
        />
        <Card label="Latency avg" value={formatLatency(duration?.values.avg)} />
        <Card label="Latency p95" value={formatLatency(duration?.values["p(95)"])} />
        <Card label="Latency p99" value={formatLatency(duration?.values["p(99)"])} />
        <Card
          label="VUs max"
          value={fmtCount(value("vus_max", "value") ?? value("vus_max", "max") ?? value("vus", "max"))}
        />
        <Card
          label="Checks passed"
          value={checks?.values.rate === undefined ? "—" : `${(checks.values.rate * 100).toFixed(1)} %`}
        />
      </div>
      {report.llmSummary && (
        <div class="callout">
          <strong>Summary</strong>
          <p>{report.llmSummary}</p>
        </div>
      )}
      <div class="grid-2">
        <div>
          <h3>Thresholds</h3>
          {report.thresholds.length ? (
            <div class="table-wrap">
              <table class="table table-compact" data-testid="k6-thresholds">
                <thead>
                  <tr>
                    <th>Result</th>
                    <th>Metric</th>
                    <th>Expression</th>
                  </tr>
                </thead>
                <tbody>
                  {report.thresholds.map((t) => (
                    <tr key={`${t.metric}-${t.expression}`}>
                      <td>
                        <span class={`badge badge-${t.ok ? "pass" : "fail"}`}>{t.ok ? "✓ passed" : "✗ failed"}</span>
                      </td>
                      <td>
                        <code>{t.metric}</code>
                      </td>
                      <td>
                        <code>{t.expression}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <Empty title="No thresholds">Add `thresholds` to the k6 options to make the verdict mean something.</Empty>
          )}
        </div>
        <div>
          <h3>Findings</h3>
          {report.findings.length ? (
            <ul class="findings" data-testid="k6-findings">
              {report.findings.map((f) => {
                const sev = SEVERITY[f.severity] ?? SEVERITY[Severity.UNSPECIFIED];
                return (
                  <li key={f.code} class="finding">
                    <span class={`badge badge-${sev.tone}`}>{sev.label}</span>{" "}
                    <span class="tag">{f.kind === K6Finding_Kind.REGRESSION ? "regression" : "rule"}</span>{" "}
                    <strong>{f.message}</strong>
                    {f.recommendation && <div class="small muted">→ {f.recommendation}</div>}
                  </li>
                );
              })}
            </ul>
          ) : (
            <Empty title="No findings">No rule or baseline regression fired for this run.</Empty>
          )}
        </div>
      </div>
      {series.length > 1 ? (
        <div class="grid-2">
          <div data-testid="k6-latency-chart">
            <h3>Latency percentiles</h3>
            <LineChart
              title="HTTP request latency percentiles per second"
              formatX={clock}
              formatY={(v) => formatLatency(v)}
              series={[
                { name: "p50", tone: "p50", points: series.map((p) => ({ x: p.at, y: p.latencyP50 })) },
                { name: "p90", tone: "p90", points: series.map((p) => ({ x: p.at, y: p.latencyP90 })) },
                { name: "p95", tone: "p95", points: series.map((p) => ({ x: p.at, y: p.latencyP95 })) },
                { name: "p99", tone: "p99", points: series.map((p) => ({ x: p.at, y: p.latencyP99 })) },
              ]}
            />
          </div>
          <div data-testid="k6-throughput-chart">
            <h3>Throughput</h3>
            <LineChart
              title="Requests and failed requests per second"
              formatX={clock}
              formatY={(v) => `${fmt(v)}/s`}
              series={[
                { name: "requests/s", tone: "accent", points: series.map((p) => ({ x: p.at, y: p.requests })) },
                { name: "failed/s", tone: "fail", points: series.map((p) => ({ x: p.at, y: p.failedRequests })) },
                { name: "VUs", tone: "vus", points: series.map((p) => ({ x: p.at, y: p.vus })) },
              ]}
            />
          </div>
        </div>
      ) : (
        <Empty title="No time series">This report has no per-second samples (k6 ran without --out json).</Empty>
      )}
      {report.checks.length > 0 && (
        <>
          <h3>Checks</h3>
          <div class="table-wrap">
            <table class="table table-compact">
              <thead>
                <tr>
                  <th>Check</th>
                  <th class="num">Passes</th>
                  <th class="num">Fails</th>
                </tr>
              </thead>
              <tbody>
                {report.checks.map((c) => (
                  <tr key={`${c.group}-${c.name}`}>
                    <td>
                      {c.group && <span class="muted">{c.group} › </span>}
                      {c.name}
                    </td>
                    <td class="num">{String(c.passes)}</td>
                    <td class={`num ${c.fails > 0n ? "text-fail" : ""}`}>{String(c.fails)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <details class="metrics">
        <summary>All metrics ({report.metrics.length})</summary>
        <div class="table-wrap">
          <table class="table table-compact">
            <tbody>
              {report.metrics.map((m) => (
                <tr key={m.name}>
                  <th>
                    <code>{m.name}</code>
                  </th>
                  <td>
                    <MetricValues metric={m} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
      <Facts rows={[["Attempt", String(report.attempt)]]} />
    </div>
  );
}

function MetricValues({ metric }: { metric: K6MetricSummary }) {
  const time = metric.contains === "time";
  return (
    <span class="chips">
      {Object.entries(metric.values).map(([key, v]) => (
        <span key={key} class="chip">
          {key} {time ? formatLatency(v) : fmt(v)}
        </span>
      ))}
    </span>
  );
}

function Card({ label, value, tone }: { label: string; value: string; tone?: string }) {
  return (
    <div class={`card ${tone ? `card-${tone}` : ""}`}>
      <div class="card-label">{label}</div>
      <div class="card-value">{value}</div>
    </div>
  );
}

function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "—";
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString("en-US");
  return v.toFixed(Math.abs(v) >= 10 ? 1 : 2);
}

function fmtCount(v: number | undefined): string {
  return v === undefined ? "—" : Math.round(v).toLocaleString("en-US");
}
