/** Canonical scope names, as IdentityService reports them. */
export type ScopeName = "admin" | "control:read" | "control:write" | "data:read" | "runner";

// What each scope grants, itself included; the same table as packages/domain/src/scopes.ts (the
// server is the authority — this only decides which buttons to show).
const IMPLIED: Record<ScopeName, readonly ScopeName[]> = {
  admin: ["admin", "control:read", "control:write", "data:read", "runner"],
  "control:write": ["control:write", "control:read", "data:read"],
  "control:read": ["control:read", "data:read"],
  "data:read": ["data:read"],
  runner: ["runner"],
};

/** True when a token with `granted` scopes may call an RPC that needs `required`. */
export function scopeGranted(granted: readonly string[], required: ScopeName): boolean {
  return granted.some((scope) => IMPLIED[scope as ScopeName]?.includes(required) ?? false);
}
