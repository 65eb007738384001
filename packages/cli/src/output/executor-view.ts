import { type Executor, Executor_ResultParser } from "@tstr/proto";
import { formatLabels, formatTimestamp } from "./format-values.js";

/** Columns of `executor list`. */
export const EXECUTOR_COLUMNS = ["NAME", "SCOPE", "IMAGE", "FILE TYPES", "PARSERS", "BUILTIN"] as const;

/** One table row per executor; SCOPE is "global" (every namespace) or "namespace". */
export function executorRow(executor: Executor): string[] {
  return [
    executor.name,
    executorScope(executor),
    executor.image || "-",
    executor.acceptedFileTypes.join(",") || "any",
    formatParsers(executor) || "-",
    executor.builtin ? "yes" : "no",
  ];
}

/** The `executor get` view. */
export function executorDetails(executor: Executor): [string, string][] {
  return [
    ["Name", executor.name],
    ["Scope", executor.namespace ? `namespace ${executor.namespace}` : "global (every namespace)"],
    ["Built in", executor.builtin ? "yes" : "no"],
    ["ID", executor.id],
    ["Description", executor.description],
    ["Image", executor.image || "none (each test supplies its own)"],
    ["Command", executor.command.join(" ") || "the image's"],
    ["Args", executor.args.join(" ")],
    ["File types", executor.acceptedFileTypes.join(", ") || "any"],
    ["Env", formatLabels(executor.env)],
    ["Result parsers", formatParsers(executor) || "none"],
    ["JUnit path", executor.junitPath],
    ["Icon", executor.icon],
    ["Updated", formatTimestamp(executor.updatedAt ?? executor.createdAt)],
  ];
}

/** "global" or "namespace". */
export function executorScope(executor: Executor): string {
  return executor.namespace ? "namespace" : "global";
}

/** "k6_summary,k6_ndjson": the short names a definition file uses. */
function formatParsers(executor: Executor): string {
  return executor.resultParsers.map((p) => (Executor_ResultParser[p] ?? String(p)).toLowerCase()).join(",");
}
