import { type DescMethod, getOption, hasOption } from "@bufbuild/protobuf";
import { RequiredScope, required_scope } from "./gen/tstr/common/v1/options_pb.js";

/** Canonical scope names, as tokens carry them. */
export type ScopeName = "admin" | "control:read" | "control:write" | "data:read" | "runner";

/** What a method demands: one scope, any authenticated caller, or nothing declared (refuse). */
export type MethodRequirement =
  | { kind: "scope"; scope: ScopeName }
  | { kind: "authenticated" }
  | { kind: "undeclared" };

const SCOPE_BY_OPTION: Partial<Record<RequiredScope, ScopeName>> = {
  [RequiredScope.ADMIN]: "admin",
  [RequiredScope.CONTROL_READ]: "control:read",
  [RequiredScope.CONTROL_WRITE]: "control:write",
  [RequiredScope.DATA_READ]: "data:read",
  [RequiredScope.RUNNER]: "runner",
};

/**
 * Reads the `(tstr.common.v1.required_scope)` option of a method. The proto is the only place
 * scopes are declared, so adding an RPC without one yields "undeclared" and the server refuses it.
 */
export function methodRequirement(method: DescMethod): MethodRequirement {
  if (!hasOption(method, required_scope)) return { kind: "undeclared" };
  const option = getOption(method, required_scope);
  if (option === RequiredScope.AUTHENTICATED) return { kind: "authenticated" };
  const scope = SCOPE_BY_OPTION[option];
  return scope ? { kind: "scope", scope } : { kind: "undeclared" };
}
