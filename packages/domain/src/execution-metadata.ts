import { formatDuration } from "./duration.js";
import { MAX_RESULT_DATA_KEYS } from "./results/result-data.js";
import type { RunResult } from "./run-state.js";
import { utf8Length } from "./utf8-length.js";
import { type FieldViolation, mapEntryPath } from "./validation-error.js";

/**
 * What a caller tells tstr about a test it runs itself (a Jenkins job, a laptop) when it registers
 * the execution. `factor` > 0 makes the execution count against its location's capacity exactly
 * like a factored tstr run; `timeoutMs` bounds how long it may stay running unreported.
 */
export interface ExecutionMetadata {
  test: string;
  repo?: string;
  /** The branch or release line, e.g. `release/2.4`; filterable with `%` wildcards. */
  stream?: string;
  type?: string;
  environment?: string;
  triggeredBy?: string;
  dashboardUrl?: string;
  location?: string;
  /** Share of the location's capacity (0 < f <= 1) while running; absent = not factored. */
  factor?: number;
  /** After this long without completion the reaper ends the execution ERROR (EXECUTION_STALE). */
  timeoutMs: number;
}

/** Metadata as a caller sends it: factor 0 and timeout 0 mean "not given". */
export type ExecutionMetadataInput = Omit<ExecutionMetadata, "timeoutMs" | "factor"> & {
  factor?: number;
  timeoutMs?: number;
};

/** Result reason of an execution the reaper ended because it was not completed in time. */
export const EXECUTION_STALE = "EXECUTION_STALE";
/** Timeout of an execution registered without one. */
export const DEFAULT_EXECUTION_TIMEOUT_MS = 3_600_000;
export const MIN_EXECUTION_TIMEOUT_MS = 1_000;
export const MAX_EXECUTION_TIMEOUT_MS = 7 * 24 * 3_600_000;
/** Longest test name, repo, stream, type, environment, triggered-by, location and cancel reason. */
export const MAX_EXECUTION_TEXT_LENGTH = 256;
export const MAX_DASHBOARD_URL_LENGTH = 2048;
const MAX_RESULT_DATA_KEY_LENGTH = 256;
const MAX_RESULT_DATA_VALUE_BYTES = 64 * 1024;
const CONTROL_CHARS = /\p{Cc}/u;

const TEXT_FIELDS = [
  ["repo", "repo"],
  ["stream", "stream"],
  ["type", "type"],
  ["environment", "environment"],
  ["triggeredBy", "triggered_by"],
  ["location", "location"],
] as const;

/**
 * Checks registration metadata, every problem at its proto path under `path`: the test name is
 * required; texts are single-line and bounded; the dashboard URL is http(s); the factor is in
 * [0, 1] (0 = not factored) and needs a location; the timeout, when given, is 1 s to 7 days.
 */
export function validateExecutionMetadata(input: ExecutionMetadataInput, path = "metadata"): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const add = (field: string, message: string) => violations.push({ path: `${path}.${field}`, message });
  const testProblem = input.test.trim() === "" ? "is required" : textProblem(input.test);
  if (testProblem) add("test", testProblem);
  for (const [key, field] of TEXT_FIELDS) {
    const problem = input[key] === undefined ? undefined : textProblem(input[key]);
    if (problem) add(field, problem);
  }
  if (input.dashboardUrl) {
    const problem = dashboardUrlProblem(input.dashboardUrl);
    if (problem) add("dashboard_url", problem);
  }
  const factor = input.factor ?? 0;
  if (!Number.isFinite(factor) || factor < 0 || factor > 1) {
    add("factor", `must be greater than 0 and at most 1 (0 = not factored), not ${factor}`);
  } else if (factor > 0 && !input.location?.trim()) {
    add("location", `is required with a factor (${factor} of which location's capacity?)`);
  }
  const timeout = input.timeoutMs ?? 0;
  if (timeout !== 0 && !(timeout >= MIN_EXECUTION_TIMEOUT_MS && timeout <= MAX_EXECUTION_TIMEOUT_MS)) {
    add(
      "timeout",
      `must be between ${formatDuration(MIN_EXECUTION_TIMEOUT_MS)} and ${formatDuration(MAX_EXECUTION_TIMEOUT_MS)} ` +
        `(default ${formatDuration(DEFAULT_EXECUTION_TIMEOUT_MS)}), not ${formatDuration(timeout)}`,
    );
  }
  return violations;
}

/**
 * The metadata to store for valid input (see {@link validateExecutionMetadata}): empty texts
 * dropped, names trimmed, factor 0 removed and the default timeout filled in.
 */
