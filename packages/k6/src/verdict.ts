import type { ThresholdResult } from "./types.js";

/** The outcome of a k6 run. */
export interface K6Verdict {
  result: "PASS" | "FAIL" | "ERROR";
  /** Machine-readable cause: `THRESHOLDS`, `EXIT_CODE_<n>` or one of k6's own error codes (`K6_SCRIPT_EXCEPTION`…). */
  reason?: string;
  /** One sentence for people. */
  detail?: string;
}

/** k6's exit code for failed thresholds (`ThresholdsHaveFailed`). */
export const K6_THRESHOLDS_FAILED_EXIT_CODE = 99;

/**
 * k6's other documented exit codes, from grafana/k6 `errext/exitcodes/codes.go`. They mean the run
 * itself went wrong rather than the system under test. 103 is `ScriptStoppedFromRESTAPI` in current
 * k6 and was `GenericEngine` in older releases.
 */
export const K6_ERROR_EXIT_CODES: Readonly<Record<number, { reason: string; detail: string }>> = {
  97: { reason: "K6_CLOUD_TEST_RUN_FAILED", detail: "the k6 Cloud test run failed" },
  98: { reason: "K6_CLOUD_FAILED_TO_GET_PROGRESS", detail: "k6 could not get the test's progress from k6 Cloud" },
  100: { reason: "K6_SETUP_TIMEOUT", detail: "the script's setup() timed out" },
  101: { reason: "K6_TEARDOWN_TIMEOUT", detail: "the script's teardown() timed out" },
  102: { reason: "K6_GENERIC_TIMEOUT", detail: "k6 timed out" },
  103: { reason: "K6_SCRIPT_STOPPED_FROM_REST_API", detail: "the run was stopped through k6's REST API" },
  104: { reason: "K6_INVALID_CONFIG", detail: "k6's configuration or the script's options are invalid" },
  105: { reason: "K6_EXTERNAL_ABORT", detail: "k6 was aborted by a signal" },
  106: { reason: "K6_CANNOT_START_REST_API", detail: "k6 could not start its REST API" },
  107: { reason: "K6_SCRIPT_EXCEPTION", detail: "the script threw an exception" },
  108: { reason: "K6_SCRIPT_ABORTED", detail: "the script called test.abort()" },
  109: { reason: "K6_GO_PANIC", detail: "k6 crashed (Go panic)" },
};

/**
 * The verdict of a k6 run from its exit code and the thresholds of its summary:
 * - k6's run-error exit codes (97, 98, 100–109) → ERROR with k6's reason, whatever the thresholds;
 * - 99 (thresholds failed) → FAIL `THRESHOLDS`;
 * - 0 with a failed threshold in the summary → FAIL `THRESHOLDS`: the summary wins, because the
 *   thresholds may have been evaluated again on merged or re-parsed data that k6 never saw whole;
 * - 0 with all thresholds ok → PASS;
 * - any other code → FAIL `EXIT_CODE_<n>`.
 */
export function k6Verdict(input: { exitCode: number; thresholds: ThresholdResult[] }): K6Verdict {
  const { exitCode, thresholds } = input;
  const error = K6_ERROR_EXIT_CODES[exitCode];
  if (error !== undefined)
    return { result: "ERROR", reason: error.reason, detail: `${error.detail} (exit code ${exitCode})` };
  const failed = thresholds.filter((t) => !t.ok);
  const failedText = failed.map((t) => `${t.metric}: ${t.expression}`).join("; ");
  if (exitCode === K6_THRESHOLDS_FAILED_EXIT_CODE) {
    return {
      result: "FAIL",
      reason: "THRESHOLDS",
      detail: `k6 reported failed thresholds${failed.length ? `: ${failedText}` : ""}`,
    };
  }
  if (exitCode === 0 && failed.length > 0) {
    return {
      result: "FAIL",
      reason: "THRESHOLDS",
      detail: `k6 exited 0 but the summary has failed thresholds: ${failedText}`,
    };
  }
  if (exitCode === 0) return { result: "PASS" };
  return { result: "FAIL", reason: `EXIT_CODE_${exitCode}`, detail: `k6 exited with code ${exitCode}` };
}
