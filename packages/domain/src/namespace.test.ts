import { describe, expect, it } from "vitest";
import { namespaceAllowed, namespaceMatcher, validateNamespace, validateNamespaceSelector } from "./namespace.js";

describe("validateNamespace", () => {
  it.each(["default", "a", "team-1", "0", "x".repeat(63)])("accepts %j", (namespace) => {
    expect(validateNamespace(namespace)).toEqual([]);
  });

  it.each([
    ["", "is required"],
    ["x".repeat(64), "at most 63"],
    ["Team", "lowercase"],
    ["-a", "lowercase"],
    ["a-", "lowercase"],
    ["a.b", "lowercase"],
    ["a_b", "lowercase"],
  ])("rejects %j", (namespace, message) => {
    const [violation] = validateNamespace(namespace, "spec.namespace");
    expect(violation?.path).toBe("spec.namespace");
    expect(violation?.message).toContain(message);
  });
});

describe("namespaceAllowed", () => {
  it.each([
    [[], "default", false],
    [["*"], "anything", true],
    [[".*"], "anything", true],
    [["default"], "default", true],
    [["default"], "default2", false],
    [["team-.*"], "team-a", true],
    [["team-.*"], "my-team-a", false],
    [["a", "b"], "b", true],
    [["("], "(", false],
    [["(", "x"], "x", true],
    [["a|b"], "b", true],
  ])("%j allows %j: %s", (selectors, namespace, expected) => {
    expect(namespaceAllowed(selectors, namespace)).toBe(expected);
  });

  it("compiles once for repeated checks", () => {
    const allowed = namespaceMatcher(["team-.*", "default"]);
    expect(["team-x", "default", "other"].map(allowed)).toEqual([true, true, false]);
  });

  it("validates selectors", () => {
    expect(validateNamespaceSelector("*")).toBeUndefined();
    expect(validateNamespaceSelector("team-.*")).toBeUndefined();
    expect(validateNamespaceSelector("(")).toMatch(/missing closing/);
    expect(validateNamespaceSelector("**")).toMatch(/missing argument/);
  });
});
