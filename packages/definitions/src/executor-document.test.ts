import { create } from "@bufbuild/protobuf";
import { Executor_ResultParser, ExecutorSchema } from "@tstr/proto";
import { describe, expect, it } from "vitest";
import { parseExecutorDocument } from "./executor-document.js";
import { parseDocuments } from "./parse-documents.js";

function parseYaml(text: string) {
  const [doc] = parseDocuments(text, "yaml").documents;
  return parseExecutorDocument(doc?.value, "default");
}

function executorOf(text: string) {
  const result = parseYaml(text);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.executor;
}

function problemsOf(text: string) {
  const result = parseYaml(text);
  if (result.ok) throw new Error("expected problems");
  return result.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
}

describe("parseExecutorDocument", () => {
  it("reads every field, with short parser names and the file_types and parsers shorthands", () => {
    const executor = executorOf(`
kind: Executor
apiVersion: tstr.dev/v1
name: my-k6
namespace: team-a
description: k6 with our extensions
image: registry.example.com/k6-ext:1.2
command: [k6, run]
args: [--quiet]
file_types: [.js]
env: {K6_NO_USAGE_REPORT: true, VERSION: 1.20}
parsers: [k6_summary, K6-NDJSON, RESULT_PARSER_JUNIT]
junit_path: junit/k6.xml
icon: k6
`);
    expect(executor).toEqual(
      create(ExecutorSchema, {
        name: "my-k6",
        namespace: "team-a",
        description: "k6 with our extensions",
        image: "registry.example.com/k6-ext:1.2",
        command: ["k6", "run"],
        args: ["--quiet"],
        acceptedFileTypes: [".js"],
        env: { K6_NO_USAGE_REPORT: "true", VERSION: "1.20" },
        resultParsers: [Executor_ResultParser.K6_SUMMARY, Executor_ResultParser.K6_NDJSON, Executor_ResultParser.JUNIT],
        junitPath: "junit/k6.xml",
        icon: "k6",
      }),
    );
  });

  it("uses the default namespace unless the document names one or says global: true", () => {
    expect(executorOf("kind: Executor\nname: e\nimage: busybox\n").namespace).toBe("default");
    expect(executorOf("kind: Executor\nname: e\naccepted_file_types: [.sh]\nresultParsers: [junit]\n")).toMatchObject({
      acceptedFileTypes: [".sh"],
      resultParsers: [Executor_ResultParser.JUNIT],
    });
    expect(executorOf("kind: Executor\nname: e\nglobal: true\n").namespace).toBe("");
    expect(executorOf("kind: Executor\nname: e\nglobal: false\nnamespace: ops\n").namespace).toBe("ops");
  });

  it("refuses an ambiguous scope: global with a namespace, an empty namespace, a global that is not a boolean", () => {
    expect(problemsOf("kind: Executor\nname: e\nglobal: true\nnamespace: ops\n")).toEqual([
      "global: given together with namespace; a global executor has no namespace",
    ]);
    expect(problemsOf('kind: Executor\nname: e\nnamespace: ""\n')).toEqual([
      "namespace: is empty; write global: true for an executor visible in every namespace, or name a namespace",
    ]);
    expect(problemsOf("kind: Executor\nname: e\nglobal: yes please\n")).toEqual([
      'global: expected true or false, got the string "yes please"',
    ]);
  });

  it("names unknown fields with a hint, server-set fields, bad parser names, a missing name and bad types", () => {
    expect(problemsOf("kind: Executor\nname: e\nimgae: x\nfile_type: [.js]\nglobl: true\n")).toEqual([
      'imgae: unknown field (did you mean "image"?)',
      'file_type: unknown field (did you mean "file_types"?)',
      'globl: unknown field (did you mean "global"?)',
    ]);
    expect(problemsOf("kind: Executor\nname: e\nid: x\nbuiltin: true\ncreatedAt: now\n")).toEqual([
      "id: is set by the server; remove it from the definition",
      "builtin: is set by the server; remove it from the definition",
      "createdAt: is set by the server; remove it from the definition",
    ]);
    expect(problemsOf("kind: Executor\nname: e\nparsers: [junit, xml]\n")).toEqual([
      'result_parsers[1]: invalid value "xml" (expected one of junit, k6_summary, k6_ndjson, result_json)',
    ]);
    expect(problemsOf("kind: Executor\nname: e\nparsers: [junit]\nresult_parsers: [junit]\n")).toEqual([
      "parsers: given together with result_parsers; use one of them",
    ]);
    expect(problemsOf("kind: Executor\nimage: busybox\n")).toEqual(["name: required"]);
    expect(problemsOf("kind: Executor\nname: e\ncommand: k6 run\nenv: [A]\n")).toEqual([
      'command: expected a list, got the string "k6 run"',
      "env: expected a mapping, got a list",
    ]);
    expect(problemsOf("just text")).toEqual(['expected a mapping of executor fields, got the string "just text"']);
  });
});
