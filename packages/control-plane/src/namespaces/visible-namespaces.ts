import type { Principal } from "@tstr/auth";
import { namespaceMatcher } from "@tstr/domain";
import { DEFAULT_NAMESPACE } from "./resolve-namespace.js";

/**
 * The namespaces a caller can see: those that hold tests (plus "default"), filtered by the
 * caller's namespace selectors. Used for cross-namespace queries, so SQL never reads rows of
 * namespaces the caller may not see.
 */
export function createVisibleNamespaces(listNamespaces: () => Promise<string[]>) {
  return async (principal: Principal): Promise<string[]> => {
    const allowed = namespaceMatcher(principal.namespaceSelectors);
    const known = new Set([DEFAULT_NAMESPACE, ...(await listNamespaces())]);
    return [...known].filter(allowed).sort();
  };
}
