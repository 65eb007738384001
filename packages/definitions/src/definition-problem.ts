/**
 * Something wrong with a definition file: the file, the document within it (counting from 1;
 * absent when the whole file is at fault), the field path in proto names ("run_config.timeout";
 * empty for the whole document) and the reason.
 */
export interface DefinitionProblem {
  file: string;
  index?: number;
  field: string;
  message: string;
}

/** One line for a person: "tests/web.yaml (document 2): run_config.timeout: invalid duration …". */
export function formatProblem(problem: DefinitionProblem): string {
  const document = documentLabel(problem.file, problem.index);
  return problem.field ? `${document}: ${problem.field}: ${problem.message}` : `${document}: ${problem.message}`;
}

/** "tests/web.yaml (document 2)", or just the file when the problem is with the whole file. */
export function documentLabel(file: string, index: number | undefined): string {
  return index === undefined ? file : `${file} (document ${index})`;
}
