import type { Executor, RegisterTestRequest, Suite } from "@tstr/proto";
import { closestName } from "./closest-name.js";
import { parseExecutorDocument } from "./executor-document.js";
import type { FieldProblem } from "./field-path.js";
import { parseSuiteDocument } from "./suite-document.js";
import { parseTestDocument } from "./test-document.js";
import { describeValue, isPlainObject, plainJson } from "./yaml-scalar.js";

/** The kinds of document a definition file may hold. */
export const DEFINITION_KINDS = ["Test", "Suite", "Executor"] as const;
export type DefinitionKind = (typeof DEFINITION_KINDS)[number];

/** How a caller narrows what it accepts. */
export interface DefinitionDocumentOptions {
  /** A reason to refuse documents of a kind this caller does not apply (undefined accepts it). */
  refuseKind?: (kind: DefinitionKind) => string | undefined;
}

/** One document, read as the kind it declares, or every problem found in it. */
export type DefinitionDocumentResult =
  | { ok: true; kind: "Test"; request: RegisterTestRequest }
  | { ok: true; kind: "Suite"; suite: Suite }
  | { ok: true; kind: "Executor"; executor: Executor }
  | { ok: false; problems: FieldProblem[] };

/**
 * Reads one document by its `kind`: Test (also when `kind` is absent, as tstr's request files
 * have none), Suite or Executor. Any other kind is a problem naming it, so a document is never
 * silently skipped.
 */
export function parseDefinitionDocument(
  value: unknown,
  defaultNamespace: string,
  options: DefinitionDocumentOptions = {},
): DefinitionDocumentResult {
  const declared = isPlainObject(value) ? plainJson(value.kind) : undefined;
  const kind = declared ?? "Test";
  const refusal = isDefinitionKind(kind) ? options.refuseKind?.(kind) : undefined;
  if (refusal !== undefined)
    return { ok: false, problems: [{ path: declared === undefined ? "" : "kind", message: refusal }] };
  if (kind === "Test") {
    const result = parseTestDocument(value, defaultNamespace);
    return result.ok ? { ok: true, kind: "Test", request: result.request } : result;
  }
  if (kind === "Suite") {
    const result = parseSuiteDocument(value, defaultNamespace);
    return result.ok ? { ok: true, kind: "Suite", suite: result.suite } : result;
  }
  if (kind === "Executor") {
    const result = parseExecutorDocument(value, defaultNamespace);
    return result.ok ? { ok: true, kind: "Executor", executor: result.executor } : result;
  }
  return { ok: false, problems: [{ path: "kind", message: unsupportedKind(kind) }] };
}

function isDefinitionKind(kind: unknown): kind is DefinitionKind {
  return (DEFINITION_KINDS as readonly unknown[]).includes(kind);
}

function unsupportedKind(kind: unknown): string {
  const expected = "Test, Suite or Executor";
  if (typeof kind !== "string") return `expected ${expected}, got ${describeValue(kind)}`;
  const hint = closestName(kind, DEFINITION_KINDS);
  return `unsupported kind ${JSON.stringify(kind)} (expected ${expected}${hint ? `; did you mean "${hint}"?` : ""})`;
}
