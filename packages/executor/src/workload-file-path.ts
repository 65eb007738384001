import { ExecutorError } from "./executor.js";

/**
 * Checks a `spec.files` path and returns its normalised segments. Paths come from test
 * configuration, so one like `../../etc/passwd` or `/etc/passwd` must never escape the working
 * directory of the workload (or of the runner's host, for the process backend).
 */
export function workloadFilePath(path: string): string[] {
  const segments = path.split("/").filter((segment) => segment !== "" && segment !== ".");
  const invalid = path.startsWith("/") || segments.length === 0 || segments.some((s) => s === ".." || s.includes("\0"));
  if (invalid)
    throw new ExecutorError("CREATE_FAILED", `file path ${JSON.stringify(path)} must stay inside the working dir`);
  return segments;
}

/** The default mode for workload files: executable, so a script can be run as `./script.sh`. */
export const DEFAULT_FILE_MODE = 0o755;
