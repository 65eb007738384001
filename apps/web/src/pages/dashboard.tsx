import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Run_Result, RunStatus, SummarizeRunsRequest_Interval } from "@tstr/proto";
import { useState } from "preact/hooks";
import { useSession } from "../api/session-context.js";
import { useQuery } from "../api/use-query.js";
import { PageHeader } from "../components/layout.js";
import { ResultBarsChart, type ResultBucket } from "../components/result-bars-chart.js";
import { RunsTable } from "../components/runs-table.js";
import { Empty, QueryView } from "../components/states.js";
import { toDate } from "../format/time.js";

const HOUR = 3600_000;
const WINDOWS = {
  "24h": { label: "24 hours", ms: 24 * HOUR, bucketMs: HOUR, interval: SummarizeRunsRequest_Interval.HOUR },
  "7d": { label: "7 days", ms: 7 * 24 * HOUR, bucketMs: 24 * HOUR, interval: SummarizeRunsRequest_Interval.DAY },
  "30d": { label: "30 days", ms: 30 * 24 * HOUR, bucketMs: 24 * HOUR, interval: SummarizeRunsRequest_Interval.DAY },
} as const;
type WindowKey = keyof typeof WINDOWS;

const BUCKET_OF: Partial<Record<Run_Result, keyof Omit<ResultBucket, "start">>> = {
  [Run_Result.PASS]: "pass",
  [Run_Result.FAIL]: "fail",
  [Run_Result.ERROR]: "error",
  [Run_Result.TIMED_OUT]: "error",
  [Run_Result.CANCELLED]: "cancelled",
};

