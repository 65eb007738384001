/**
 * A number or boolean read from YAML together with the text it was written as. YAML turns
 * `GO_VERSION: 1.20` into the number 1.2; where the proto field is a string the original text
 * ("1.20") is what the author meant, so the normaliser picks `source` there and `value` elsewhere.
 */
export class YamlScalar {
  constructor(
    readonly value: number | boolean,
    readonly source: string,
  ) {}
}

/** The plain JSON value of anything that may hold YamlScalars. */
export function plainJson(value: unknown): unknown {
  if (value instanceof YamlScalar) return value.value;
  if (Array.isArray(value)) return value.map(plainJson);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plainJson(item)]));
  }
  return value;
}

/** True for `{...}` objects (not arrays, byte arrays, YamlScalars or null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Describes a value's type for error messages ("a list", "the number 3"). */
export function describeValue(value: unknown): string {
  if (value instanceof YamlScalar) return describeValue(value.value);
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Uint8Array) return "binary data";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return `the ${typeof value} ${String(value)}`;
}
