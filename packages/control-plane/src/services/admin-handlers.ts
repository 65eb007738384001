import { create } from "@bufbuild/protobuf";
import { durationMs } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { requirePrincipal } from "@tstr/auth";
import {
  type AdminService,
  GetAccessTokenResponseSchema,
  IssueAccessTokenResponseSchema,
  ListAccessTokensResponseSchema,
  RevokeAccessTokenResponseSchema,
} from "@tstr/proto";
import { mapErrors } from "../errors.js";
import { scopesFromRequest, tokenToProto } from "../mapping/token-mapping.js";
import type { TokenService } from "../tokens/token-service.js";

/** AdminService handlers: access tokens, and runner deletion from the run subsystem. */
export function createAdminHandlers(deps: {
  tokens: TokenService;
  runners?: Partial<ServiceImpl<typeof AdminService>>;
}): Partial<ServiceImpl<typeof AdminService>> {
  const { tokens } = deps;
  return {
    ...deps.runners,
    issueAccessToken: (req, context) =>
      mapErrors(async () => {
        const caller = requirePrincipal(context);
        const { record, token } = await tokens.issue({
          name: req.name,
          scopes: scopesFromRequest(req.scopes, req.scopeNames),
          namespaceSelectors: req.namespaceSelectors,
          validForMs: req.validDuration ? durationMs(req.validDuration) : undefined,
          issuer: caller,
        });
        return create(IssueAccessTokenResponseSchema, {
          accessToken: tokenToProto(record, token),
        });
      }),
    getAccessToken: (req) =>
      mapErrors(async () =>
        create(GetAccessTokenResponseSchema, {
          accessToken: tokenToProto(await tokens.get(req.id)),
        }),
      ),
    listAccessTokens: (req) =>
      mapErrors(async () => {
        const records = await tokens.list({
          includeExpired: req.includeExpired,
          includeRevoked: req.includeRevoked,
        });
        return create(ListAccessTokensResponseSchema, {
          accessTokens: records.map((r) => tokenToProto(r)),
        });
      }),
    revokeAccessToken: (req) =>
      mapErrors(async () => {
        await tokens.revoke(req.id);
        return create(RevokeAccessTokenResponseSchema);
      }),
  };
}
