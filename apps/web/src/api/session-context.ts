import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Api } from "./clients.js";
import type { ScopeName } from "./scopes.js";

/** Who is signed in, with which clients, in which namespace. */
export interface AppSession {
  api: Api;
  tokenName: string;
  scopes: string[];
  namespaces: string[];
  namespace: string;
  setNamespace(namespace: string): void;
  /** Drops the token; `notice` says why on the sign-in page. */
  signOut(notice?: string): void;
  can(scope: ScopeName): boolean;
}

export const SessionContext = createContext<AppSession | undefined>(undefined);

/** The signed-in session; pages are only rendered inside one. */
export function useSession(): AppSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession: rendered outside a signed-in session");
  return session;
}
