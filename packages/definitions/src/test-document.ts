import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import {
  LabelSetSchema,
  type RegisterTestRequest,
  RegisterTestRequestSchema,
  Test_Matrix_LabelValuesSchema,
} from "@tstr/proto";
import { canonicalMessage, type Shorthands } from "./canonical-message.js";
import type { FieldProblem } from "./field-path.js";
import { decodeProblem } from "./proto-json-value.js";
import { moveShorthand } from "./shorthand-field.js";
import { describeValue, isPlainObject, plainJson } from "./yaml-scalar.js";

/** A parsed test definition, or every problem found in it. */
export type TestDocumentResult = { ok: true; request: RegisterTestRequest } | { ok: false; problems: FieldProblem[] };

/** tstr's shapes are accepted as written; these add the shorter forms people write by hand. */
const TEST_SHORTHANDS: Shorthands = {
  // matrix: {labels: {os: [linux, windows]}} as well as {os: {values: [...]}}
  [Test_Matrix_LabelValuesSchema.typeName]: (value) => (Array.isArray(value) ? { values: value } : value),
  // matrix.include: [{os: linux, browser: safari}] as well as [{labels: {...}}]
  [LabelSetSchema.typeName]: (value) => (isPlainObject(value) && !isLabelSet(value) ? { labels: value } : value),
};

/**
 * Turns one document of a definition file into a RegisterTestRequest. The document is proto JSON
 * (snake_case or lowerCamel keys) plus conveniences: optional `kind: Test` and `apiVersion`,
 * `schedule` for `cron_schedule`, Go-style durations, text file contents, short enum names and
 * plain-list matrix values. The namespace defaults to `defaultNamespace`.
 */
export function parseTestDocument(value: unknown, defaultNamespace: string): TestDocumentResult {
  if (!isPlainObject(value)) {
    return fail({ path: "", message: `expected a mapping of test fields, got ${describeValue(value)}` });
  }
  const { kind, apiVersion: _apiVersion, ...fields } = value;
  const kindName = plainJson(kind);
  if (kindName !== undefined && kindName !== "Test") {
    return fail({
      path: "kind",
      message: `unsupported kind ${JSON.stringify(kindName)} (only kind: Test can be applied)`,
    });
  }
  const problems: FieldProblem[] = [];
  moveShorthand(fields, "schedule", "cron_schedule", problems);
  const json = canonicalMessage(RegisterTestRequestSchema, fields, "", problems, TEST_SHORTHANDS, ["schedule"]);
  if (json && !json.name) problems.push({ path: "name", message: "required" });
  if (!json || problems.length > 0) return { ok: false, problems };
  json.namespace ||= defaultNamespace;
  try {
    return { ok: true, request: fromJson(RegisterTestRequestSchema, json as JsonValue) };
  } catch (error) {
    return fail(decodeProblem(RegisterTestRequestSchema, error));
  }
}

function isLabelSet(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === "labels" && isPlainObject(value.labels);
}

function fail(problem: FieldProblem): TestDocumentResult {
  return { ok: false, problems: [problem] };
}
