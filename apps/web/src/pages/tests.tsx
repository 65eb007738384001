import type { Run } from "@tstr/proto";
import { useEffect, useState } from "preact/hooks";
import { useSession } from "../api/session-context.js";
import { useQuery } from "../api/use-query.js";
import { Labels } from "../components/labels.js";
import { PageHeader } from "../components/layout.js";
import { Empty, QueryView } from "../components/states.js";
import { ResultStrip } from "../components/status-badge.js";
import { TimeText } from "../components/time-text.js";
import { toDate } from "../format/time.js";

const RECENT = 12;

/** Tests of the namespace, filtered by name text and a label selector, each with its latest results. */
export function TestsPage({ query }: { query: URLSearchParams }) {
  const { api } = useSession();
  const [text, setText] = useState(query.get("q") ?? "");
  const [selector, setSelector] = useState(query.get("selector") ?? "");
  const filters = useDebounced({ text: text.trim(), selector: selector.trim() }, 250);

  const tests = useQuery(
    "load the tests",
    async (signal) => {
      const { tests } = await api.data.queryTests(
        { nameContains: filters.text, selector: filters.selector, pageSize: 200 },
        { signal },
      );
      const ids = tests.map((t) => t.id);
      const runs = ids.length ? (await api.data.queryRuns({ testIds: ids, pageSize: 1000 }, { signal })).runs : [];
      const byTest = new Map<string, Run[]>();
      for (const run of runs) byTest.set(run.testId, [...(byTest.get(run.testId) ?? []), run]);
      return tests.map((test) => ({ test, runs: (byTest.get(test.id) ?? []).slice(0, RECENT).reverse() }));
    },
    [filters.text, filters.selector],
    { refreshMs: 5000 },
  );
  const filtered = Boolean(filters.text || filters.selector);

  return (
    <>
      <PageHeader title="Tests" />
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter tests">
        <label class="field field-inline">
          <span>Name contains</span>
          <input type="search" name="q" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </label>
        <label class="field field-inline">
          <span>Labels</span>
          <input
            type="search"
            name="selector"
            placeholder="team=web,tier in (smoke,e2e)"
            value={selector}
            onInput={(e) => setSelector((e.target as HTMLInputElement).value)}
          />
        </label>
      </form>
      <section class="panel">
        <QueryView what="tests" state={tests}>
          {(rows) =>
            rows.length === 0 ? (
              filtered ? (
                <Empty title="No test matches these filters">Clear the name or label filter to see every test.</Empty>
              ) : (
                <Empty title="No tests yet">
                  Add the examples with <code>tstrctl test apply -f packages/cli/examples/</code> (or define your own
                  YAML and apply it).
                </Empty>
              )
            ) : (
              <div class="table-wrap">
                <table class="table">
                  <thead>
                    <tr>
                      <th>Test</th>
                      <th class="hide-phone">Labels</th>
                      <th class="hide-phone">Schedule</th>
                      <th>Recent results</th>
                      <th>Last run</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map(({ test, runs }) => (
                      <tr key={test.id} data-test-name={test.name}>
                        <td>
                          <a href={`#/tests/${test.id}`}>
                            <strong>{test.name}</strong>
                          </a>
                          {test.executor && <span class="tag">{test.executor}</span>}
                          {test.description && <div class="muted small">{test.description}</div>}
                        </td>
                        <td class="hide-phone">
                          <Labels labels={test.labels} />
                        </td>
                        <td class="hide-phone">
                          {test.cronSchedule ? <code>{test.cronSchedule}</code> : <span class="muted">manual</span>}
                          {test.schedulePaused && <span class="tag">paused</span>}
                        </td>
                        <td>
                          <ResultStrip runs={runs} />
                        </td>
                        <td>
                          <TimeText date={toDate(runs.at(-1)?.scheduledAt)} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </QueryView>
      </section>
    </>
  );
}

function useDebounced<T extends Record<string, string>>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  const key = JSON.stringify(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [key, ms]);
  return settled;
}
