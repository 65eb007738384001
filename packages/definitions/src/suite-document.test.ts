import { create } from "@bufbuild/protobuf";
import { SuiteSchema } from "@tstr/proto";
import { describe, expect, it } from "vitest";
import { parseDocuments } from "./parse-documents.js";
import { parseSuiteDocument } from "./suite-document.js";

function parseYaml(text: string) {
  const [doc] = parseDocuments(text, "yaml").documents;
  return parseSuiteDocument(doc?.value, "default");
}

function suiteOf(text: string) {
  const result = parseYaml(text);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.suite;
}

function problemsOf(text: string) {
  const result = parseYaml(text);
  if (result.ok) throw new Error("expected problems");
  return result.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
}

describe("parseSuiteDocument", () => {
  it("reads every field, with tests and selector as shorthands", () => {
    const suite = suiteOf(`
kind: Suite
apiVersion: tstr.dev/v1
name: smoke
namespace: team-a
description: the smoke tests
labels: {tier: smoke, version: 1.20}
tests: [web, api]
test_ids: [7b0c4a52-3f43-4f1e-9d6a-0f4f1f0e8a11]
selector: team=web,tier in (smoke)
`);
    expect(suite).toEqual(
      create(SuiteSchema, {
        name: "smoke",
        namespace: "team-a",
        description: "the smoke tests",
        labels: { tier: "smoke", version: "1.20" },
        testNames: ["web", "api"],
        testIds: ["7b0c4a52-3f43-4f1e-9d6a-0f4f1f0e8a11"],
        testSelector: "team=web,tier in (smoke)",
      }),
    );
  });

  it("accepts the proto names and lowerCamel names, and defaults the namespace", () => {
    const suite = suiteOf("kind: Suite\nname: s\ntestNames: [a]\ntest_selector: x=y\n");
    expect(suite.namespace).toBe("default");
    expect(suite.testNames).toEqual(["a"]);
    expect(suite.testSelector).toBe("x=y");
  });

  it("names unknown fields with a hint, including the shorthands", () => {
    expect(problemsOf("kind: Suite\nname: s\ntest: [a]\nselectr: a=b\ndescripton: x\n")).toEqual([
      'test: unknown field (did you mean "tests"?)',
      'selectr: unknown field (did you mean "selector"?)',
      'descripton: unknown field (did you mean "description"?)',
    ]);
  });

  it("refuses a shorthand together with its field, server-set fields, a missing name and bad types", () => {
    expect(problemsOf("kind: Suite\nname: s\ntests: [a]\ntest_names: [b]\n")).toEqual([
      "tests: given together with test_names; use one of them",
    ]);
    expect(problemsOf("kind: Suite\nname: s\nid: x\nsource: sync:/d\n")).toEqual([
      "id: is set by the server; remove it from the definition",
      "source: is set by the server; remove it from the definition",
    ]);
    expect(problemsOf("kind: Suite\ntests: [a]\n")).toEqual(["name: required"]);
    expect(problemsOf("kind: Suite\nname: s\ntests: web\nlabels: [a]\n")).toEqual([
      "labels: expected a mapping, got a list",
      'test_names: expected a list, got the string "web"',
    ]);
    expect(problemsOf("just text")).toEqual(['expected a mapping of suite fields, got the string "just text"']);
  });
});
