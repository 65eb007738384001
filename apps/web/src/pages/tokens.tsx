import { durationFromMs } from "@bufbuild/protobuf/wkt";
import type { AccessToken } from "@tstr/proto";
import { useState } from "preact/hooks";
import { describeProblem, type Problem } from "../api/problems.js";
import type { ScopeName } from "../api/scopes.js";
import { useSession } from "../api/session-context.js";
import { useQuery } from "../api/use-query.js";
import { PageHeader } from "../components/layout.js";
import { Empty, ProblemBox, QueryView } from "../components/states.js";
import { TimeText } from "../components/time-text.js";
import { toDate } from "../format/time.js";

const SCOPES: ScopeName[] = ["data:read", "control:read", "control:write", "runner", "admin"];
const DAY = 86400_000;
const VALIDITY = [
  { label: "1 day", ms: DAY },
  { label: "30 days", ms: 30 * DAY },
  { label: "90 days", ms: 90 * DAY },
  { label: "1 year", ms: 365 * DAY },
  { label: "no expiry", ms: 0 },
];

/** Admins list, issue and revoke access tokens (AdminService). */
export function TokensPage() {
  const { api, can } = useSession();
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const tokens = useQuery(
    "load tokens",
    async (signal) =>
      (await api.admin.listAccessTokens({ includeRevoked, includeExpired: includeRevoked }, { signal })).accessTokens,
    [includeRevoked],
  );
  if (!can("admin")) {
    return <Empty title="Tokens are managed by admins">This page needs a token with the “admin” scope.</Empty>;
  }
  return (
    <>
      <PageHeader title="Access tokens" />
      <IssueForm onIssued={tokens.reload} />
      <section class="panel">
        <div class="panel-head">
          <h2>Tokens</h2>
          <label class="log-toggle">
            <input
              type="checkbox"
              checked={includeRevoked}
              onChange={(e) => setIncludeRevoked((e.target as HTMLInputElement).checked)}
            />
            show revoked and expired
          </label>
        </div>
        <QueryView what="tokens" state={tokens}>
          {(list) =>
            list.length ? (
              <TokenTable tokens={list} onRevoked={tokens.reload} />
            ) : (
              <Empty title="No tokens">Issue one above.</Empty>
            )
          }
        </QueryView>
      </section>
    </>
  );
}

function TokenTable({ tokens, onRevoked }: { tokens: AccessToken[]; onRevoked(): void }) {
  const { api } = useSession();
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  async function revoke(token: AccessToken) {
    if (!window.confirm(`Revoke token “${token.name}”? Clients using it stop working within seconds.`)) return;
    try {
      await api.admin.revokeAccessToken({ id: token.id });
      onRevoked();
    } catch (error) {
      setProblem(describeProblem(error, `revoke ${token.name}`));
    }
  }
  return (
    <>
      {problem && <ProblemBox problem={problem} />}
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Scopes</th>
              <th class="hide-phone">Namespaces</th>
              <th class="hide-phone">Issued</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} data-token={t.name}>
                <td>
                  <strong>{t.name}</strong>
                  {t.issuedBy && <div class="muted small">by {t.issuedBy}</div>}
                </td>
                <td>
                  <span class="chips">
                    {t.scopeNames.map((s) => (
                      <span key={s} class="chip">
                        {s}
                      </span>
                    ))}
                  </span>
                </td>
                <td class="hide-phone">
                  <code>{t.namespaceSelectors.join(", ") || "—"}</code>
                </td>
                <td class="hide-phone">
                  <TimeText date={toDate(t.issuedAt)} />
                </td>
                <td>{t.expiresAt ? <TimeText date={toDate(t.expiresAt)} /> : <span class="muted">never</span>}</td>
                <td>
                  {t.revokedAt ? (
                    <span class="badge badge-cancelled">revoked</span>
                  ) : (
                    <button type="button" class="btn btn-small btn-danger" onClick={() => revoke(t)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function IssueForm({ onIssued }: { onIssued(): void }) {
  const { api } = useSession();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ScopeName[]>(["data:read"]);
  const [namespaces, setNamespaces] = useState(".*");
  const [validity, setValidity] = useState(1);
  const [issued, setIssued] = useState<AccessToken | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  async function issue(event: Event) {
    event.preventDefault();
    setProblem(undefined);
    setIssued(undefined);
    try {
      const ms = VALIDITY[validity]?.ms ?? 0;
      const { accessToken } = await api.admin.issueAccessToken({
        name: name.trim(),
        scopeNames: scopes,
        namespaceSelectors: namespaces
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
        validDuration: ms ? durationFromMs(ms) : undefined,
      });
      setIssued(accessToken);
      setName("");
      onIssued();
    } catch (error) {
      setProblem(describeProblem(error, "issue the token"));
    }
  }
  return (
    <section class="panel">
      <h2>Issue a token</h2>
      <form class="issue-form" onSubmit={issue}>
        <label class="field">
          <span>Name</span>
          <input required name="name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <fieldset class="field">
          <legend>Scopes</legend>
          {SCOPES.map((scope) => (
            <label key={scope} class="log-toggle">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={(e) =>
                  setScopes(
                    (e.target as HTMLInputElement).checked ? [...scopes, scope] : scopes.filter((s) => s !== scope),
                  )
                }
              />
              {scope}
            </label>
          ))}
        </fieldset>
        <label class="field">
          <span>Namespace selectors (comma-separated regexes)</span>
          <input
            name="namespaces"
            value={namespaces}
            onInput={(e) => setNamespaces((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="field">
          <span>Valid for</span>
          <select value={validity} onChange={(e) => setValidity(Number((e.target as HTMLSelectElement).value))}>
            {VALIDITY.map((v, i) => (
              <option key={v.label} value={i}>
                {v.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="btn btn-primary">
          Issue token
        </button>
      </form>
      {problem && <ProblemBox problem={problem} />}
      {issued && (
        <div class="callout" role="status">
          <strong>Token “{issued.name}” issued.</strong> Copy it now — it is not shown again:
          <pre class="pre token-value">{issued.token}</pre>
        </div>
      )}
    </section>
  );
}
