import type { Principal } from "@tstr/auth";
import { namespaceAllowed, ValidationError, validateNamespace } from "@tstr/domain";
import { ForbiddenError } from "../errors.js";

/** The namespace used when neither the request nor the `namespace` header names one. */
export const DEFAULT_NAMESPACE = "default";

/**
 * Picks the namespace of a call — the request field, else the tstr-style `namespace` header,
 * else "default" — and checks that the caller's token may touch it.
 */
export function resolveNamespace(principal: Principal, requested: string, header: string | null): string {
  const namespace = requested || header?.trim() || DEFAULT_NAMESPACE;
  const violations = validateNamespace(namespace, "namespace");
  if (violations.length) throw new ValidationError(violations);
  assertNamespaceAccess(principal, namespace);
  return namespace;
}

/** Refuses a namespace the caller's token does not cover. */
export function assertNamespaceAccess(principal: Principal, namespace: string): void {
  if (!namespaceAllowed(principal.namespaceSelectors, namespace)) {
    throw new ForbiddenError(
      `token "${principal.name}" may not access namespace "${namespace}" (its namespace selectors: ${
        principal.namespaceSelectors.join(", ") || "none"
      })`,
    );
  }
}
