import { compileAnchoredRegex, InvalidRegexError } from "./anchored-regex.js";
import { type Labels, validateLabelKey, validateLabels } from "./labels.js";
import type { Requirement, Selector } from "./selector.js";
import { formatSelector } from "./selector-format.js";
import { type FieldViolation, mapEntryPath, throwIfViolations } from "./validation-error.js";

/** Builds a selector from requirements built in code; `source` is their canonical text. */
export function selectorOf(requirements: Requirement[]): Selector {
  const selector = { requirements, source: "" };
  selector.source = formatSelector(selector);
  return selector;
}

/**
 * The selector `k1=v1,k2=v2,…` that matches exactly the label sets containing `labels`; for
 * turning a label filter from a form or flag into a selector. Throws a ValidationError (paths
 * rooted at `path`) for invalid keys or values.
 */
export function selectorFromLabels(labels: Labels, path = "labels"): Selector {
  throwIfViolations(validateLabels(labels, path));
  return selectorOf(Object.entries(labels).map(([key, value]) => ({ operator: "equals" as const, key, value })));
}

/**
 * Reads a tstr-style selector map `{key: regex}` (runner `accept_test_label_selectors`) as the
 * selector `key~=regex,…`, keeping tstr's meaning: every key must be present and fully matched
 * by its regex. Throws a ValidationError naming each bad entry at `path["key"]`.
 */
export function selectorFromRegexMap(map: Record<string, string>, path = "selector"): Selector {
  const requirements: Requirement[] = [];
  const violations: FieldViolation[] = [];
  for (const [key, pattern] of Object.entries(map)) {
    const keyProblem = validateLabelKey(key);
    if (keyProblem !== undefined) {
      violations.push({ path: mapEntryPath(path, key), message: keyProblem });
      continue;
    }
    try {
      requirements.push({ operator: "matches", key, regex: compileAnchoredRegex(pattern) });
    } catch (error) {
      if (!(error instanceof InvalidRegexError)) throw error;
      violations.push({ path: mapEntryPath(path, key), message: `invalid regular expression: ${error.message}` });
    }
  }
  throwIfViolations(violations);
  return selectorOf(requirements);
}
