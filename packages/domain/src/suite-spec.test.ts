import { describe, expect, it } from "vitest";
import { MAX_SUITE_MEMBERS, type SuiteSpec, validateSuiteSpec } from "./suite-spec.js";

const ID = "0b7e6a58-3f5c-4c8e-9a43-5d2f1f7f0c11";

function suite(overrides: Partial<SuiteSpec> = {}): SuiteSpec {
  return { namespace: "team-a", name: "smoke", labels: {}, testIds: [], testNames: ["login"], ...overrides };
}

const paths = (spec: SuiteSpec) => validateSuiteSpec(spec).map((v) => v.path);

describe("validateSuiteSpec", () => {
  it.each([
    ["names", suite()],
    ["ids", suite({ testNames: [], testIds: [ID] })],
    ["a selector", suite({ testNames: [], selector: "tier in (smoke,e2e),team!=legacy" })],
    ["everything", suite({ testIds: [ID], selector: "tier=smoke", description: "d", labels: { team: "web" } })],
  ])("accepts a suite with members by %s", (_name, spec) => {
    expect(validateSuiteSpec(spec)).toEqual([]);
  });

  it("requires members, naming test_names", () => {
    expect(validateSuiteSpec(suite({ testNames: [] }))).toEqual([
      { path: "test_names", message: "a suite needs members: test_names, test_ids or a test_selector" },
    ]);
  });

  it("does not count a blank selector as members", () => {
    expect(paths(suite({ testNames: [], selector: "   " }))).toEqual(["test_names"]);
  });

  it("names each bad list item by index", () => {
    expect(paths(suite({ testNames: ["ok", "not ok", ""], testIds: ["nope", ID] }))).toEqual([
      "test_ids[0]",
      "test_names[1]",
      "test_names[2]",
    ]);
    expect(validateSuiteSpec(suite({ testIds: ["nope"] }))[0]?.message).toBe('"nope" is not a UUID');
  });

  it("reports a selector syntax error on test_selector with the parser's message", () => {
    const [violation, ...rest] = validateSuiteSpec(suite({ selector: "tier in (smoke" }));
    expect(rest).toEqual([]);
    expect(violation?.path).toBe("test_selector");
    expect(violation?.message).toMatch(/\d/);
  });

  it("checks name, namespace, labels and description", () => {
    expect(
      paths(
        suite({ name: "bad name", namespace: "Team_A", labels: { "bad key!": "v" }, description: "x".repeat(4097) }),
      ),
    ).toEqual(["name", "namespace", "description", 'labels["bad key!"]']);
  });

  it("caps explicit members and stops before checking each one", () => {
    const names = Array.from({ length: MAX_SUITE_MEMBERS }, (_, i) => (i === 0 ? "bad name" : `t${i}`));
    expect(paths(suite({ testNames: names, testIds: [ID] }))).toEqual(["test_names"]);
    expect(paths(suite({ testNames: names.slice(1), testIds: [ID] }))).toEqual([]);
  });
});
