import { type DefinitionProblem, type DefinitionText, parseDefinitionTexts } from "@tstr/definitions";
import {
  builtinExecutor,
  type ExecutorSpec,
  type FieldViolation,
  type SuiteSpec,
  type TestSpec,
  ValidationError,
  validateExecutorSpec,
  validateSuiteSpec,
  validateTestSpec,
} from "@tstr/domain";
import { executorFromProto } from "../mapping/executor-mapping.js";
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
  executors: Desired<ExecutorSpec>[];
  problems: DefinitionProblem[];
}

/** Which scopes the caller may write: namespaces by name, and the global executors. */
export interface WritableScopes {
  namespace: (namespace: string) => boolean;
  global: boolean;
}

/**
 * Parses documents and validates each definition as the server would on ApplyTest, ApplySuite and
 * ApplyExecutor (domain validation of the mapped spec, built-in executor names refused), and
 * refuses scopes the caller may not write, so a sync finds every problem before it writes anything.
 */
export function desiredDefinitions(
  documents: readonly DefinitionText[],
  defaultNamespace: string,
  writable: WritableScopes,
): DesiredDefinitions {
  const parsed = parseDefinitionTexts(documents, defaultNamespace);
  const desired: DesiredDefinitions = { tests: [], suites: [], executors: [], problems: [...parsed.problems] };
  const context = { writable, problems: desired.problems };
  for (const { file, index, executor } of parsed.executors) {
    const namespace = executor.namespace || undefined;
    const checkedExecutor = checked({ file, index }, namespace, context, {
      build: () => executorFromProto(executor, namespace),
      validate: (spec) => [
        ...validateExecutorSpec(spec),
        ...(builtinExecutor(spec.name)
          ? [{ path: "name", message: `executor ${spec.name} is built in; define one under another name` }]
          : []),
      ],
    });
    if (checkedExecutor) desired.executors.push(checkedExecutor);
  }
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
  /** undefined: a global executor. */
  namespace: string | undefined,
  context: { writable: WritableScopes; problems: DefinitionProblem[] },
  spec: { build: () => Spec; validate: (spec: Spec) => FieldViolation[] },
): Desired<Spec> | undefined {
  const { problems, writable } = context;
  if (namespace === undefined && !writable.global) {
    problems.push({
      ...at,
      field: "global",
      message: "global executors are visible in every namespace; syncing one needs a token with the admin scope",
    });
    return undefined;
  }
  if (namespace !== undefined && !writable.namespace(namespace)) {
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