export function resolveExecutionMetadata(input: ExecutionMetadataInput): ExecutionMetadata {
  const metadata: ExecutionMetadata = {
    test: input.test.trim(),
    timeoutMs: input.timeoutMs || DEFAULT_EXECUTION_TIMEOUT_MS,
  };
  for (const [key] of TEXT_FIELDS) {
    const value = input[key]?.trim();
    if (value) metadata[key] = value;
  }
  if (input.dashboardUrl) metadata.dashboardUrl = input.dashboardUrl;
  if (input.factor) metadata.factor = input.factor;
  return metadata;
}

function textProblem(text: string): string | undefined {
  if (text.length > MAX_EXECUTION_TEXT_LENGTH) return `must be at most ${MAX_EXECUTION_TEXT_LENGTH} characters`;
  if (CONTROL_CHARS.test(text)) return "must be a single line without control characters";
  return undefined;
}

function dashboardUrlProblem(text: string): string | undefined {
  if (text.length > MAX_DASHBOARD_URL_LENGTH) return `must be at most ${MAX_DASHBOARD_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `must be an absolute http(s) URL, not ${JSON.stringify(text.slice(0, 100))}`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `must be an http(s) URL (a link people can open), not ${url.protocol.slice(0, -1)}`;
  }
  return undefined;
}

/** How a caller says an external execution ended; the server decides ERROR and TIMED_OUT itself. */
export type ExecutionOutcome = "success" | "failure" | "cancelled";

/** The run result each outcome is stored as. */
export const EXECUTION_OUTCOMES: Readonly<Record<ExecutionOutcome, RunResult>> = Object.freeze({
  success: "PASS",
  failure: "FAIL",
  cancelled: "CANCELLED",
});

/** The result for an outcome word (case-insensitive), or undefined for anything else. */
export function executionResultOf(outcome: string): RunResult | undefined {
  const word = outcome.trim().toLowerCase();
  return Object.hasOwn(EXECUTION_OUTCOMES, word) ? EXECUTION_OUTCOMES[word as ExecutionOutcome] : undefined;
}

/** The outcome word of a result a caller may report, or undefined (ERROR, TIMED_OUT). */
export function executionOutcomeOf(result: RunResult): ExecutionOutcome | undefined {
  return (Object.keys(EXECUTION_OUTCOMES) as ExecutionOutcome[]).find((o) => EXECUTION_OUTCOMES[o] === result);
}

/**
 * Checks a completion: the result must be one a caller may report (PASS, FAIL, CANCELLED), and
 * the result data flat, bounded string pairs.
 */
export function validateExecutionCompletion(
  result: RunResult | undefined,
  resultData: Readonly<Record<string, string>>,
): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (result === undefined || executionOutcomeOf(result) === undefined) {
    violations.push({
      path: "result",
      message: `must be PASS (success), FAIL (failure) or CANCELLED, not ${result ?? "unset"}; ERROR and TIMED_OUT are decided by the server`,
    });
  }
  const keys = Object.keys(resultData);
  if (keys.length > MAX_RESULT_DATA_KEYS) {
    violations.push({ path: "result_data", message: `must have at most ${MAX_RESULT_DATA_KEYS} entries` });
    return violations;
  }
  for (const key of keys) {
    const problem =
      key.length === 0 || key.length > MAX_RESULT_DATA_KEY_LENGTH
        ? `key must be 1 to ${MAX_RESULT_DATA_KEY_LENGTH} characters`
        : utf8Length(resultData[key] ?? "") > MAX_RESULT_DATA_VALUE_BYTES
          ? `value must be at most ${MAX_RESULT_DATA_VALUE_BYTES} bytes`
          : undefined;
    if (problem) violations.push({ path: mapEntryPath("result_data", key.slice(0, 100)), message: problem });
  }
  return violations;
}

/** Checks the free-text reason of a cancellation. */
export function validateCancelReason(reason: string, path = "reason"): FieldViolation[] {
  const problem = textProblem(reason);
  return problem ? [{ path, message: problem }] : [];
}

/** Checks a stream filter (`release/%`). */
export function validateStreamPattern(pattern: string, path = "stream"): FieldViolation[] {
  return pattern.length > MAX_EXECUTION_TEXT_LENGTH
    ? [{ path, message: `must be at most ${MAX_EXECUTION_TEXT_LENGTH} characters` }]
    : [];
}

/**
 * A stream filter as an SQL LIKE pattern with `\` as the escape character: `%` stays the wildcard,
 * while `_` and `\` match themselves (a stream such as `feature_x` must not match `featureAx`).
 * Case-insensitivity is the query's job (lower() on both sides).
 */
export function streamLikePattern(pattern: string): string {
  return pattern.replace(/[\\_]/g, (c) => `\\${c}`);
}
