import { type Labels, validateLabels } from "./labels.js";
import { validateNamespace } from "./namespace.js";
import { parseSelector } from "./selector-parser.js";
import { validateTestName } from "./test-spec.js";
import { isUuid } from "./uuid.js";
import { type FieldViolation, listItemPath } from "./validation-error.js";

/**
 * A suite: a named group of tests run together. Members are the union of the tests named in
 * `testNames`, the tests with ids in `testIds`, and the live tests whose labels match `selector`.
 */
export interface SuiteSpec {
  namespace: string;
  name: string;
  description?: string;
  labels: Labels;
  testIds: string[];
  testNames: string[];
  /** Selector expression over test labels (`team=web,tier in (smoke)`), or undefined. */
  selector?: string;
}

/** Most explicit members a suite may list (ids plus names). */
export const MAX_SUITE_MEMBERS = 1000;

/** Validates a suite definition and returns every violation with proto field paths. */
export function validateSuiteSpec(spec: SuiteSpec): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const add = (path: string, message: string) => violations.push({ path, message });
  const nameProblem = validateTestName(spec.name);
  if (nameProblem !== undefined) add("name", nameProblem);
  violations.push(...validateNamespace(spec.namespace));
  if ((spec.description ?? "").length > 4096) add("description", "must be at most 4096 characters");
  violations.push(...validateLabels(spec.labels));
  if (spec.testIds.length + spec.testNames.length > MAX_SUITE_MEMBERS) {
    add("test_names", `a suite lists at most ${MAX_SUITE_MEMBERS} tests`);
    return violations;
  }
  spec.testIds.forEach((id, i) => {
    if (!isUuid(id)) add(listItemPath("test_ids", i), `"${id}" is not a UUID`);
  });
  spec.testNames.forEach((name, i) => {
    const problem = validateTestName(name);
    if (problem !== undefined) add(listItemPath("test_names", i), problem);
  });
  if (spec.selector !== undefined && spec.selector.trim() !== "") {
    try {
      parseSelector(spec.selector);
    } catch (error) {
      add("test_selector", error instanceof Error ? error.message : String(error));
    }
  }
  const hasSelector = spec.selector !== undefined && spec.selector.trim() !== "";
  if (spec.testIds.length === 0 && spec.testNames.length === 0 && !hasSelector) {
    add("test_names", "a suite needs members: test_names, test_ids or a test_selector");
  }
  return violations;
}
