import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { type Executor, ExecutorSchema } from "@tstr/proto";
import { canonicalMessage } from "./canonical-message.js";
import type { FieldProblem } from "./field-path.js";
import { decodeProblem } from "./proto-json-value.js";
import { moveShorthand } from "./shorthand-field.js";
import { describeValue, isPlainObject, plainJson } from "./yaml-scalar.js";

/** A parsed executor definition, or every problem found in it. */
export type ExecutorDocumentResult = { ok: true; executor: Executor } | { ok: false; problems: FieldProblem[] };

/** Fields of the Executor message the server fills in; a definition file cannot set them. */
const SERVER_FIELDS = ["id", "builtin", "source", "created_at", "createdAt", "updated_at", "updatedAt"];
/** Document-only keys, offered as "did you mean" hints too. */
const SHORTHANDS = ["global", "file_types", "parsers"];

/**
 * Turns one `kind: Executor` document into an Executor message for ApplyExecutor. The document is
 * proto JSON (snake_case or lowerCamel keys, short enum names such as `junit` or `k6_summary`)
 * plus `file_types` for `accepted_file_types`, `parsers` for `result_parsers`, and `global: true`
 * for an executor visible in every namespace (the message's empty namespace). Without either a
 * namespace or `global: true` the namespace is `defaultNamespace`, as for tests and suites.
 * Whether the executor is valid (name, image, paths) is the server's domain validation.
 */
export function parseExecutorDocument(value: unknown, defaultNamespace: string): ExecutorDocumentResult {
  if (!isPlainObject(value)) {
    return fail({ path: "", message: `expected a mapping of executor fields, got ${describeValue(value)}` });
  }
  const { kind: _kind, apiVersion: _apiVersion, global, ...fields } = value;
  const problems: FieldProblem[] = [];
  for (const key of SERVER_FIELDS) {
    if (key in fields) {
      problems.push({ path: key, message: "is set by the server; remove it from the definition" });
      delete fields[key];
    }
  }
  const isGlobal = globalFlag(global, "namespace" in fields, problems);
  if ("namespace" in fields && plainJson(fields.namespace) === "") {
    problems.push({
      path: "namespace",
      message: "is empty; write global: true for an executor visible in every namespace, or name a namespace",
    });
  }
  moveShorthand(fields, "file_types", "accepted_file_types", problems);
  moveShorthand(fields, "parsers", "result_parsers", problems);
  const json = canonicalMessage(ExecutorSchema, fields, "", problems, {}, SHORTHANDS);
  if (json && !json.name) problems.push({ path: "name", message: "required" });
  if (!json || problems.length > 0) return { ok: false, problems };
  json.namespace = isGlobal ? "" : json.namespace || defaultNamespace;
  try {
    return { ok: true, executor: fromJson(ExecutorSchema, json as JsonValue) };
  } catch (error) {
    return fail(decodeProblem(ExecutorSchema, error));
  }
}

/** Reads `global:`; true with a namespace too is a problem, since one executor has one scope. */
function globalFlag(raw: unknown, hasNamespace: boolean, problems: FieldProblem[]): boolean {
  if (raw === undefined || raw === null) return false;
  const value = plainJson(raw);
  if (typeof value !== "boolean") {
    problems.push({ path: "global", message: `expected true or false, got ${describeValue(raw)}` });
    return false;
  }
  if (value && hasNamespace) {
    problems.push({ path: "global", message: "given together with namespace; a global executor has no namespace" });
  }
  return value;
}

function fail(problem: FieldProblem): ExecutorDocumentResult {
  return { ok: false, problems: [problem] };
}
