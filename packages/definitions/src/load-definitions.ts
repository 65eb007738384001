import type { DefinitionDocumentOptions } from "./definition-document.js";
import { type ParsedDefinitions, parseDefinitionTexts } from "./parse-definition-texts.js";
import { readDefinitionSources, type SourceOptions } from "./read-definition-sources.js";

/**
 * Reads and parses every test, suite and executor document named by `-f` paths (files, directories, `-`).
 * Unreadable paths come first among the problems, then each file's in document order; the caller
 * applies nothing when `problems` is not empty.
 */
export async function loadDefinitions(
  paths: readonly string[],
  options: SourceOptions & DefinitionDocumentOptions & { defaultNamespace: string },
): Promise<ParsedDefinitions> {
  const sources = await readDefinitionSources(paths, options);
  const parsed = parseDefinitionTexts(sources.texts, options.defaultNamespace, options);
  return { ...parsed, problems: [...sources.problems, ...parsed.problems] };
}
