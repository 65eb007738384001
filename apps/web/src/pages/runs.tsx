import { Run_Result, RunStatus } from "@tstr/proto";
import { useState } from "preact/hooks";
import { useSession } from "../api/session-context.js";
import { useQuery } from "../api/use-query.js";
import { PageHeader } from "../components/layout.js";
import { RunsTable } from "../components/runs-table.js";
import { Empty, QueryView } from "../components/states.js";

const FILTERS = {
  all: { label: "All", statuses: [], results: [] },
  active: {
    label: "Queued or running",
    statuses: [RunStatus.QUEUED, RunStatus.ASSIGNED, RunStatus.RUNNING, RunStatus.CANCELLING],
    results: [],
  },
  pass: { label: "Passed", statuses: [], results: [Run_Result.PASS] },
  fail: { label: "Failed", statuses: [], results: [Run_Result.FAIL] },
  error: { label: "Error / timed out", statuses: [], results: [Run_Result.ERROR, Run_Result.TIMED_OUT] },
  cancelled: { label: "Cancelled", statuses: [], results: [Run_Result.CANCELLED] },
} as const;
type FilterKey = keyof typeof FILTERS;

/** Every run of the namespace, newest first, filtered by state, a page at a time. */
export function RunsPage({ query }: { query: URLSearchParams }) {
  const { api } = useSession();
  const initial = query.get("state");
  const [filter, setFilter] = useState<FilterKey>(initial && initial in FILTERS ? (initial as FilterKey) : "all");
  const [pageSize, setPageSize] = useState(50);
  const runs = useQuery(
    "load runs",
    async (signal) => {
      const f = FILTERS[filter];
      const res = await api.data.queryRuns(
        { statuses: [...f.statuses], results: [...f.results], pageSize },
        { signal },
      );
      return { runs: res.runs, more: Boolean(res.nextPageToken) };
    },
    [filter, pageSize],
    { refreshMs: 3000 },
  );
  return (
    <>
      <PageHeader title="Runs" />
      <div class="filters">
        <label class="field field-inline">
          <span>Show</span>
          <select
            name="state"
            value={filter}
            onChange={(e) => setFilter((e.target as HTMLSelectElement).value as FilterKey)}
          >
            {(Object.keys(FILTERS) as FilterKey[]).map((key) => (
              <option key={key} value={key}>
                {FILTERS[key].label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <section class="panel">
        <QueryView what="runs" state={runs}>
          {({ runs: list, more }) =>
            list.length ? (
              <>
                <RunsTable runs={list} />
                {more && (
                  <button type="button" class="btn btn-small" onClick={() => setPageSize(pageSize + 50)}>
                    Show more
                  </button>
                )}
              </>
            ) : (
              <Empty title={filter === "all" ? "No runs yet" : "No run in this state"}>
                {filter === "all"
                  ? "Open a test and press “Run now”, or schedule one with `tstrctl run schedule <test>`."
                  : "Pick “All” to see every run."}
              </Empty>
            )
          }
        </QueryView>
      </section>
    </>
  );
}
