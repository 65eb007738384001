/**
 * What a token may do. `admin` manages tokens and namespaces; `control:*` manages tests, suites
 * and runs; `data:read` reads results; `runner` is for runner agents only.
 */
export type Scope = "admin" | "control:read" | "control:write" | "data:read" | "runner";

/** Every scope, in canonical order. */
export const ALL_SCOPES: readonly Scope[] = Object.freeze([
  "admin",
  "control:read",
  "control:write",
  "data:read",
  "runner",
]);

const ALIASES: ReadonlyMap<string, Scope> = new Map<string, Scope>([
  ...ALL_SCOPES.map((scope) => [scope, scope] as const),
  // tstr's enum names and the AccessToken.Scope enum of our proto (ADMIN and RUNNER are above).
  ["control", "control:write"],
  ["control_rw", "control:write"],
  ["control_write", "control:write"],
  ["control_r", "control:read"],
  ["control_read", "control:read"],
  ["data", "data:read"],
  ["data_read", "data:read"],
]);

// Everything each scope grants, itself included.
const IMPLIED: Readonly<Record<Scope, readonly Scope[]>> = {
  admin: ALL_SCOPES,
  "control:write": ["control:write", "control:read", "data:read"],
  "control:read": ["control:read", "data:read"],
  "data:read": ["data:read"],
  runner: ["runner"],
};

/**
 * Reads a scope from a canonical name (`control:write`) or a tstr/proto enum name (`ADMIN`,
 * `CONTROL_R`, `CONTROL_RW`, `CONTROL`, `DATA`, `RUNNER`), case-insensitively, so tokens and
 * flags written for tstr keep working. Unknown names give undefined.
 */
export function parseScope(text: string): Scope | undefined {
  return ALIASES.get(text.trim().toLowerCase());
}

/**
 * True when the granted scopes allow an action that requires `required`. `admin` implies every
 * scope; `control:write` implies `control:read`; both control scopes imply `data:read`;
 * `runner` implies nothing else, and nothing but `admin` implies `runner`.
 */
export function scopeSatisfies(granted: readonly Scope[], required: Scope): boolean {
  return granted.some((scope) => IMPLIED[scope]?.includes(required) ?? false);
}
