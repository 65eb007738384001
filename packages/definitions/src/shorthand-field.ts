import { type FieldProblem, lowerCamel } from "./field-path.js";

/**
 * Moves a shorthand key (`schedule`, `tests`) to the proto field it stands for (`cron_schedule`,
 * `test_names`), so the rest of the walk sees one canonical key. Writing both is a problem rather
 * than a silent choice of one.
 */
export function moveShorthand(
  fields: Record<string, unknown>,
  shorthand: string,
  field: string,
  problems: FieldProblem[],
): void {
  if (!(shorthand in fields)) return;
  const value = fields[shorthand];
  delete fields[shorthand];
  if (field in fields || lowerCamel(field) in fields) {
    problems.push({ path: shorthand, message: `given together with ${field}; use one of them` });
    return;
  }
  fields[field] = value;
}
