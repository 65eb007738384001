import { ConcurrencyPolicy, RetryPolicy_On, type Run, type Test } from "@tstr/proto";
import { useState } from "preact/hooks";
import { describeProblem, type Problem } from "../api/problems.js";
import { useSession } from "../api/session-context.js";
import { useQuery } from "../api/use-query.js";
import { Facts } from "../components/definition-list.js";
import { Labels } from "../components/labels.js";
import { PageHeader } from "../components/layout.js";
import { LineChart } from "../components/line-chart.js";
import { RunsTable } from "../components/runs-table.js";
import { Empty, ProblemBox, QueryView } from "../components/states.js";
import { elapsedMs, formatDuration, formatProtoDuration } from "../format/duration.js";
import { runLabel, runState } from "../format/status.js";
import { formatAxisTime, formatDateTime, relativeTime, toDate } from "../format/time.js";
import { navigate } from "../router.js";

/** One test: its definition, schedule and next fire times, matrix, duration history, runs, and "Run now". */
export function TestDetailPage({ id }: { id: string }) {
  const { api, can } = useSession();
  const detail = useQuery(
    "load the test",
    async (signal) => {
      const res = await api.data.getTest({ id }, { signal });
      const runs = (await api.data.queryRuns({ testIds: [id], pageSize: 100 }, { signal })).runs;
      return { test: res.test as Test, nextFireTimes: res.nextFireTimes.map((t) => toDate(t) as Date), runs };
    },
    [id],
    { refreshMs: 4000 },
  );
  return (
    <QueryView what="the test" state={detail}>
      {({ test, nextFireTimes, runs }) => (
        <>
          <PageHeader
            title={test.name}
            subtitle={
              <>
                <a href="#/tests">Tests</a> / {test.namespace} {test.description && <>· {test.description}</>}
              </>
            }
            actions={can("control:write") ? <RunNowButton test={test} onStarted={detail.reload} /> : undefined}
          />
          <div class="grid-2">
            <section class="panel">
              <h2>Definition</h2>
              <Facts
                rows={[
                  ["Executor", test.executor || "generic"],
                  ["Image", test.runConfig?.containerImage ? <code>{test.runConfig.containerImage}</code> : undefined],
                  [
                    "Command",
                    test.runConfig?.command ? (
                      <code class="wrap">{[test.runConfig.command, ...test.runConfig.args].join(" ")}</code>
                    ) : undefined,
                  ],
                  ["Timeout", formatProtoDuration(test.runConfig?.timeout)],
                  ["Labels", <Labels key="labels" labels={test.labels} />],
                  ["Retry", retryText(test)],
                  ["Concurrency", CONCURRENCY[test.concurrencyPolicy]],
                  ["Resources", test.resources?.factor ? `factor ${test.resources.factor}` : undefined],
                  ["Shards", test.shards > 1 ? String(test.shards) : undefined],
                  ["Config version", String(test.runConfigVersion)],
                  ["Managed by", test.source || undefined],
                  ["Updated", formatDateTime(toDate(test.updatedAt))],
                ]}
              />
            </section>
            <section class="panel">
              <h2>Schedule</h2>
              {test.cronSchedule ? (
                <>
                  <Facts
                    rows={[
                      ["Cron", <code key="cron">{test.cronSchedule}</code>],
                      ["Time zone", test.timezone || "UTC"],
                      ["State", test.schedulePaused ? "paused" : "active"],
                    ]}
                  />
                  <h3>Next fire times</h3>
                  {nextFireTimes.length ? (
                    <ol class="plain-list" data-testid="next-fire-times">
                      {nextFireTimes.map((t) => (
                        <li key={t.getTime()}>
                          {formatDateTime(t)} <span class="muted">({relativeTime(t)})</span>
                        </li>
                      ))}
                    </ol>
                  ) : (
                    <p class="muted">None while the schedule is paused.</p>
                  )}
                </>
              ) : (
                <Empty title="Runs only on demand">
                  Add <code>cron_schedule</code> to the test definition to run it on a schedule.
                </Empty>
              )}
              <Matrix test={test} />
            </section>
          </div>
          <section class="panel">
            <h2>Run duration</h2>
            <DurationHistory runs={runs} />
          </section>
          <section class="panel">
            <h2>Recent runs</h2>
            {runs.length ? (
              <RunsTable runs={runs.slice(0, 25)} showTest={false} />
            ) : (
              <Empty title="This test has not run yet">
                {can("control:write")
                  ? "Press “Run now” above to start a run."
                  : "Someone with the control:write scope can start one."}
              </Empty>
            )}
          </section>
        </>
      )}
    </QueryView>
  );
}