/** Results over time, recent runs, runners online and the queue, refreshed every few seconds. */
export function DashboardPage() {
  const { api, namespace } = useSession();
  const [windowKey, setWindowKey] = useState<WindowKey>("24h");
  const win = WINDOWS[windowKey];

  const summary = useQuery(
    "load the result summary",
    async (signal) => {
      const res = await api.data.summarizeRuns({ window: durationFromMs(win.ms), interval: win.interval }, { signal });
      return toBuckets(res.intervalStats, win.ms, win.bucketMs);
    },
    [windowKey],
    { refreshMs: 10_000 },
  );
  const recent = useQuery(
    "load recent runs",
    async (signal) => (await api.data.queryRuns({ pageSize: 10 }, { signal })).runs,
    [],
    { refreshMs: 3000 },
  );
  const queue = useQuery(
    "load the queue",
    async (signal) => {
      const count = async (statuses: RunStatus[]) =>
        (await api.data.queryRuns({ statuses, pageSize: 1000 }, { signal })).runs.length;
      return {
        queued: await count([RunStatus.QUEUED]),
        active: await count([RunStatus.ASSIGNED, RunStatus.RUNNING, RunStatus.CANCELLING]),
      };
    },
    [],
    { refreshMs: 3000 },
  );
  const runners = useQuery(
    "load runners",
    async (signal) => (await api.data.queryRunners({}, { signal })).runners,
    [],
    { refreshMs: 5000 },
  );
  const online = runners.data?.filter((r) => r.online) ?? [];
  const totals = summary.data?.reduce(
    (t, b) => ({ pass: t.pass + b.pass, all: t.all + b.pass + b.fail + b.error + b.cancelled }),
    { pass: 0, all: 0 },
  );

  return (
    <>
      <PageHeader
        title="Dashboard"
        subtitle={`Namespace ${namespace}`}
        actions={
          <fieldset class="segmented">
            <legend class="sr-only">Time window</legend>
            {(Object.keys(WINDOWS) as WindowKey[]).map((key) => (
              <button
                type="button"
                key={key}
                class="btn btn-small"
                aria-pressed={key === windowKey}
                onClick={() => setWindowKey(key)}
              >
                {key}
              </button>
            ))}
          </fieldset>
        }
      />
      <div class="cards">
        <Stat label={`Runs (${win.label})`} value={totals ? String(totals.all) : "…"} testid="stat-runs" />
        <Stat
          label="Pass rate"
          value={totals ? (totals.all ? `${Math.round((100 * totals.pass) / totals.all)} %` : "—") : "…"}
          testid="stat-pass-rate"
        />
        <Stat
          label="Runners online"
          value={runners.data ? `${online.length} / ${runners.data.length}` : "…"}
          testid="stat-runners"
        />
        <Stat
          label="Queue depth"
          value={queue.data ? String(queue.data.queued) : "…"}
          note={queue.data ? `${queue.data.active} running` : undefined}
          testid="stat-queue"
        />
      </div>
      <section class="panel">
        <h2>Results over {win.label}</h2>
        <QueryView what="the result summary" state={summary}>
          {(buckets) => (
            <ResultBarsChart
              width={1200}
              buckets={buckets}
              spanMs={win.ms}
              title={`Run results per ${win.bucketMs === HOUR ? "hour" : "day"}`}
            />
          )}
        </QueryView>
      </section>
      <div class="grid-2">
        <section class="panel">
          <h2>
            Recent runs{" "}
            <a href="#/runs" class="small">
              all runs →
            </a>
          </h2>
          <QueryView what="recent runs" state={recent}>
            {(runs) =>
              runs.length ? (
                <RunsTable runs={runs} />
              ) : (
                <Empty title="No runs yet">
                  Add tests with <code>tstrctl test apply -f packages/cli/examples/</code>, then press “Run now” on a
                  test.
                </Empty>
              )
            }
          </QueryView>
        </section>
        <section class="panel">
          <h2>
            Runners{" "}
            <a href="#/runners" class="small">
              details →
            </a>
          </h2>
          <QueryView what="runners" state={runners}>
            {(list) =>
              list.length ? (
                <ul class="plain-list">
                  {list.map((r) => (
                    <li key={r.id}>
                      <span class={`dot-status ${r.online ? "on" : "off"}`} aria-hidden="true" />
                      <strong>{r.name}</strong> <span class="muted">{r.online ? "online" : "offline"}</span>
                      <span class="muted small">
                        {" "}
                        · {r.activeRunIds.length}/{r.capacity} slots busy
                        {r.draining ? " · draining" : ""}
                      </span>
                    </li>
                  ))}
                </ul>
              ) : (
                <Empty title="No runners registered">
                  Start one with <code>tstr runner --server URL --token RUNNER_TOKEN</code> (<code>tstr dev</code>{" "}
                  starts one for you).
                </Empty>
              )
            }
          </QueryView>
        </section>
      </div>
    </>
  );
}

function Stat(props: { label: string; value: string; note?: string; testid: string }) {
  return (
    <div class="card" data-testid={props.testid}>
      <div class="card-label">{props.label}</div>
      <div class="card-value">{props.value}</div>
      {props.note && <div class="card-note">{props.note}</div>}
    </div>
  );
}

/** The server's buckets laid on a continuous timeline, empty buckets included. */
function toBuckets(
  stats: { startTime?: Parameters<typeof toDate>[0]; resultCount: { result: Run_Result; count: number }[] }[],
  windowMs: number,
  bucketMs: number,
): ResultBucket[] {
  const now = Date.now();
  const first = Math.floor((now - windowMs) / bucketMs) * bucketMs;
  const buckets = new Map<number, ResultBucket>();
  for (let t = first; t <= now; t += bucketMs) {
    buckets.set(t, { start: new Date(t), pass: 0, fail: 0, error: 0, cancelled: 0 });
  }
  for (const stat of stats) {
    const start = toDate(stat.startTime)?.getTime();
    if (start === undefined) continue;
    const bucket = buckets.get(Math.floor(start / bucketMs) * bucketMs);
    if (!bucket) continue;
    for (const { result, count } of stat.resultCount) {
      const key = BUCKET_OF[result];
      if (key) bucket[key] += count;
    }
  }
  return [...buckets.values()];
}
