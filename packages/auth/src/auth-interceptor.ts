import { Code, ConnectError, createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { scopeSatisfies } from "@tstr/domain";
import { methodRequirement } from "@tstr/proto";
import type { Principal } from "./principal.js";
import { InvalidTokenError } from "./token-codec.js";
import type { TokenVerifier } from "./token-verifier.js";

/** Where handlers find the caller; set by the auth interceptor before any tstr handler runs. */
export const principalKey = createContextKey<Principal | undefined>(undefined, {
  description: "tstr principal",
});

/** Standard gRPC protocols that answer without a token (they reveal no tenant data). */
const PUBLIC_SERVICES = new Set([
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
]);

/**
 * Enforces the scope each RPC declares in the proto (`tstr.common.v1.required_scope`). RPCs that
 * declare none are refused, so forgetting the option can never open an endpoint.
 */
export function createAuthInterceptor(verifier: TokenVerifier): Interceptor {
  return (next) => async (req) => {
    const service = req.method.parent.typeName;
    if (PUBLIC_SERVICES.has(service)) return next(req);
    const requirement = methodRequirement(req.method);
    const rpc = `${service}/${req.method.name}`;
    if (requirement.kind === "undeclared") {
      throw new ConnectError(`${rpc} declares no required scope and is refused`, Code.PermissionDenied);
    }
    const principal = await authenticate(verifier, req.header.get("authorization"));
    if (requirement.kind === "scope" && !scopeSatisfies(principal.scopes, requirement.scope)) {
      throw new ConnectError(
        `${rpc} needs scope "${requirement.scope}"; token "${principal.name}" has ${formatScopes(principal.scopes)}`,
        Code.PermissionDenied,
      );
    }
    req.contextValues.set(principalKey, principal);
    return next(req);
  };
}

async function authenticate(verifier: TokenVerifier, header: string | null): Promise<Principal> {
  const match = header?.match(/^\s*Bearer\s+(\S+)\s*$/i);
  if (!match?.[1]) {
    throw new ConnectError(
      "missing credentials: send the header 'Authorization: Bearer <token>'",
      Code.Unauthenticated,
    );
  }
  try {
    return await verifier.verify(match[1]);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw new ConnectError(error.message, Code.Unauthenticated);
    throw error;
  }
}

function formatScopes(scopes: readonly string[]): string {
  return scopes.length ? scopes.map((s) => `"${s}"`).join(", ") : "no scopes";
}

/** The caller of the current RPC; throws if the auth interceptor did not run (a wiring bug). */
export function requirePrincipal(context: HandlerContext): Principal {
  const principal = context.values.get(principalKey);
  if (!principal) throw new ConnectError("unauthenticated", Code.Unauthenticated);
  return principal;
}
