import { Code, ConnectError } from "@connectrpc/connect";
import { type Run, RunStatus, RunTrigger } from "@tstr/proto";
import { useState } from "preact/hooks";
import { describeProblem, type Problem } from "../api/problems.js";
import { useSession } from "../api/session-context.js";
import { useQuery } from "../api/use-query.js";
import { Facts } from "../components/definition-list.js";
import { K6Report } from "../components/k6-report.js";
import { Labels } from "../components/labels.js";
import { PageHeader } from "../components/layout.js";
import { LogView } from "../components/log-view.js";
import { RunTimeline } from "../components/run-timeline.js";
import { runDuration } from "../components/runs-table.js";
import { Empty, ProblemBox, QueryView } from "../components/states.js";
import { StatusBadge } from "../components/status-badge.js";
import { TestCases } from "../components/test-cases.js";
import { isActive, runLabel } from "../format/status.js";

/** One run, live: status (polled until it finishes), timeline, log tail, results, test cases, k6 report. */
export function RunDetailPage({ id }: { id: string }) {
  const { api } = useSession();
  const run = useQuery("load the run", async (signal) => (await api.data.getRun({ id }, { signal })).run as Run, [id], {
    refreshMs: 1000,
    refreshWhile: (r) => !r || isActive(r.status),
  });
  return (
    <QueryView what="the run" state={run}>
      {(r) => <RunView run={r} reload={run.reload} />}
    </QueryView>
  );
}

function RunView({ run, reload }: { run: Run; reload(): void }) {
  const { can } = useSession();
  const finished = run.status === RunStatus.FINISHED;
  return (
    <>
      <PageHeader
        title={
          <>
            {run.testName} <span class="muted">{runLabel(run)}</span> <StatusBadge run={run} />
          </>
        }
        subtitle={
          <>
            <a href={`#/tests/${run.testId}`}>{run.testName}</a> · {run.namespace} · {TRIGGERS[run.trigger]} ·{" "}
            <span data-testid="run-duration">{runDuration(run)}</span>
            {run.resultReason && (
              <>
                {" "}
                · reason <code>{run.resultReason}</code>
              </>
            )}
          </>
        }
        actions={can("control:write") && isActive(run.status) ? <CancelButton run={run} onDone={reload} /> : undefined}
      />
      <RunTimeline run={run} />
      <LogView runId={run.id} onStatus={(status) => status === RunStatus.FINISHED && !finished && reload()} />
      <div class="grid-2">
        <section class="panel">
          <h2>Details</h2>
          <Facts
            rows={[
              ["Attempt", `${run.attempt}${run.maxAttempts > 1 ? ` of ${run.maxAttempts}` : ""}`],
              ["Runner", run.runnerId ? <a href="#/runners">{run.runnerId.slice(0, 8)}</a> : "not assigned yet"],
              ["Location", run.location || undefined],
              ["Exit code", finished && !run.external ? String(run.exitCode) : undefined],
              ["Executor", run.executor || "generic"],
              [
                "Image",
                run.testRunConfig?.containerImage ? <code>{run.testRunConfig.containerImage}</code> : undefined,
              ],
              [
                "Command",
                run.testRunConfig?.command ? (
                  <code class="wrap">{[run.testRunConfig.command, ...run.testRunConfig.args].join(" ")}</code>
                ) : undefined,
              ],
              ["Labels", <Labels key="labels" labels={run.labels} />],
              ["Matrix", run.testMatrixId ? <code>{run.testMatrixId.slice(0, 8)}</code> : undefined],
              ["Shard", run.shardCount > 1 ? `${run.shardIndex + 1} of ${run.shardCount}` : undefined],
            ]}
          />
        </section>
        <section class="panel">
          <h2>Result data</h2>
          <ResultData data={run.resultData} finished={finished} />
        </section>
      </div>
      {finished && <TestCases runId={run.id} />}
      {finished && <K6Section runId={run.id} />}
    </>
  );
}

const TRIGGERS: Record<RunTrigger, string> = {
  [RunTrigger.UNSPECIFIED]: "trigger unknown",
  [RunTrigger.MANUAL]: "started by hand",
  [RunTrigger.CRON]: "started by the schedule",
  [RunTrigger.SUITE]: "started by a suite run",
  [RunTrigger.RETRY]: "a retry",
  [RunTrigger.EXTERNAL]: "run outside tstr",
};

function ResultData({ data, finished }: { data: Record<string, string>; finished: boolean }) {
  const entries = Object.entries(data).sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length) {
    return (
      <Empty title={finished ? "No result data" : "Not finished yet"}>
        A test reports values by writing <code>$TSTR_RESULTS_DIR/result.json</code>.
      </Empty>
    );
  }
  return (
    <div class="table-wrap">
      <table class="table table-compact" data-testid="result-data">
        <tbody>
          {entries.map(([key, value]) => (
            <tr key={key}>
              <th>{key}</th>
              <td class="wrap">{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function K6Section({ runId }: { runId: string }) {
  const { api } = useSession();
  const report = useQuery(
    "load the k6 report",
    async (signal) => {
      try {
        return (await api.data.getK6Report({ runId }, { signal })).report ?? null;
      } catch (error) {
        if (ConnectError.from(error).code === Code.NotFound) return null;
        throw error;
      }
    },
    [runId],
  );
  if (report.data === null || (report.data === undefined && !report.problem)) return null;
  return (
    <section class="panel" aria-label="k6 report">
      <h2>Load test report</h2>
      <QueryView what="the k6 report" state={report}>
        {(data) => (data ? <K6Report report={data} /> : null)}
      </QueryView>
    </section>
  );
}

function CancelButton({ run, onDone }: { run: Run; onDone(): void }) {
  const { api } = useSession();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const cancelling = run.status === RunStatus.CANCELLING;
  async function cancel() {
    if (!window.confirm(`Cancel run ${runLabel(run)} of ${run.testName}?`)) return;
    setBusy(true);
    setProblem(undefined);
    try {
      await api.control.cancelRun({ runId: run.id, reason: "cancelled from the web UI" });
      onDone();
    } catch (error) {
      setProblem(describeProblem(error, "cancel the run"));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div class="action-stack">
      <button type="button" class="btn btn-danger" onClick={cancel} disabled={busy || cancelling}>
        {cancelling ? "Cancelling…" : busy ? "Cancelling…" : "Cancel run"}
      </button>
      {problem && <ProblemBox problem={problem} />}
    </div>
  );
}
