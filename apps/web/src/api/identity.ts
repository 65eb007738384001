import type { Api } from "./clients.js";

/** What the server says about a token: its name, scopes and the namespaces it reaches. */
export interface IdentityInfo {
  tokenName: string;
  scopes: string[];
  namespaces: string[];
}

/** Asks IdentityService who the token belongs to (fails with Unauthenticated for a bad token). */
export async function fetchIdentity(api: Api): Promise<IdentityInfo> {
  const { accessToken, accessibleNamespaces } = await api.identity.identity({});
  return {
    tokenName: accessToken?.name ?? "token",
    scopes: accessToken?.scopeNames ?? [],
    namespaces: accessibleNamespaces,
  };
}

/** The namespace to open: the one picked before if still reachable, else `default`, else the first. */
export function pickNamespace(identity: IdentityInfo, previous: string | undefined): string {
  const known = identity.namespaces;
  if (previous && (known.length === 0 || known.includes(previous))) return previous;
  if (known.length === 0 || known.includes("default")) return "default";
  return known[0] ?? "default";
}
