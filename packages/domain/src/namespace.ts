import { type AnchoredRegex, compileAnchoredRegex, InvalidRegexError, validateRegex } from "./anchored-regex.js";
import type { FieldViolation } from "./validation-error.js";

/** Longest namespace name; namespaces are DNS labels so they can name Kubernetes namespaces. */
export const MAX_NAMESPACE_LENGTH = 63;

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * Checks a namespace name: a DNS label (lowercase alphanumerics and `-`, at most 63 characters,
 * starting and ending alphanumeric), so it can be used as a Kubernetes namespace or a path part.
 */
export function validateNamespace(namespace: string, path = "namespace"): FieldViolation[] {
  const message =
    namespace.length === 0
      ? "is required"
      : namespace.length > MAX_NAMESPACE_LENGTH
        ? `must be at most ${MAX_NAMESPACE_LENGTH} characters`
        : DNS_LABEL.test(namespace)
          ? undefined
          : "must consist of lowercase alphanumeric characters or '-', and start and end with an alphanumeric character";
  return message === undefined ? [] : [{ path, message }];
}

/**
 * Checks one namespace selector of a token or runner: `*`, or an RE2 regex matched against the
 * whole namespace name. Returns a reason, or undefined when it is valid.
 */
export function validateNamespaceSelector(selector: string): string | undefined {
  return isMatchAll(selector) ? undefined : validateRegex(selector);
}

/**
 * Compiles namespace selectors once into a predicate, for hot paths that check many namespaces.
 * Semantics as {@link namespaceAllowed}.
 */
export function namespaceMatcher(selectors: string[]): (namespace: string) => boolean {
  if (selectors.some(isMatchAll)) return () => true;
  const regexes = selectors.map(compileOrNull).filter((regex): regex is AnchoredRegex => regex !== null);
  return (namespace) => regexes.some((regex) => regex.test(namespace));
}

/**
 * True when a namespace is allowed by tstr-style namespace selectors: each selector is an
 * anchored RE2 regex (`team-.*`), `*` alone allows every namespace, and an empty list allows
 * none, so a token without selectors fails closed. An invalid selector allows nothing.
 */
export function namespaceAllowed(selectors: string[], namespace: string): boolean {
  return namespaceMatcher(selectors)(namespace);
}

function isMatchAll(selector: string): boolean {
  return selector === "*" || selector === ".*";
}

function compileOrNull(selector: string): AnchoredRegex | null {
  try {
    return compileAnchoredRegex(selector);
  } catch (error) {
    if (error instanceof InvalidRegexError) return null;
    throw error;
  }
}
