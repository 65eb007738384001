import { type DefinitionProblem, type DefinitionText, parseDefinitionTexts } from "@tstr/definitions";
import {
  type FieldViolation,
  type SuiteSpec,
  type TestSpec,
  ValidationError,
  validateSuiteSpec,
  validateTestSpec,
} from "@tstr/domain";
import { suiteFromProto } from "../mapping/suite-mapping.js";
import { testSpecFromFields } from "../mapping/test-mapping.js";

/** A definition as the documents want it, with the document it came from. */
export interface Desired<Spec> {
  file: string;
  index: number;
  spec: Spec;
}

/** Everything the documents define, checked; non-empty `problems` means nothing may be applied. */
export interface DesiredDefinitions {
  tests: Desired<TestSpec>[];
  suites: Desired<SuiteSpec>[];
  problems: DefinitionProblem[];
}

/**
 * Parses documents and validates each definition as the server would on ApplyTest/ApplySuite
 * (domain validation of the mapped spec), and refuses namespaces the caller may not write, so a
 * sync finds every problem before it writes anything.
 */
export function desiredDefinitions(
  documents: readonly DefinitionText[],
  defaultNamespace: string,
  allowedNamespace: (namespace: string) => boolean,
): DesiredDefinitions {
  const parsed = parseDefinitionTexts(documents, defaultNamespace);
  const desired: DesiredDefinitions = { tests: [], suites: [], problems: [...parsed.problems] };
  const context = { allowedNamespace, problems: desired.problems };
  for (const { file, index, request } of parsed.tests) {
    const test = checked({ file, index }, request.namespace, context, {
      build: () => testSpecFromFields(request, request.namespace),
      validate: validateTestSpec,
    });
    if (test) desired.tests.push(test);
  }
  for (const { file, index, suite } of parsed.suites) {
    const checkedSuite = checked({ file, index }, suite.namespace, context, {
      build: () => suiteFromProto(suite, suite.namespace),
      validate: validateSuiteSpec,
    });
    if (checkedSuite) desired.suites.push(checkedSuite);
  }
  return desired;
}

/** Maps and validates one definition, adding its problems; undefined when it has any. */
function checked<Spec>(
  at: { file: string; index: number },
  namespace: string,
  context: { allowedNamespace: (namespace: string) => boolean; problems: DefinitionProblem[] },
  spec: { build: () => Spec; validate: (spec: Spec) => FieldViolation[] },
): Desired<Spec> | undefined {
  const { problems } = context;
  if (!context.allowedNamespace(namespace)) {
    problems.push({ ...at, field: "namespace", message: `namespace "${namespace}" may not be written by this caller` });
    return undefined;
  }
  let built: Spec;
  try {
    built = spec.build();
  } catch (error) {
    // Mapping refuses some values itself (binary file contents), with the same field paths.
    if (!(error instanceof ValidationError)) throw error;
    for (const { path, message } of error.violations) problems.push({ ...at, field: path, message });
    return undefined;
  }
  const violations = spec.validate(built);
  for (const { path, message } of violations) problems.push({ ...at, field: path, message });
  return violations.length ? undefined : { ...at, spec: built };
}
