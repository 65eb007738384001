import type { RegisterTestRequest } from "@tstr/proto";
import { readDefinitionSources, type SourceOptions } from "./read-definition-sources.js";
import { parseTestDocument } from "./test-document.js";

/** A test definition ready to apply, with where it came from. */
export interface TestDefinition {
  file: string;
  index: number;
  request: RegisterTestRequest;
}

/** The definitions that parsed and one line per problem (file, document, field, reason). */
export interface LoadedDefinitions {
  tests: TestDefinition[];
  problems: string[];
}

/**
 * Reads and validates every test document named by `paths`. All documents are checked, so one run
 * reports every problem; the caller applies nothing when `problems` is not empty. Two documents
 * defining the same namespace/name are a problem too (the second would silently win).
 */
export async function loadTestDefinitions(
  paths: readonly string[],
  options: SourceOptions & { defaultNamespace: string },
): Promise<LoadedDefinitions> {
  const sources = await readDefinitionSources(paths, options);
  const problems = sources.problems.map((p) => describeLocation(p.file, p.index, "", p.message));
  const tests: TestDefinition[] = [];
  const firstSeen = new Map<string, TestDefinition>();
  for (const { file, index, value } of sources.documents) {
    const result = parseTestDocument(value, options.defaultNamespace);
    if (!result.ok) {
      problems.push(...result.problems.map((p) => describeLocation(file, index, p.path, p.message)));
      continue;
    }
    const definition = { file, index, request: result.request };
    const key = `${result.request.namespace}/${result.request.name}`;
    const earlier = firstSeen.get(key);
    if (earlier) {
      const where = documentLabel(earlier.file, earlier.index);
      problems.push(describeLocation(file, index, "name", `test "${key}" is also defined in ${where}`));
      continue;
    }
    firstSeen.set(key, definition);
    tests.push(definition);
  }
  return { tests, problems };
}

/** "tests/web.yaml (document 2): run_config.timeout: invalid duration …" */
export function describeLocation(file: string, index: number | undefined, path: string, message: string): string {
  const document = documentLabel(file, index);
  return path ? `${document}: ${path}: ${message}` : `${document}: ${message}`;
}

/** "tests/web.yaml (document 2)", or just the file when the problem is with the whole file. */
export function documentLabel(file: string, index: number | undefined): string {
  return index === undefined ? file : `${file} (document ${index})`;
}
