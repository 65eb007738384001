import { describe, expect, it } from "vitest";
import { formatProblem } from "./definition-problem.js";
import { parseDefinitionTexts } from "./parse-definition-texts.js";

describe("parseDefinitionTexts", () => {
  it("splits tests and suites of in-memory files, JSON or YAML by the file name", () => {
    const parsed = parseDefinitionTexts(
      [
        { file: "team/web.yaml", content: "name: web\n---\nkind: Test\nname: api\nnamespace: team\n" },
        { file: "suites.json", content: JSON.stringify([{ kind: "Suite", name: "smoke", tests: ["web"] }]) },
      ],
      "dev",
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.tests.map((t) => `${t.file}#${t.index} ${t.request.namespace}/${t.request.name}`)).toEqual([
      "team/web.yaml#1 dev/web",
      "team/web.yaml#2 team/api",
    ]);
    expect(parsed.suites.map((s) => `${s.file}#${s.index} ${s.suite.namespace}/${s.suite.name}`)).toEqual([
      "suites.json#1 dev/smoke",
    ]);
  });

  it("reports structured problems in document order: syntax, fields, kinds, duplicates per kind", () => {
    const parsed = parseDefinitionTexts(
      [
        {
          file: "a.yaml",
          content: [
            "name: web",
            "name: [unclosed",
            "kind: Executor\nname: k6x\nglobal: true",
            "kind: suite\nname: s",
            "kind: Suite\nname: web\ntests: [web]",
            "name: web",
          ].join("\n---\n"),
        },
        {
          file: "b.yaml",
          content: [
            "kind: Suite\nname: web\nselector: a=b",
            "name: api\nrun_config: {timeout: soon}",
            "kind: Executor\nname: k6x\nnamespace: team",
            "kind: Executor\nname: k6x\nglobal: true",
            "kind: executor\nname: e",
          ].join("\n---\n"),
        },
        { file: "c.json", content: "{" },
      ],
      "default",
    );
    expect(parsed.problems[0]).toEqual({
      file: "a.yaml",
      index: 2,
      field: "",
      message: expect.stringMatching(/^invalid YAML: /),
    });
    expect(parsed.problems.slice(1).map(formatProblem)).toEqual([
      'a.yaml (document 4): kind: unsupported kind "suite" (expected Test, Suite or Executor; did you mean "Suite"?)',
      'a.yaml (document 6): name: test "default/web" is also defined in a.yaml (document 1)',
      'b.yaml (document 1): name: suite "default/web" is also defined in a.yaml (document 5)',
      'b.yaml (document 2): run_config.timeout: invalid duration "soon"',
      'b.yaml (document 3): name: executor "k6x" is defined globally in a.yaml (document 3); a namespace executor may not shadow a global one',
      'b.yaml (document 4): name: executor "k6x" (global) is also defined in a.yaml (document 3)',
      'b.yaml (document 5): kind: unsupported kind "executor" (expected Test, Suite or Executor; did you mean "Executor"?)',
      expect.stringMatching(/^c\.json: invalid JSON: /),
    ]);
    // A test and a suite may share a name; the first of each kind is kept.
    expect(parsed.tests.map((t) => t.request.name)).toEqual(["web"]);
    expect(parsed.suites.map((s) => s.suite.name)).toEqual(["web"]);
    expect(parsed.executors.map((e) => `${e.executor.namespace || "(global)"}/${e.executor.name}`)).toEqual([
      "(global)/k6x",
    ]);
  });

  it("keeps executors apart from tests and suites, and lets namespaces share an executor name", () => {
    const parsed = parseDefinitionTexts(
      [
        {
          file: "executors.yaml",
          content: [
            "kind: Executor\nname: web\nimage: busybox",
            "kind: Executor\nname: web\nnamespace: ops\nimage: busybox",
            "kind: Executor\nname: shared\nglobal: true",
            "name: web",
          ].join("\n---\n"),
        },
      ],
      "dev",
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.executors.map((e) => `${e.file}#${e.index} ${e.executor.namespace}/${e.executor.name}`)).toEqual([
      "executors.yaml#1 dev/web",
      "executors.yaml#2 ops/web",
      "executors.yaml#3 /shared",
    ]);
    expect(parsed.tests.map((t) => t.request.name)).toEqual(["web"]);
  });

  it("lets a caller refuse a kind, with its own reason, whatever the document holds", () => {
    const parsed = parseDefinitionTexts([{ file: "x.yaml", content: "kind: Suite\n---\nname: t\n" }], "default", {
      refuseKind: (kind) => (kind === "Suite" ? "not here" : undefined),
    });
    expect(parsed.problems.map(formatProblem)).toEqual(["x.yaml (document 1): kind: not here"]);
    expect(parsed.tests).toHaveLength(1);
  });
});
