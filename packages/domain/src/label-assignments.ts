import { compareCodeUnits } from "./compare-code-units.js";
import type { Labels } from "./labels.js";
import { validateLabels } from "./labels.js";
import { type FieldViolation, mapEntryPath, ValidationError } from "./validation-error.js";

/**
 * Canonical one-line form of a label map, `a=b,c=d` sorted by key, for logs, CLI output and
 * stable comparison. Sorting is by UTF-16 code unit, so it does not depend on the locale.
 */
export function formatLabels(labels: Labels): string {
  return Object.keys(labels)
    .sort(compareCodeUnits)
    .map((key) => `${key}=${labels[key]}`)
    .join(",");
}

/**
 * Parses `a=b,c=d` as typed on a command line (`tstrctl run --label a=b,c=d`). Whitespace around
 * items is ignored; an empty string is no labels. Throws a {@link ValidationError} naming every
 * bad item, with paths rooted at `path`.
 */
export function parseLabelAssignments(text: string, path = "labels"): Labels {
  const entries = new Map<string, string>();
  const violations: FieldViolation[] = [];
  if (text.trim() === "") return {};
  for (const raw of text.split(",")) {
    const item = raw.trim();
    const eq = item.indexOf("=");
    if (eq < 0) {
      const shown = item === "" ? "an empty item" : JSON.stringify(item);
      violations.push({ path, message: `expected key=value, got ${shown}` });
      continue;
    }
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (entries.has(key)) {
      violations.push({ path: mapEntryPath(path, key), message: "is assigned more than once" });
      continue;
    }
    entries.set(key, value);
  }
  // fromEntries defines own properties, so a key like "__proto__" is reported, not swallowed.
  const labels: Labels = Object.fromEntries(entries);
  violations.push(...validateLabels(labels, path));
  if (violations.length > 0) throw new ValidationError(violations);
  return labels;
}
