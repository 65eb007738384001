import { type Suite, type SuiteRun, SuiteRunStatus } from "@tstr/proto";
import { useState } from "preact/hooks";
import { describeProblem, type Problem } from "../api/problems.js";
import { useSession } from "../api/session-context.js";
import { useQuery } from "../api/use-query.js";
import { Labels } from "../components/labels.js";
import { PageHeader } from "../components/layout.js";
import { Empty, ProblemBox, QueryView } from "../components/states.js";
import { TimeText } from "../components/time-text.js";
import { toDate } from "../format/time.js";

const SUITE_STATUS: Record<SuiteRunStatus, { label: string; tone: string }> = {
  [SuiteRunStatus.UNSPECIFIED]: { label: "UNKNOWN", tone: "unknown" },
  [SuiteRunStatus.RUNNING]: { label: "RUNNING", tone: "running" },
  [SuiteRunStatus.PASSED]: { label: "PASSED", tone: "pass" },
  [SuiteRunStatus.FAILED]: { label: "FAILED", tone: "fail" },
};

/** Suites of the namespace with their members and latest suite runs. */
export function SuitesPage() {
  const { api } = useSession();
  const suites = useQuery(
    "load suites",
    async (signal) => {
      const { suites } = await api.data.querySuites({}, { signal });
      return Promise.all(
        suites.map(async (suite) => {
          const detail = await api.data.getSuite({ id: suite.id }, { signal });
          return {
            suite,
            runs: detail.recentRuns.slice(0, 5),
            members: detail.members.map((m) => ({ id: m.id, name: m.name })),
          };
        }),
      );
    },
    [],
    { refreshMs: 5000 },
  );
  return (
    <>
      <PageHeader title="Suites" />
      <QueryView what="suites" state={suites}>
        {(list) =>
          list.length === 0 ? (
            <Empty title="No suites yet">
              Group tests with a <code>kind: Suite</code> definition, e.g.{" "}
              <code>tstrctl apply -f packages/cli/examples/suites.yaml</code>.
            </Empty>
          ) : (
            list.map(({ suite, runs, members }) => (
              <SuiteCard key={suite.id} suite={suite} runs={runs} members={members} onRun={suites.reload} />
            ))
          )
        }
      </QueryView>
    </>
  );
}

function SuiteCard(props: { suite: Suite; runs: SuiteRun[]; members: { id: string; name: string }[]; onRun(): void }) {
  const { suite, runs, members } = props;
  const { api, can } = useSession();
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  async function run() {
    setBusy(true);
    setProblem(undefined);
    try {
      await api.control.runSuite({ suiteId: suite.id });
      props.onRun();
    } catch (error) {
      setProblem(describeProblem(error, `run suite ${suite.name}`));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="panel" data-suite={suite.name}>
      <div class="panel-head">
        <h2>{suite.name}</h2>
        {can("control:write") && (
          <button type="button" class="btn btn-small" onClick={run} disabled={busy}>
            ▶ Run suite
          </button>
        )}
      </div>
      {suite.description && <p class="muted">{suite.description}</p>}
      {problem && <ProblemBox problem={problem} />}
      <dl class="facts">
        <div class="fact">
          <dt>Selector</dt>
          <dd>{suite.testSelector ? <code>{suite.testSelector}</code> : <span class="muted">—</span>}</dd>
        </div>
        <div class="fact">
          <dt>Labels</dt>
          <dd>
            <Labels labels={suite.labels} />
          </dd>
        </div>
        <div class="fact">
          <dt>Members</dt>
          <dd>
            {members.length ? (
              <span class="chips">
                {members.map((m) => (
                  <a key={m.id} href={`#/tests/${m.id}`} class="chip">
                    {m.name}
                  </a>
                ))}
              </span>
            ) : (
              <span class="muted">no test matches yet</span>
            )}
          </dd>
        </div>
      </dl>
      <h3>Latest suite runs</h3>
      {runs.length ? (
        <div class="table-wrap">
          <table class="table table-compact">
            <thead>
              <tr>
                <th>Status</th>
                <th>Started</th>
                <th class="num">Passed</th>
                <th class="num">Failed</th>
                <th class="num">Pending</th>
                <th>Runs</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => {
                const status = SUITE_STATUS[r.status] ?? SUITE_STATUS[SuiteRunStatus.UNSPECIFIED];
                return (
                  <tr key={r.id}>
                    <td>
                      <span class={`badge badge-${status.tone}`}>{status.label}</span>
                    </td>
                    <td>
                      <TimeText date={toDate(r.createdAt)} />
                    </td>
                    <td class="num">{r.passed}</td>
                    <td class="num">{r.failed}</td>
                    <td class="num">{r.pending}</td>
                    <td>
                      <span class="chips">
                        {r.runIds.slice(0, 8).map((id) => (
                          <a key={id} href={`#/runs/${id}`} class="chip">
                            {id.slice(0, 8)}
                          </a>
                        ))}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">Not run yet.</p>
      )}
    </section>
  );
}
