import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { type Suite, SuiteSchema } from "@tstr/proto";
import { canonicalMessage } from "./canonical-message.js";
import type { FieldProblem } from "./field-path.js";
import { decodeProblem } from "./proto-json-value.js";
import { moveShorthand } from "./shorthand-field.js";
import { describeValue, isPlainObject } from "./yaml-scalar.js";

/** A parsed suite definition, or every problem found in it. */
export type SuiteDocumentResult = { ok: true; suite: Suite } | { ok: false; problems: FieldProblem[] };

/** Fields of the Suite message the server fills in; a definition file cannot set them. */
const SERVER_FIELDS = ["id", "source", "created_at", "createdAt", "updated_at", "updatedAt"];

/**
 * Turns one `kind: Suite` document into a Suite message for ApplySuite. The document is proto JSON
 * (snake_case or lowerCamel keys) plus `tests` for `test_names` and `selector` for
 * `test_selector`. The namespace defaults to `defaultNamespace`. Whether the suite is valid
 * (names, selector syntax, at least one member) is the server's domain validation, not checked here.
 */
export function parseSuiteDocument(value: unknown, defaultNamespace: string): SuiteDocumentResult {
  if (!isPlainObject(value)) {
    return fail({ path: "", message: `expected a mapping of suite fields, got ${describeValue(value)}` });
  }
  const { kind: _kind, apiVersion: _apiVersion, ...fields } = value;
  const problems: FieldProblem[] = [];
  for (const key of SERVER_FIELDS) {
    if (key in fields) {
      problems.push({ path: key, message: "is set by the server; remove it from the definition" });
      delete fields[key];
    }
  }
  moveShorthand(fields, "tests", "test_names", problems);
  moveShorthand(fields, "selector", "test_selector", problems);
  const json = canonicalMessage(SuiteSchema, fields, "", problems, {}, ["tests", "selector"]);
  if (json && !json.name) problems.push({ path: "name", message: "required" });
  if (!json || problems.length > 0) return { ok: false, problems };
  json.namespace ||= defaultNamespace;
  try {
    return { ok: true, suite: fromJson(SuiteSchema, json as JsonValue) };
  } catch (error) {
    return fail(decodeProblem(SuiteSchema, error));
  }
}

function fail(problem: FieldProblem): SuiteDocumentResult {
  return { ok: false, problems: [problem] };
}
