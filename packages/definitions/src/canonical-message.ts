import { type DescField, type DescMessage, type JsonValue, ScalarType } from "@bufbuild/protobuf";
import { closestName } from "./closest-name.js";
import { type FieldProblem, fieldPath, indexPath, lowerCamel, mapKeyPath } from "./field-path.js";
import { convertDuration } from "./go-duration.js";
import { checkDecodes, checkMessageDecodes, enumJson, scalarJson } from "./proto-json-value.js";
import { describeValue, isPlainObject, plainJson } from "./yaml-scalar.js";

/** Rewrites a shorthand value of a message type (by full type name) into its proto JSON shape. */
export type Shorthands = Readonly<Record<string, (value: unknown) => unknown>>;

interface Walk {
  problems: FieldProblem[];
  shorthands: Shorthands;
}

/**
 * Rewrites a loosely written object into canonical proto JSON for `schema`, walking the message
 * descriptor: keys may be proto names, JSON names or lowerCamel names and come out as proto names;
 * Durations may be Go-style; bytes may be text (or `<field>_base64`); enums may use short names;
 * YAML numbers keep their source text in string fields. Every problem is collected with its path,
 * so one pass reports all of them. `topLevelNames` (shorthands the caller accepts at the top) are
 * offered as "did you mean" hints too. Returns undefined when `value` is not an object.
 */
export function canonicalMessage(
  schema: DescMessage,
  value: unknown,
  path: string,
  problems: FieldProblem[],
  shorthands: Shorthands = {},
  topLevelNames: readonly string[] = [],
): Record<string, JsonValue> | undefined {
  return messageJson(schema, value, path, { problems, shorthands }, topLevelNames);
}

function messageJson(
  schema: DescMessage,
  value: unknown,
  path: string,
  walk: Walk,
  extraNames: readonly string[] = [],
): Record<string, JsonValue> | undefined {
  if (!isPlainObject(value)) {
    walk.problems.push({ path, message: `expected a mapping, got ${describeValue(value)}` });
    return undefined;
  }
  const out: Record<string, JsonValue> = {};
  const writtenAs = new Map<string, string>();
  /** The member set of each oneof so far, by oneof name. */
  const oneofMembers = new Map<string, string>();
  for (const [key, raw] of Object.entries(value)) {
    const resolved = resolveField(schema, key);
    if (!resolved) {
      const hint = closestName(key, [...schema.fields.map((f) => f.name), ...extraNames]);
      walk.problems.push({
        path: fieldPath(path, key),
        message: `unknown field${hint ? ` (did you mean "${hint}"?)` : ""}`,
      });
      continue;
    }
    const { field, rawBase64 } = resolved;
    const at = fieldPath(path, field.name);
    const earlier = writtenAs.get(field.name);
    if (earlier !== undefined) {
      walk.problems.push({ path: at, message: `given twice (as "${earlier}" and "${key}")` });
      continue;
    }
    writtenAs.set(field.name, key);
    if (raw === null || raw === undefined) continue;
    if (field.oneof) {
      const other = oneofMembers.get(field.oneof.name);
      if (other !== undefined) {
        const members = field.oneof.fields.map((f) => f.name).join(", ");
        walk.problems.push({ path: at, message: `given together with ${other}; set only one of ${members}` });
        continue;
      }
      oneofMembers.set(field.oneof.name, field.name);
    }
    const json = fieldJson(schema, field, raw, rawBase64, at, walk);
    if (json !== undefined) out[field.name] = json as JsonValue;
  }
  return out;
}

function resolveField(schema: DescMessage, key: string): { field: DescField; rawBase64: boolean } | undefined {
  for (const field of schema.fields) {
    if (key === field.name || key === field.jsonName || key === lowerCamel(field.name))
      return { field, rawBase64: false };
    const isBytes = field.fieldKind === "scalar" && field.scalar === ScalarType.BYTES;
    if (isBytes && (key === `${field.name}_base64` || key === `${lowerCamel(field.name)}Base64`)) {
      return { field, rawBase64: true };
    }
  }
  return undefined;
}

function fieldJson(
  parent: DescMessage,
  field: DescField,
  raw: unknown,
  rawBase64: boolean,
  path: string,
  walk: Walk,
): unknown {
  switch (field.fieldKind) {
    case "scalar": {
      const json = scalarJson(field.scalar, raw, rawBase64);
      return checkDecodes(parent, field.name, json, path, walk.problems) ? json : undefined;
    }
    case "enum":
      return enumJson(field.enum, raw, path, walk.problems);
    case "message":
      return nestedJson(field.message, raw, path, walk);
    case "list": {
      if (!Array.isArray(raw)) return refuse(walk, path, "a list", raw);
      return raw.map((item, i) => {
        const at = indexPath(path, i);
        if (field.listKind === "message") return nestedJson(field.message, item, at, walk);
        if (field.listKind === "enum") return enumJson(field.enum, item, at, walk.problems);
        const json = scalarJson(field.scalar, item);
        checkDecodes(parent, field.name, [json], at, walk.problems);
        return json;
      });
    }
    case "map": {
      if (!isPlainObject(raw)) return refuse(walk, path, "a mapping", raw);
      const entries = Object.entries(raw).map(([key, item]) => {
        const at = mapKeyPath(path, key);
        if (field.mapKind === "message") return [key, nestedJson(field.message, item, at, walk)];
        if (field.mapKind === "enum") return [key, enumJson(field.enum, item, at, walk.problems)];
        const json = scalarJson(field.scalar, item);
        checkDecodes(parent, field.name, { [key]: json }, at, walk.problems);
        return [key, json];
      });
      return Object.fromEntries(entries);
    }
  }
}

function nestedJson(schema: DescMessage, raw: unknown, path: string, walk: Walk): unknown {
  if (schema.typeName === "google.protobuf.Duration") {
    const converted = convertDuration(plainJson(raw));
    if (converted.ok) return converted.json;
    walk.problems.push({ path, message: converted.message });
    return undefined;
  }
  if (schema.typeName.startsWith("google.protobuf.")) {
    const json = plainJson(raw);
    return checkMessageDecodes(schema, json, path, walk.problems) ? json : undefined;
  }
  const shorthand = walk.shorthands[schema.typeName];
  return messageJson(schema, shorthand ? shorthand(raw) : raw, path, walk);
}

function refuse(walk: Walk, path: string, expected: string, raw: unknown): undefined {
  walk.problems.push({ path, message: `expected ${expected}, got ${describeValue(raw)}` });
  return undefined;
}
