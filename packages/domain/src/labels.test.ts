import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatLabels, parseLabelAssignments } from "./label-assignments.js";
import { validateLabelKey, validateLabels, validateLabelValue } from "./labels.js";
import { catchError, labelsArbitrary } from "./test-support.js";
import { ValidationError } from "./validation-error.js";

describe("validateLabelKey", () => {
  it.each([
    "app",
    "a",
    "A-b_c.d",
    "app.kubernetes.io/name",
    "example.com/x",
    "a/b",
    "1",
    "x".repeat(63),
    `${"a".repeat(253)}/b`,
  ])("accepts %j", (key) => {
    expect(validateLabelKey(key)).toBeUndefined();
  });

  it.each([
    ["", /empty/],
    ["-a", /start and end/],
    ["a-", /start and end/],
    ["a b", /alphanumeric/],
    ["x".repeat(64), /63/],
    ["/a", /prefix must not be empty/],
    ["a/", /name part must not be empty/],
    ["Example.com/a", /DNS subdomain/],
    ["a..b/c", /DNS subdomain/],
    ["a/b/c", /alphanumeric/],
    [`${"a".repeat(254)}/b`, /253/],
    ["__proto__", /start and end/],
  ])("rejects %j", (key, message) => {
    expect(validateLabelKey(key)).toMatch(message);
  });
});

describe("validateLabelValue", () => {
  it.each(["", "v", "v1.2_3-x", "x".repeat(63)])("accepts %j", (value) => {
    expect(validateLabelValue(value)).toBeUndefined();
  });

  it.each(["x".repeat(64), "-v", "v.", "a b", "a/b", "é"])("rejects %j", (value) => {
    expect(validateLabelValue(value)).toBeDefined();
  });
});

describe("validateLabels", () => {
  it("reports each bad entry at its own path", () => {
    expect(validateLabels({ ok: "yes", "bad key": "v", good: "bad value" })).toEqual([
      { path: 'labels["bad key"]', message: expect.stringMatching(/key name part/) },
      { path: 'labels["good"]', message: expect.stringMatching(/value/) },
    ]);
    expect(validateLabels({ "-": "" }, "matrix.include[0]")[0]?.path).toBe('matrix.include[0]["-"]');
  });
});

describe("formatLabels and parseLabelAssignments", () => {
  it("formats sorted by key", () => {
    expect(formatLabels({ b: "2", a: "1", c: "" })).toBe("a=1,b=2,c=");
    expect(formatLabels({})).toBe("");
  });

  it("parses assignments, tolerating whitespace", () => {
    expect(parseLabelAssignments(" a=b , c=d")).toEqual({ a: "b", c: "d" });
    expect(parseLabelAssignments("")).toEqual({});
    expect(parseLabelAssignments("k=")).toEqual({ k: "" });
  });

  it("reports every bad item with the given path", () => {
    const error = catchError(
      () => parseLabelAssignments("a,b=1,b=2,-x=y,,__proto__=z", "label_overrides"),
      ValidationError,
    );
    expect(error.violations.map((v) => v.path)).toEqual([
      "label_overrides",
      'label_overrides["b"]',
      "label_overrides",
      'label_overrides["-x"]',
      'label_overrides["__proto__"]',
    ]);
    expect(error.message).toContain('expected key=value, got "a"');
    expect(error.message).toContain("an empty item");
  });

  it("round-trips any valid label map", () => {
    fc.assert(
      fc.property(labelsArbitrary, (labels) => {
        expect(parseLabelAssignments(formatLabels(labels))).toEqual(labels);
      }),
    );
  });
});
