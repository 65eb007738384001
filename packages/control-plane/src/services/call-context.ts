import type { HandlerContext } from "@connectrpc/connect";
import { type Principal, requirePrincipal } from "@tstr/auth";
import { resolveNamespace } from "../namespaces/resolve-namespace.js";

/** The caller and the namespace a handler acts in, resolved once per call. */
export interface CallScope {
  principal: Principal;
  namespace: string;
}

/** Resolves the caller and namespace of a call (request field, else the `namespace` header). */
export function callScope(context: HandlerContext, requestedNamespace = ""): CallScope {
  const principal = requirePrincipal(context);
  return {
    principal,
    namespace: resolveNamespace(principal, requestedNamespace, context.requestHeader.get("namespace")),
  };
}
