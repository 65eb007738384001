import type { ScopeName } from "@tstr/proto";

/** The authenticated caller of an RPC, as established from its bearer token. */
export interface Principal {
  tokenId: string;
  name: string;
  scopes: ScopeName[];
  /** Anchored RE2 patterns of the namespaces this caller may touch. */
  namespaceSelectors: string[];
  /** Set on runner tokens minted for one runner: it may act only on that runner's runs. */
  runnerId?: string;
  expiresAt?: Date;
}
