/** The variable reference a spec's command and env may use for the results directory. */
export const RESULTS_DIR_REFERENCE = "$(TSTR_RESULTS_DIR)";

const REFERENCE = /\$?\$\(TSTR_RESULTS_DIR\)/g;

/**
 * Replaces `$(TSTR_RESULTS_DIR)` in `value` with `resultsDir`, the way Kubernetes expands a
 * variable reference in a container's command, args and env: `$$(TSTR_RESULTS_DIR)` is the escape
 * and becomes the literal `$(TSTR_RESULTS_DIR)`. Lets presets (k6 `--summary-export`) name the
 * results directory before a backend has decided where it lives (a host directory for processes).
 */
export function expandResultsDir(value: string, resultsDir: string): string {
  if (!value.includes("(TSTR_RESULTS_DIR)")) return value;
  return value.replace(REFERENCE, (match) => (match.startsWith("$$") ? RESULTS_DIR_REFERENCE : resultsDir));
}

/** {@link expandResultsDir} over every value of an environment. */
export function expandResultsDirInEnv(env: Record<string, string>, resultsDir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, expandResultsDir(value, resultsDir)]));
}
