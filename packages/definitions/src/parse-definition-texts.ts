import { extname } from "node:path";
import type { Executor, RegisterTestRequest, Suite } from "@tstr/proto";
import {
  type DefinitionDocumentOptions,
  type DefinitionDocumentResult,
  parseDefinitionDocument,
} from "./definition-document.js";
import { type DefinitionProblem, documentLabel } from "./definition-problem.js";
import { parseDocuments } from "./parse-documents.js";

/** The text of one definition file; `file` names it in problems and picks JSON (`.json`) or YAML. */
export interface DefinitionText {
  file: string;
  content: string;
}

/** A test definition ready to apply, with where it came from. */
export interface TestDefinition {
  file: string;
  index: number;
  request: RegisterTestRequest;
}

/** A suite definition ready to apply (ApplySuiteRequest.suite), with where it came from. */
export interface SuiteDefinition {
  file: string;
  index: number;
  suite: Suite;
}

/** An executor definition ready to apply (ApplyExecutorRequest.executor; empty namespace = global). */
export interface ExecutorDefinition {
  file: string;
  index: number;
  executor: Executor;
}

/** Every definition that parsed, and every problem; callers apply nothing while `problems` is non-empty. */
export interface ParsedDefinitions {
  tests: TestDefinition[];
  suites: SuiteDefinition[];
  executors: ExecutorDefinition[];
  problems: DefinitionProblem[];
}

/**
 * Parses definition files held in memory (read from disk, sent in a SyncDefinitions request) into
 * tests, suites and executors. Every document is checked, so one pass reports every problem; two
 * documents of one kind defining the same namespace/name are a problem too (the second would
 * silently win), and so are a global executor and a namespace executor of the same name (one
 * would shadow the other).
 */
export function parseDefinitionTexts(
  texts: readonly DefinitionText[],
  defaultNamespace: string,
  options: DefinitionDocumentOptions = {},
): ParsedDefinitions {
  const parsed: ParsedDefinitions = { tests: [], suites: [], executors: [], problems: [] };
  const firstSeen = new Map<string, { file: string; index: number }>();
  /** Why this document may not define `key`, when an earlier one already did. */
  const duplicateOf = (key: string, file: string, index: number): string | undefined => {
    const earlier = firstSeen.get(key);
    if (!earlier) firstSeen.set(key, { file, index });
    return earlier && `${key} is also defined in ${documentLabel(earlier.file, earlier.index)}`;
  };
  const executorScopes = new Map<string, { file: string; index: number; global: boolean }>();
  /** Why an executor may not be defined here: a global and a namespace one of the same name. */
  const executorShadowing = (result: DefinitionDocumentResult, file: string, index: number): string | undefined => {
    if (!(result.ok && result.kind === "Executor")) return undefined;
    const { name, namespace } = result.executor;
    const earlier = executorScopes.get(name);
    if (!earlier) executorScopes.set(name, { file, index, global: namespace === "" });
    else if (earlier.global !== (namespace === "")) {
      return `executor "${name}" is defined ${earlier.global ? "globally" : "in a namespace"} in ${documentLabel(earlier.file, earlier.index)}; a namespace executor may not shadow a global one`;
    }
    return undefined;
  };
  for (const { file, content } of texts) {
    const documents = parseDocuments(content, extname(file).toLowerCase() === ".json" ? "json" : "yaml");
    const problems: DefinitionProblem[] = documents.problems.map((problem) => ({ file, ...problem, field: "" }));
    for (const { index, value } of documents.documents) {
      const result = parseDefinitionDocument(value, defaultNamespace, options);
      if (!result.ok) {
        for (const { path, message } of result.problems) problems.push({ file, index, field: path, message });
        continue;
      }
      const duplicate = duplicateOf(definitionKey(result), file, index) ?? executorShadowing(result, file, index);
      if (duplicate) problems.push({ file, index, field: "name", message: duplicate });
      else if (result.kind === "Test") parsed.tests.push({ file, index, request: result.request });
      else if (result.kind === "Suite") parsed.suites.push({ file, index, suite: result.suite });
      else parsed.executors.push({ file, index, executor: result.executor });
    }
    // In document order, so a syntax error in document 3 follows a field problem in document 1.
    parsed.problems.push(...problems.sort((a, b) => (a.index ?? 0) - (b.index ?? 0)));
  }
  return parsed;
}

/** `test "ns/web"`, `suite "ns/smoke"`, `executor "ns/k6"` or `executor "k6" (global)`: what may be defined once. */
function definitionKey(result: DefinitionDocumentResult & { ok: true }): string {
  if (result.kind === "Test") return `test "${result.request.namespace}/${result.request.name}"`;
  if (result.kind === "Suite") return `suite "${result.suite.namespace}/${result.suite.name}"`;
  const { namespace, name } = result.executor;
  return namespace === "" ? `executor "${name}" (global)` : `executor "${namespace}/${name}"`;
}
