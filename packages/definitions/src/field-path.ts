/** A problem with one field of a document; `path` uses proto field names, e.g. "run_config.timeout". */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Appends a field name to a path. */
export function fieldPath(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** Appends a map key to a path, quoting keys that would read ambiguously ("labels[\"app.io/x\"]"). */
export function mapKeyPath(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? fieldPath(path, key) : `${path}[${JSON.stringify(key)}]`;
}

/** Appends a list index to a path. */
export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** The lowerCamel spelling of a proto field name ("cron_schedule" → "cronSchedule"). */
export function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
