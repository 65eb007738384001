import { useState } from "preact/hooks";
import { createApi } from "../api/clients.js";
import { fetchIdentity, type IdentityInfo } from "../api/identity.js";
import { describeProblem, type Problem } from "../api/problems.js";

/**
 * Sign-in with a token (the one `tstr dev` or the first `tstr serve` prints, or one issued by an
 * admin). The token is checked with IdentityService before it is kept for this tab.
 */
export function SignInPage(props: { notice?: string; onSignedIn(token: string, identity: IdentityInfo): void }) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);

  async function submit(event: Event) {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setProblem({
        title: "Enter a token",
        detail: "",
        action: "Paste the admin token printed by `tstr dev` (or by the first start of `tstr serve`).",
        signOut: false,
        code: undefined,
      });
      return;
    }
    setBusy(true);
    setProblem(undefined);
    try {
      props.onSignedIn(value, await fetchIdentity(createApi(value)));
    } catch (error) {
      const p = describeProblem(error, "sign in");
      setProblem(
        p.signOut
          ? {
              ...p,
              title: "The server rejected this token",
              action:
                "Check that you pasted the whole token (it starts with “ey”), that it was not revoked, and that it belongs to this server.",
            }
          : p,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="signin">
      <form class="signin-card" onSubmit={submit}>
        <div class="brand brand-large">
          <span class="brand-mark" aria-hidden="true">
            t
          </span>
          tstr
        </div>
        <h1>Sign in</h1>
        {props.notice && (
          <div class="state state-warning" role="alert">
            {props.notice}
          </div>
        )}
        <label class="field">
          <span>Access token</span>
          <input
            type="password"
            name="token"
            autoComplete="off"
            spellcheck={false}
            placeholder="eyJhbGciOi…"
            value={token}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          />
        </label>
        <p class="hint">
          Use the admin token printed by <code>pnpm dev</code> / <code>tstr dev</code> (or the first start of{" "}
          <code>tstr serve</code>), or a token an admin issued to you. It is kept only in this browser tab.
        </p>
        {problem && (
          <div class="state state-error" role="alert">
            <strong>{problem.title}</strong>
            {problem.detail && <div class="state-detail">{problem.detail}</div>}
            <div class="state-hint">{problem.action}</div>
          </div>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
    </div>
  );
}
