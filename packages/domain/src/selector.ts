import type { AnchoredRegex } from "./anchored-regex.js";
import type { Labels } from "./labels.js";

/**
 * One condition of a selector, Kubernetes style, plus regular expressions:
 *
 * | text            | operator     | matches when                                      |
 * |-----------------|--------------|---------------------------------------------------|
 * | `k=v`, `k==v`   | `equals`     | `k` is present and equals `v`                     |
 * | `k!=v`          | `notEquals`  | `k` is absent or differs from `v`                 |
 * | `k in (a,b)`    | `in`         | `k` is present and is one of the values           |
 * | `k notin (a,b)` | `notIn`      | `k` is absent or is none of the values            |
 * | `k`             | `exists`     | `k` is present                                    |
 * | `!k`            | `notExists`  | `k` is absent                                     |
 * | `k~=re`         | `matches`    | `k` is present and `re` matches its whole value   |
 * | `k!~re`         | `notMatches` | `k` is absent or `re` does not match its value    |
 *
 * The negative forms match absent keys, as `!=` and `notin` do in Kubernetes. Regexes are
 * compiled once, at parse time, with RE2 semantics.
 */
export type Requirement =
  | { operator: "equals" | "notEquals"; key: string; value: string }
  | { operator: "in" | "notIn"; key: string; values: string[] }
  | { operator: "exists" | "notExists"; key: string }
  | { operator: "matches" | "notMatches"; key: string; regex: AnchoredRegex };

/** Every requirement operator, for exhaustive tests and generators. */
export type RequirementOperator = Requirement["operator"];

/**
 * A conjunction of requirements. `source` is the text it was parsed from (or its canonical form
 * when built in code), kept so that it can be stored and shown exactly as the user wrote it.
 * No requirements means the selector matches everything.
 */
export interface Selector {
  requirements: Requirement[];
  source: string;
}

/** True when `labels` satisfy every requirement of `selector`. */
export function selectorMatches(selector: Selector, labels: Labels): boolean {
  return selector.requirements.every((requirement) => requirementMatches(requirement, labels));
}

/**
 * True when `labels` satisfy one requirement. Only own properties count, so a key such as
 * `constructor` is never read from the object prototype.
 */
export function requirementMatches(requirement: Requirement, labels: Labels): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const value = present ? labels[requirement.key] : undefined;
  switch (requirement.operator) {
    case "equals":
      return value === requirement.value;
    case "notEquals":
      return value !== requirement.value;
    case "in":
      return value !== undefined && requirement.values.includes(value);
    case "notIn":
      return value === undefined || !requirement.values.includes(value);
    case "exists":
      return present;
    case "notExists":
      return !present;
    case "matches":
      return value !== undefined && requirement.regex.test(value);
    case "notMatches":
      return value === undefined || !requirement.regex.test(value);
  }
}
