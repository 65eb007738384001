import { TestCase_Status } from "@tstr/proto";
import { useSession } from "../api/session-context.js";
import { useQuery } from "../api/use-query.js";
import { formatProtoDuration } from "../format/duration.js";
import { QueryView } from "./states.js";

const STATUS: Record<TestCase_Status, { label: string; tone: string }> = {
  [TestCase_Status.UNSPECIFIED]: { label: "UNKNOWN", tone: "unknown" },
  [TestCase_Status.PASSED]: { label: "PASSED", tone: "pass" },
  [TestCase_Status.FAILED]: { label: "FAILED", tone: "fail" },
  [TestCase_Status.ERROR]: { label: "ERROR", tone: "error" },
  [TestCase_Status.SKIPPED]: { label: "SKIPPED", tone: "cancelled" },
};

/** The JUnit test cases a finished run reported; nothing when it reported none. */
export function TestCases({ runId }: { runId: string }) {
  const { api } = useSession();
  const cases = useQuery(
    "load the test cases",
    async (signal) => (await api.data.listTestCases({ runId }, { signal })).testCases,
    [runId],
  );
  if (cases.data?.length === 0) return null;
  return (
    <section class="panel">
      <h2>Test cases</h2>
      <QueryView what="test cases" state={cases}>
        {(list) => {
          const failed = list.filter((c) => c.status === TestCase_Status.FAILED || c.status === TestCase_Status.ERROR);
          return (
            <>
              <p class="muted small">
                {list.length} cases, {failed.length} failed
              </p>
              <div class="table-wrap">
                <table class="table" data-testid="test-cases">
                  <thead>
                    <tr>
                      <th>Status</th>
                      <th>Case</th>
                      <th class="hide-phone">Suite / class</th>
                      <th>Time</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((c, i) => {
                      const status = STATUS[c.status] ?? STATUS[TestCase_Status.UNSPECIFIED];
                      return (
                        <tr key={`${c.attempt}-${c.suite}-${c.className}-${c.name}-${i}`}>
                          <td>
                            <span class={`badge badge-${status.tone}`}>{status.label}</span>
                          </td>
                          <td>
                            {c.name}
                            {c.message && <div class="small case-message">{c.message}</div>}
                            {c.details && (
                              <details>
                                <summary class="small">details</summary>
                                <pre class="pre">{c.details}</pre>
                              </details>
                            )}
                          </td>
                          <td class="hide-phone muted">{[c.suite, c.className].filter(Boolean).join(" / ")}</td>
                          <td class="num">{formatProtoDuration(c.duration)}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </>
          );
        }}
      </QueryView>
    </section>
  );
}
