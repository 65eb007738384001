// The browser session: the token and chosen namespace live in sessionStorage only, so they are
// gone when the tab closes and never shared with other tabs or written to disk by the app.

const TOKEN_KEY = "tstr.token";
const NAMESPACE_KEY = "tstr.namespace";
const NOTICE_KEY = "tstr.signInNotice";

/** The token saved for this tab, if any. */
export function storedToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** The namespace last picked in this tab, if any. */
export function storedNamespace(): string | undefined {
  return sessionStorage.getItem(NAMESPACE_KEY) ?? undefined;
}

/** Keeps the token (and namespace) for this tab. */
export function saveSession(token: string, namespace: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(NAMESPACE_KEY, namespace);
}

/** Remembers the namespace picked in the header. */
export function saveNamespace(namespace: string): void {
  sessionStorage.setItem(NAMESPACE_KEY, namespace);
}

/** Forgets the token; `notice` is shown once on the sign-in page (why the user was signed out). */
export function clearSession(notice?: string): void {
  sessionStorage.removeItem(TOKEN_KEY);
  if (notice) sessionStorage.setItem(NOTICE_KEY, notice);
}

/** The sign-out notice, read once. */
export function takeSignInNotice(): string | undefined {
  const notice = sessionStorage.getItem(NOTICE_KEY) ?? undefined;
  sessionStorage.removeItem(NOTICE_KEY);
  return notice;
}
