/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/**
 * Reads fields of untrusted JSON, throwing errors that name the source and the field path, e.g.
 * `summary export: metrics.http_reqs: expected an object`.
 */
export class JsonReader {
  constructor(readonly source: string) {}

  /** Parses `text`, naming the source when it is not JSON. */
  parse(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw this.error("", `not JSON (${(error as Error).message})`);
    }
  }

  error(path: string, problem: string): Error {
    return new Error(path ? `${this.source}: ${path}: ${problem}` : `${this.source}: ${problem}`);
  }

  object(value: unknown, path: string): JsonObject {
    if (!isObject(value)) throw this.error(path, "expected an object");
    return value;
  }

  optionalObject(value: unknown, path: string): JsonObject | undefined {
    return value === undefined || value === null ? undefined : this.object(value, path);
  }

  number(value: unknown, path: string): number {
    if (typeof value !== "number" || !Number.isFinite(value)) throw this.error(path, "expected a number");
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== "string") throw this.error(path, "expected a string");
    return value;
  }

  optionalString(value: unknown, path: string): string | undefined {
    return value === undefined || value === null ? undefined : this.string(value, path);
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== "boolean") throw this.error(path, "expected true or false");
    return value;
  }

  /**
   * The members of a collection k6 writes either as an object keyed by name (older versions) or as
   * an array (newer ones), with their field paths. Absent or null reads as empty.
   */
  members(value: unknown, path: string): [string, unknown][] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value.map((item, i) => [`${path}[${i}]`, item]);
    if (isObject(value)) return Object.entries(value).map(([key, item]) => [`${path}.${key}`, item]);
    throw this.error(path, "expected an object or an array");
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
