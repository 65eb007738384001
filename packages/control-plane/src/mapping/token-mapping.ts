import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { AccessTokenRecord } from "@tstr/db";
import { parseScope, type Scope, ValidationError } from "@tstr/domain";
import { type AccessToken, AccessToken_Scope, AccessTokenSchema } from "@tstr/proto";

const ENUM_TO_SCOPE: Partial<Record<AccessToken_Scope, Scope>> = {
  [AccessToken_Scope.ADMIN]: "admin",
  [AccessToken_Scope.CONTROL]: "control:write",
  [AccessToken_Scope.CONTROL_READ]: "control:read",
  [AccessToken_Scope.DATA]: "data:read",
  [AccessToken_Scope.RUNNER]: "runner",
};
const SCOPE_TO_ENUM: Record<Scope, AccessToken_Scope> = {
  admin: AccessToken_Scope.ADMIN,
  "control:write": AccessToken_Scope.CONTROL,
  "control:read": AccessToken_Scope.CONTROL_READ,
  "data:read": AccessToken_Scope.DATA,
  runner: AccessToken_Scope.RUNNER,
};

/**
 * Reads scopes given as tstr's enum values and/or canonical names; unknown values are refused
 * with the index of the offending entry.
 */
export function scopesFromRequest(enums: AccessToken_Scope[], names: string[]): Scope[] {
  const problems: { path: string; message: string }[] = [];
  const scopes = new Set<Scope>();
  enums.forEach((value, i) => {
    const scope = ENUM_TO_SCOPE[value];
    if (scope) scopes.add(scope);
    else
      problems.push({
        path: `scopes[${i}]`,
        message: `unknown scope value ${value}`,
      });
  });
  names.forEach((name, i) => {
    const scope = parseScope(name);
    if (scope) scopes.add(scope);
    else {
      problems.push({
        path: `scope_names[${i}]`,
        message: `unknown scope "${name}" (expected admin, control:read, control:write, data:read or runner)`,
      });
    }
  });
  if (problems.length) throw new ValidationError(problems);
  return [...scopes];
}

/** The wire form of a token record; `token` is only filled on issuance. */
export function tokenToProto(record: AccessTokenRecord, token = ""): AccessToken {
  return create(AccessTokenSchema, {
    id: record.id,
    name: record.name,
    token,
    namespaceSelectors: record.namespaceSelectors,
    scopes: record.scopes.map((s) => SCOPE_TO_ENUM[s as Scope]).filter((s) => s !== undefined),
    scopeNames: record.scopes,
    issuedAt: timestampFromDate(record.issuedAt),
    ...(record.expiresAt ? { expiresAt: timestampFromDate(record.expiresAt) } : {}),
    ...(record.revokedAt ? { revokedAt: timestampFromDate(record.revokedAt) } : {}),
    runnerId: record.runnerId ?? "",
    issuedBy: record.issuedBy ?? "",
  });
}
