import { extname } from "node:path";
import type { RegisterTestRequest, Suite } from "@tstr/proto";
import { type DefinitionDocumentOptions, parseDefinitionDocument } from "./definition-document.js";
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

/** Every definition that parsed, and every problem; callers apply nothing while `problems` is non-empty. */
export interface ParsedDefinitions {
  tests: TestDefinition[];
  suites: SuiteDefinition[];
  problems: DefinitionProblem[];
}

/**
 * Parses definition files held in memory (read from disk, sent in a SyncDefinitions request) into
 * tests and suites. Every document is checked, so one pass reports every problem; two documents of
 * one kind defining the same namespace/name are a problem too (the second would silently win).
 */
export function parseDefinitionTexts(
  texts: readonly DefinitionText[],
  defaultNamespace: string,
  options: DefinitionDocumentOptions = {},
): ParsedDefinitions {
  const parsed: ParsedDefinitions = { tests: [], suites: [], problems: [] };
  const firstSeen = new Map<string, { file: string; index: number }>();
  /** Why this document may not define `key`, when an earlier one already did. */
  const duplicateOf = (key: string, file: string, index: number): string | undefined => {
    const earlier = firstSeen.get(key);
    if (!earlier) firstSeen.set(key, { file, index });
    return earlier && `${key} is also defined in ${documentLabel(earlier.file, earlier.index)}`;
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
      const { namespace, name } = result.kind === "Test" ? result.request : result.suite;
      const duplicate = duplicateOf(`${result.kind.toLowerCase()} "${namespace}/${name}"`, file, index);
      if (duplicate) problems.push({ file, index, field: "name", message: duplicate });
      else if (result.kind === "Test") parsed.tests.push({ file, index, request: result.request });
      else parsed.suites.push({ file, index, suite: result.suite });
    }
    // In document order, so a syntax error in document 3 follows a field problem in document 1.
    parsed.problems.push(...problems.sort((a, b) => (a.index ?? 0) - (b.index ?? 0)));
  }
  return parsed;
}
