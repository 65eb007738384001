import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { type Principal, requirePrincipal } from "@tstr/auth";
import { IdentityResponseSchema, type IdentityService } from "@tstr/proto";
import { mapErrors } from "../errors.js";
import { tokenToProto } from "../mapping/token-mapping.js";
import type { TokenService } from "../tokens/token-service.js";

/** IdentityService: who the caller is and which known namespaces its token reaches. */
export function createIdentityHandlers(deps: {
  tokens: TokenService;
  visibleNamespaces: (principal: Principal) => Promise<string[]>;
}): ServiceImpl<typeof IdentityService> {
  return {
    identity: (_req, context) =>
      mapErrors(async () => {
        const principal = requirePrincipal(context);
        const record = await deps.tokens.get(principal.tokenId);
        const namespaces = await deps.visibleNamespaces(principal);
        return create(IdentityResponseSchema, {
          accessToken: tokenToProto(record),
          accessibleNamespaces: namespaces,
        });
      }),
  };
}
