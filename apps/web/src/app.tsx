import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { createApi } from "./api/clients.js";
import { fetchIdentity, type IdentityInfo, pickNamespace } from "./api/identity.js";
import { describeProblem } from "./api/problems.js";
import { scopeGranted } from "./api/scopes.js";
import {
  clearSession,
  saveNamespace,
  saveSession,
  storedNamespace,
  storedToken,
  takeSignInNotice,
} from "./api/session.js";
import { type AppSession, SessionContext } from "./api/session-context.js";
import { Layout } from "./components/layout.js";
import { Loading, ProblemBox } from "./components/states.js";
import { DashboardPage } from "./pages/dashboard.js";
import { NotFoundPage } from "./pages/not-found.js";
import { RunDetailPage } from "./pages/run-detail.js";
import { RunnersPage } from "./pages/runners.js";
import { RunsPage } from "./pages/runs.js";
import { SignInPage } from "./pages/sign-in.js";
import { SuitesPage } from "./pages/suites.js";
import { TestDetailPage } from "./pages/test-detail.js";
import { TestsPage } from "./pages/tests.js";
import { TokensPage } from "./pages/tokens.js";
import { type Route, useRoute } from "./router.js";

/** The whole UI: sign-in until a token is accepted, then the page the hash names. */
export function App() {
  const route = useRoute();
  const [token, setToken] = useState(storedToken());
  const [identity, setIdentity] = useState<IdentityInfo | undefined>(undefined);
  const [notice, setNotice] = useState(takeSignInNotice());
  const [namespace, setNamespaceState] = useState(storedNamespace() ?? "default");
  const namespaceRef = useRef(namespace);
  namespaceRef.current = namespace;
  const api = useMemo(() => (token ? createApi(token, () => namespaceRef.current) : undefined), [token]);
  const [startupError, setStartupError] = useState<unknown>(undefined);

  const signOut = (why?: string) => {
    clearSession();
    setToken(undefined);
    setIdentity(undefined);
    setNotice(why);
  };

  // A token kept from earlier in this tab is checked again before any page uses it.
  useEffect(() => {
    if (!api || identity) return;
    let cancelled = false;
    fetchIdentity(api).then(
      (info) => {
        if (cancelled) return;
        setNamespaceState(pickNamespace(info, storedNamespace()));
        setIdentity(info);
      },
      (error) => {
        if (cancelled) return;
        const p = describeProblem(error, "check your token");
        if (p.signOut) signOut(`${p.title}. ${p.action}`);
        else setStartupError(error);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, identity]);

  if (!token || !api) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(value, info) => {
          const ns = pickNamespace(info, storedNamespace());
          saveSession(value, ns);
          setNamespaceState(ns);
          setNotice(undefined);
          setToken(value);
          setIdentity(info);
        }}
      />
    );
  }
  if (!identity) {
    return (
      <div class="content">
        {startupError ? (
          <ProblemBox
            problem={describeProblem(startupError, "check your token")}
            onRetry={() => setStartupError(undefined)}
          />
        ) : (
          <Loading what="your session" />
        )}
      </div>
    );
  }
  const session: AppSession = {
    api,
    tokenName: identity.tokenName,
    scopes: identity.scopes,
    namespaces: identity.namespaces,
    namespace,
    setNamespace(ns) {
      saveNamespace(ns);
      setNamespaceState(ns);
    },
    signOut,
    can: (scope) => scopeGranted(identity.scopes, scope),
  };
  return (
    <SessionContext.Provider value={session}>
      <Layout route={route}>
        <Page route={route} />
      </Layout>
    </SessionContext.Provider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "dashboard":
      return <DashboardPage />;
    case "tests":
      return <TestsPage query={route.query} />;
    case "test":
      return <TestDetailPage id={route.id} />;
    case "runs":
      return <RunsPage query={route.query} />;
    case "run":
      return <RunDetailPage id={route.id} />;
    case "runners":
      return <RunnersPage />;
    case "suites":
      return <SuitesPage />;
    case "tokens":
      return <TokensPage />;
    default:
      return <NotFoundPage path={route.path} />;
  }
}
