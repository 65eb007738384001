import { type AccessToken, AccessToken_Scope } from "@tstr/proto";
import { formatTimestamp } from "./format-values.js";

const SCOPE_NAME_OF_ENUM: Partial<Record<AccessToken_Scope, string>> = {
  [AccessToken_Scope.ADMIN]: "admin",
  [AccessToken_Scope.CONTROL]: "control:write",
  [AccessToken_Scope.CONTROL_READ]: "control:read",
  [AccessToken_Scope.DATA]: "data:read",
  [AccessToken_Scope.RUNNER]: "runner",
};

/** The token's scopes by canonical name, from `scope_names` or, for older servers, the enum. */
export function tokenScopes(token: AccessToken | undefined): string[] {
  if (!token) return [];
  if (token.scopeNames.length > 0) return [...token.scopeNames];
  return token.scopes.map((scope) => SCOPE_NAME_OF_ENUM[scope] ?? AccessToken_Scope[scope] ?? String(scope));
}

/** Columns of `token list` and `token get`. */
export const TOKEN_COLUMNS = ["ID", "NAME", "SCOPES", "NAMESPACES", "EXPIRES", "REVOKED"] as const;

/** One table row per token. */
export function tokenRow(token: AccessToken): string[] {
  return [
    token.id,
    token.name,
    tokenScopes(token).join(","),
    token.namespaceSelectors.join(","),
    formatTimestamp(token.expiresAt) || "never",
    formatTimestamp(token.revokedAt),
  ];
}
