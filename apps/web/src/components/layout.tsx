import type { ComponentChildren } from "preact";
import { useSession } from "../api/session-context.js";
import type { Route } from "../router.js";

const NAV = [
  { href: "#/", label: "Dashboard", pages: ["dashboard"] },
  { href: "#/tests", label: "Tests", pages: ["tests", "test"] },
  { href: "#/runs", label: "Runs", pages: ["runs", "run"] },
  { href: "#/suites", label: "Suites", pages: ["suites"] },
  { href: "#/runners", label: "Runners", pages: ["runners"] },
] as const;

/** The frame of every signed-in page: brand, navigation, namespace picker and who is signed in. */
export function Layout({ route, children }: { route: Route; children: ComponentChildren }) {
  const session = useSession();
  const namespaces = [...new Set([session.namespace, ...session.namespaces])].sort();
  const items = session.can("admin") ? [...NAV, { href: "#/tokens", label: "Tokens", pages: ["tokens"] }] : NAV;
  return (
    <div class="shell">
      <header class="topbar">
        <a href="#/" class="brand" aria-label="tstr dashboard">
          <span class="brand-mark" aria-hidden="true">
            t
          </span>
          tstr
        </a>
        <nav class="nav" aria-label="Main">
          {items.map((item) => (
            <a
              key={item.href}
              href={item.href}
              class="nav-link"
              aria-current={(item.pages as readonly string[]).includes(route.page) ? "page" : undefined}
            >
              {item.label}
            </a>
          ))}
        </nav>
        <div class="topbar-right">
          <label class="ns-picker">
            <span class="ns-label">Namespace</span>
            <select
              value={session.namespace}
              onChange={(e) => session.setNamespace((e.target as HTMLSelectElement).value)}
              name="namespace"
            >
              {namespaces.map((ns) => (
                <option key={ns} value={ns}>
                  {ns}
                </option>
              ))}
            </select>
          </label>
          <span class="who" title={`scopes: ${session.scopes.join(", ")}`}>
            {session.tokenName}
          </span>
          <button type="button" class="btn btn-small btn-ghost" onClick={() => session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main class="content">{children}</main>
    </div>
  );
}

/** A page title with optional actions on the right. */
export function PageHeader(props: {
  title: ComponentChildren;
  subtitle?: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <div class="page-header">
      <div class="page-title">
        <h1>{props.title}</h1>
        {props.subtitle && <div class="page-subtitle">{props.subtitle}</div>}
      </div>
      {props.actions && <div class="page-actions">{props.actions}</div>}
    </div>
  );
}