const CONCURRENCY: Record<ConcurrencyPolicy, string> = {
  [ConcurrencyPolicy.UNSPECIFIED]: "allow",
  [ConcurrencyPolicy.ALLOW]: "allow",
  [ConcurrencyPolicy.FORBID]: "forbid (skip while one is active)",
  [ConcurrencyPolicy.REPLACE]: "replace (cancel the active one)",
};

function retryText(test: Test): string {
  const retry = test.retry;
  if (!retry || retry.maxAttempts <= 1) return "no retries";
  const on = retry.on.map((o) => RetryPolicy_On[o]?.toLowerCase().replace("_", " ")).join(", ");
  return `up to ${retry.maxAttempts} attempts${on ? ` on ${on}` : ""}`;
}

function Matrix({ test }: { test: Test }) {
  const axes = Object.entries(test.matrix?.labels ?? {});
  if (!axes.length) return null;
  const combos = axes.reduce((n, [, v]) => n * v.values.length, 1);
  return (
    <>
      <h3>Matrix</h3>
      <div class="table-wrap">
        <table class="table table-compact">
          <tbody>
            {axes.map(([key, values]) => (
              <tr key={key}>
                <th>{key}</th>
                <td>
                  {values.values.map((v) => (
                    <span key={v} class="chip">
                      {v}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted small">
        {combos} combinations
        {test.matrix?.include.length ? `, ${test.matrix.include.length} included` : ""}
        {test.matrix?.exclude.length ? `, ${test.matrix.exclude.length} excluded` : ""} per schedule.
      </p>
    </>
  );
}

function DurationHistory({ runs }: { runs: Run[] }) {
  const finished = runs
    .filter((r) => r.startedAt && r.finishedAt)
    .map((r) => ({ run: r, at: toDate(r.startedAt)?.getTime() ?? 0, ms: elapsedMs(r.startedAt, r.finishedAt) ?? 0 }))
    .sort((a, b) => a.at - b.at);
  if (finished.length < 1) return <Empty title="No finished runs yet">The chart fills in as runs finish.</Empty>;
  const span = (finished.at(-1)?.at ?? 0) - (finished[0]?.at ?? 0);
  return (
    <LineChart
      width={1200}
      title="Run duration per run"
      formatY={(v) => formatDuration(v)}
      formatX={(x) => formatAxisTime(new Date(x), span)}
      series={[
        {
          name: "Duration (dot colour = result)",
          tone: "accent",
          dots: true,
          points: finished.map(({ run, at, ms }) => ({
            x: at,
            y: ms,
            tone: runState(run).tone,
            note: `${runLabel(run)} ${runState(run).label} in ${formatDuration(ms)} (${formatDateTime(new Date(at))})`,
          })),
        },
      ]}
    />
  );
}

function RunNowButton({ test, onStarted }: { test: Test; onStarted(): void }) {
  const { api } = useSession();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  async function runNow() {
    setBusy(true);
    setProblem(undefined);
    setMessage(undefined);
    try {
      const res = await api.control.scheduleRun({ testId: test.id, namespace: test.namespace });
      if (res.skippedReason) setMessage(`Not started: ${res.skippedReason}`);
      else if (res.runs.length === 1 && res.runs[0]) navigate(`#/runs/${res.runs[0].id}`);
      else {
        setMessage(`Started ${res.runs.length} runs (one per matrix combination).`);
        onStarted();
      }
    } catch (error) {
      setProblem(describeProblem(error, `start ${test.name}`));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div class="action-stack">
      <button type="button" class="btn btn-primary" onClick={runNow} disabled={busy}>
        {busy ? "Starting…" : "▶ Run now"}
      </button>
      {message && (
        <div class="muted small" role="status">
          {message}
        </div>
      )}
      {problem && <ProblemBox problem={problem} />}
    </div>
  );
}
