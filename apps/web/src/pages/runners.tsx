import { useSession } from "../api/session-context.js";
import { useQuery } from "../api/use-query.js";
import { Labels, Selectors } from "../components/labels.js";
import { PageHeader } from "../components/layout.js";
import { Empty, QueryView } from "../components/states.js";
import { TimeText } from "../components/time-text.js";
import { toDate } from "../format/time.js";

/** Every registered runner: liveness, labels, selectors, capacity in use and the runs it holds now. */
export function RunnersPage() {
  const { api } = useSession();
  const runners = useQuery(
    "load runners",
    async (signal) => (await api.data.queryRunners({}, { signal })).runners,
    [],
    {
      refreshMs: 3000,
    },
  );
  return (
    <>
      <PageHeader
        title="Runners"
        subtitle="Runners are shared: runs shown are those of namespaces your token can read."
      />
      <QueryView what="runners" state={runners}>
        {(list) =>
          list.length === 0 ? (
            <Empty title="No runners registered">
              Issue a token with the <code>runner</code> scope and start{" "}
              <code>tstr runner --server URL --token TOKEN</code>; <code>tstr dev</code> starts one for you.
            </Empty>
          ) : (
            <div class="runner-grid">
              {list.map((r) => (
                <section key={r.id} class="panel runner" data-runner={r.name}>
                  <h2>
                    <span class={`dot-status ${r.online ? "on" : "off"}`} aria-hidden="true" />
                    {r.name}
                    <span class={`badge ${r.online ? "badge-pass" : "badge-cancelled"}`}>
                      {r.online ? "online" : "offline"}
                    </span>
                    {r.draining && <span class="badge badge-error">draining</span>}
                  </h2>
                  <dl class="facts">
                    <div class="fact">
                      <dt>Last heartbeat</dt>
                      <dd>
                        <TimeText date={toDate(r.lastHeartbeatAt)} />
                      </dd>
                    </div>
                    <div class="fact">
                      <dt>Capacity</dt>
                      <dd>
                        <Meter used={r.activeRunIds.length} total={r.capacity} />
                      </dd>
                    </div>
                    <div class="fact">
                      <dt>Labels</dt>
                      <dd>
                        <Labels labels={r.labels} />
                      </dd>
                    </div>
                    <div class="fact">
                      <dt>Accepts</dt>
                      <dd>
                        <Selectors selectors={r.acceptSelectors} none="every run" />
                      </dd>
                    </div>
                    <div class="fact">
                      <dt>Rejects</dt>
                      <dd>
                        <Selectors selectors={r.rejectSelectors} none="nothing" />
                      </dd>
                    </div>
                    <div class="fact">
                      <dt>Namespaces</dt>
                      <dd>
                        <Selectors selectors={r.namespaceSelectors} none="all" />
                      </dd>
                    </div>
                    <div class="fact">
                      <dt>Executors</dt>
                      <dd>{r.executors.join(", ") || "—"}</dd>
                    </div>
                    <div class="fact">
                      <dt>Version</dt>
                      <dd>{r.version || "—"}</dd>
                    </div>
                    <div class="fact">
                      <dt>Current runs</dt>
                      <dd>
                        {r.activeRunIds.length ? (
                          <span class="chips">
                            {r.activeRunIds.map((id) => (
                              <a key={id} href={`#/runs/${id}`} class="chip">
                                {id.slice(0, 8)}
                              </a>
                            ))}
                          </span>
                        ) : (
                          <span class="muted">idle</span>
                        )}
                      </dd>
                    </div>
                  </dl>
                </section>
              ))}
            </div>
          )
        }
      </QueryView>
    </>
  );
}

function Meter({ used, total }: { used: number; total: number }) {
  const slots = Math.max(total, used);
  return (
    <span class="meter" title={`${used} of ${total} slots busy`}>
      {Array.from({ length: Math.min(slots, 16) }, (_, i) => (
        <span key={i} class={`meter-slot ${i < used ? "busy" : ""}`} aria-hidden="true" />
      ))}
      <span>
        {used} / {total} busy
      </span>
    </span>
  );
}
