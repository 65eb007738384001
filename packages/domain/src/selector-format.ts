import { compareCodeUnits } from "./compare-code-units.js";
import type { Requirement, Selector } from "./selector.js";
import { formatRegexLiteral } from "./selector-regex-literal.js";

/**
 * Canonical text of a selector: requirements sorted by key (then by text) without duplicates,
 * set values sorted without duplicates, `==` written `=`, no spaces except around `in`/`notin`.
 * Two selectors with the same requirements format identically, so the canonical text can be
 * compared, stored and used as a cache key; parsing it gives back an equivalent selector.
 */
export function formatSelector(selector: Selector): string {
  const texts = selector.requirements
    .map((requirement) => ({ key: requirement.key, text: formatRequirement(requirement) }))
    .sort((a, b) => compareCodeUnits(a.key, b.key) || compareCodeUnits(a.text, b.text))
    .map((entry) => entry.text);
  return texts.filter((text, i) => text !== texts[i - 1]).join(",");
}

/** Canonical text of one requirement, e.g. `tier in (api,web)` or `region~=eu-.*`. */
export function formatRequirement(requirement: Requirement): string {
  const { key } = requirement;
  switch (requirement.operator) {
    case "equals":
      return `${key}=${requirement.value}`;
    case "notEquals":
      return `${key}!=${requirement.value}`;
    case "in":
      return `${key} in (${canonicalValues(requirement.values)})`;
    case "notIn":
      return `${key} notin (${canonicalValues(requirement.values)})`;
    case "exists":
      return key;
    case "notExists":
      return `!${key}`;
    case "matches":
      return `${key}~=${formatRegexLiteral(requirement.regex.pattern)}`;
    case "notMatches":
      return `${key}!~${formatRegexLiteral(requirement.regex.pattern)}`;
  }
}

function canonicalValues(values: string[]): string {
  return [...new Set(values)].sort(compareCodeUnits).join(",");
}
