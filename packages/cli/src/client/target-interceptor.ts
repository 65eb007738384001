import { ScalarType } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";

/** Credentials and namespace every call carries. */
export interface ApiTarget {
  addr: string;
  token?: string;
  namespace?: string;
}

/**
 * Adds `Authorization: Bearer <token>` and the `namespace` header to every call, and copies the
 * namespace into the request's top-level `namespace` field when the message has one and it is
 * empty (the server reads the field first, the header second). A `namespace` header set on the
 * call itself wins over the target's, so one client can act in the namespace of each document.
 */
export function targetInterceptor(target: ApiTarget): Interceptor {
  return (next) => async (req) => {
    if (target.token && !req.header.has("authorization")) {
      req.header.set("authorization", `Bearer ${target.token}`);
    }
    const namespace = req.header.get("namespace") || target.namespace;
    if (namespace) {
      req.header.set("namespace", namespace);
      const field = req.method.input.field.namespace;
      if (!req.stream && field?.fieldKind === "scalar" && field.scalar === ScalarType.STRING) {
        const message = req.message as unknown as Record<string, unknown>;
        if (message[field.localName] === "") message[field.localName] = namespace;
      }
    }
    return next(req);
  };
}
