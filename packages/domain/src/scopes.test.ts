import { describe, expect, it } from "vitest";
import { ALL_SCOPES, parseScope, type Scope, scopeSatisfies } from "./scopes.js";

describe("parseScope", () => {
  it.each([
    ["admin", "admin"],
    ["control:read", "control:read"],
    ["CONTROL:WRITE", "control:write"],
    ["data:read", "data:read"],
    ["runner", "runner"],
    ["ADMIN", "admin"],
    ["CONTROL_R", "control:read"],
    ["control_rw", "control:write"],
    ["CONTROL", "control:write"],
    ["CONTROL_READ", "control:read"],
    ["DATA", "data:read"],
    ["Runner", "runner"],
    [" admin ", "admin"],
  ])("%j is %j", (text, scope) => {
    expect(parseScope(text)).toBe(scope);
  });

  it.each(["", "root", "control:admin", "UNKNOWN", "constructor", "__proto__"])("%j is unknown", (text) => {
    expect(parseScope(text)).toBeUndefined();
  });
});

describe("scopeSatisfies", () => {
  // Rows: granted scope; columns in ALL_SCOPES order: admin, control:read, control:write, data:read, runner.
  const table: Record<Scope, boolean[]> = {
    admin: [true, true, true, true, true],
    "control:write": [false, true, true, true, false],
    "control:read": [false, true, false, true, false],
    "data:read": [false, false, false, true, false],
    runner: [false, false, false, false, true],
  };

  for (const granted of ALL_SCOPES) {
    ALL_SCOPES.forEach((required, i) => {
      it(`${granted} ${table[granted][i] ? "satisfies" : "does not satisfy"} ${required}`, () => {
        expect(scopeSatisfies([granted], required)).toBe(table[granted][i]);
      });
    });
  }

  it("combines granted scopes and denies with none", () => {
    expect(scopeSatisfies(["runner", "data:read"], "data:read")).toBe(true);
    expect(scopeSatisfies(["runner", "data:read"], "control:read")).toBe(false);
    expect(scopeSatisfies([], "data:read")).toBe(false);
  });
});
