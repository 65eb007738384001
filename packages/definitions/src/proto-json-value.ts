import { type DescEnum, type DescMessage, fromJson, type JsonValue, ScalarType } from "@bufbuild/protobuf";
import { isFieldError } from "@bufbuild/protobuf/reflect";
import { type FieldProblem, fieldPath } from "./field-path.js";
import { describeValue, plainJson, YamlScalar } from "./yaml-scalar.js";

/**
 * Converts one scalar as written (YAML text, JSON) to proto JSON for a field of `type`. Strings
 * keep the YAML source text of numbers ("1.20", not 1.2); bytes accept text (encoded to base64)
 * unless `rawBase64` says the author already wrote base64.
 */
export function scalarJson(type: ScalarType, value: unknown, rawBase64 = false): unknown {
  if (value instanceof YamlScalar) {
    return type === ScalarType.STRING || type === ScalarType.BYTES ? value.source : value.value;
  }
  if (type === ScalarType.STRING && (typeof value === "number" || typeof value === "boolean")) return String(value);
  if (type === ScalarType.BYTES && !rawBase64) {
    if (typeof value === "string") return Buffer.from(value, "utf8").toString("base64");
    if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  }
  return value;
}

/**
 * Resolves an enum value written as its full name (CONCURRENCY_POLICY_FORBID), its short name in
 * any case (forbid, runner-lost) or its number. Problems list the accepted short names.
 */
export function enumJson(
  schema: DescEnum,
  value: unknown,
  path: string,
  problems: FieldProblem[],
): JsonValue | undefined {
  const raw = value instanceof YamlScalar ? value.value : value;
  if (typeof raw === "number" && schema.values.some((v) => v.number === raw)) return raw;
  if (typeof raw === "string") {
    const wanted = raw.trim().toUpperCase().replace(/[-\s]/g, "_");
    const found = schema.values.find((v) => v.name === wanted || v.localName.toUpperCase() === wanted);
    if (found && found.number !== 0) return found.name;
  }
  const accepted = schema.values.filter((v) => v.number !== 0).map((v) => v.localName.toLowerCase());
  problems.push({ path, message: `invalid value ${describeRaw(raw)} (expected one of ${accepted.join(", ")})` });
  return undefined;
}

/**
 * Checks a converted value by decoding `{[name]: json}` with the parent message, so a problem is
 * reported at the field it belongs to rather than for the whole document.
 */
export function checkDecodes(
  parent: DescMessage,
  name: string,
  json: unknown,
  path: string,
  problems: FieldProblem[],
): boolean {
  try {
    fromJson(parent, { [name]: plainJson(json) } as JsonValue);
    return true;
  } catch (error) {
    problems.push({ path, message: decodeMessage(error) });
    return false;
  }
}

/** Checks that a well-known type (Timestamp, Struct, …) decodes from `json`. */
export function checkMessageDecodes(
  schema: DescMessage,
  json: unknown,
  path: string,
  problems: FieldProblem[],
): boolean {
  try {
    fromJson(schema, json as JsonValue);
    return true;
  } catch (error) {
    problems.push({ path, message: decodeMessage(error) });
    return false;
  }
}

/**
 * protobuf-es messages name the schema ("cannot decode field a.b.C.d from JSON: map entry "x": …");
 * the path already says where, so only the reason is kept.
 */
export function decodeMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const marker = " from JSON: ";
  const reason = text.includes(marker) ? text.slice(text.indexOf(marker) + marker.length) : text;
  return reason.replace(/^(list item #\d+|map entry "[^"]*"): /, "");
}

/**
 * The problem of a failed decode of a whole `schema` message, at the field protobuf-es blames
 * when it can be found from `schema` by field names (a list item or map entry is named by its
 * field, without index or key), else at the document itself.
 */
export function decodeProblem(schema: DescMessage, error: unknown): FieldProblem {
  const cause = error instanceof Error ? error.cause : undefined;
  const failed = isFieldError(cause) ? cause.field() : undefined;
  const path = failed ? pathToField(schema, failed.parent, failed.name, new Set()) : undefined;
  return { path: path ?? "", message: decodeMessage(error) };
}

/** The field-name path from `schema` to the field `name` of message `owner`, depth first. */
function pathToField(schema: DescMessage, owner: DescMessage, name: string, seen: Set<string>): string | undefined {
  if (schema.typeName === owner.typeName) return name;
  if (seen.has(schema.typeName)) return undefined;
  seen.add(schema.typeName);
  for (const field of schema.fields) {
    const nested =
      field.fieldKind === "message" ||
      (field.fieldKind === "list" && field.listKind === "message") ||
      (field.fieldKind === "map" && field.mapKind === "message")
        ? field.message
        : undefined;
    const rest = nested && pathToField(nested, owner, name, seen);
    if (rest !== undefined) return fieldPath(field.name, rest);
  }
  return undefined;
}

function describeRaw(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : describeValue(value);
}
