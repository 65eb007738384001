import { formatDuration } from "./duration.js";
import type { TestSpecLimits } from "./test-spec-limits.js";
import { utf8Length } from "./utf8-length.js";
import { type FieldViolation, listItemPath, mapEntryPath } from "./validation-error.js";

/**
 * How to run a test's container. `files` are scripts and data written under the working
 * directory; `resultsPath` is where the workload writes results (TSTR_RESULTS_DIR points there).
 */
export interface RunConfig {
  image: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL on timeout or cancellation. */
  gracePeriodMs?: number;
  workingDir?: string;
  files: { path: string; content: string }[];
  resultsPath?: string;
  /** Executor-specific options (e.g. k6 `vus`), read by the executor preset. */
  executorOptions?: Record<string, string>;
  /** Pod details for the Kubernetes executor, kept as given (proto JSON of KubernetesOptions). */
  kubernetes?: Record<string, unknown>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Image references are printable ASCII without spaces.
const IMAGE_CHARS = /^[!-~]*$/;
/** Prefix of the variables tstr sets itself (TSTR_RUN_ID, TSTR_LABEL_…); users may not set them. */
export const RESERVED_ENV_PREFIX = "TSTR_";

/**
 * Validates a run config's fields, paths rooted at `path` (proto names: `run_config.env["X"]`).
 * Whether an image is required depends on the executor, so an empty image is left to the caller.
 * Collections over their count limit get one violation instead of one per entry.
 */
export function validateRunConfig(config: RunConfig, limits: TestSpecLimits, path = "run_config"): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const add = (field: string, message: string) => violations.push({ path: field, message });
  if (config.image.length > limits.maxImageLength) {
    add(`${path}.container_image`, `must be at most ${limits.maxImageLength} characters`);
  } else if (!IMAGE_CHARS.test(config.image)) {
    add(`${path}.container_image`, "must be printable ASCII without whitespace");
  }
  violations.push(...validateCommandLine(config, limits, path));
  violations.push(...validateEnv(config.env, limits, `${path}.env`));
  checkRange(config.timeoutMs, limits.minTimeoutMs, limits.maxTimeoutMs, `${path}.timeout`, add);
  checkRange(config.gracePeriodMs, 0, limits.maxGracePeriodMs, `${path}.grace_period`, add);
  for (const [field, value] of [
    ["working_dir", config.workingDir],
    ["results_path", config.resultsPath],
  ] as const) {
    const problem = value ? validateContainerPath(value, true, limits) : undefined;
    if (problem !== undefined) add(`${path}.${field}`, problem);
  }
  violations.push(...validateFiles(config.files, limits, `${path}.files`));
  return violations;
}

function validateCommandLine(config: RunConfig, limits: TestSpecLimits, path: string): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const tooBig = `must be at most ${limits.maxArgBytes} bytes`;
  let total = utf8Length(config.command);
  if (total > limits.maxArgBytes) violations.push({ path: `${path}.command`, message: tooBig });
  if (config.args.length > limits.maxArgs) {
    return [...violations, { path: `${path}.args`, message: `must have at most ${limits.maxArgs} arguments` }];
  }
  config.args.forEach((arg, i) => {
    const bytes = utf8Length(arg);
    total += bytes;
    if (bytes > limits.maxArgBytes) violations.push({ path: listItemPath(`${path}.args`, i), message: tooBig });
  });
  if (total > limits.maxCommandLineBytes) {
    violations.push({
      path: `${path}.args`,
      message: `command and arguments must total at most ${limits.maxCommandLineBytes} bytes`,
    });
  }
  return violations;
}

function validateEnv(env: Record<string, string>, limits: TestSpecLimits, path: string): FieldViolation[] {
  const entries = Object.entries(env);
  if (entries.length > limits.maxEnvEntries) {
    return [{ path, message: `must have at most ${limits.maxEnvEntries} entries` }];
  }
  const violations: FieldViolation[] = [];
  for (const [name, value] of entries) {
    const message =
      name.length > limits.maxEnvNameLength
        ? `name must be at most ${limits.maxEnvNameLength} characters`
        : !ENV_NAME.test(name)
          ? "name must consist of letters, digits and '_', and not start with a digit"
          : name.startsWith(RESERVED_ENV_PREFIX)
            ? `names starting with ${RESERVED_ENV_PREFIX} are reserved for tstr`
            : utf8Length(value) > limits.maxEnvValueBytes
              ? `value must be at most ${limits.maxEnvValueBytes} bytes`
              : undefined;
    if (message !== undefined) violations.push({ path: mapEntryPath(path, name), message });
  }
  return violations;
}

function validateFiles(files: RunConfig["files"], limits: TestSpecLimits, path: string): FieldViolation[] {
  if (files.length > limits.maxFiles) return [{ path, message: `must have at most ${limits.maxFiles} files` }];
  const violations: FieldViolation[] = [];
  const seen = new Set<string>();
  let total = 0;
  files.forEach((file, i) => {
    const item = listItemPath(path, i);
    const problem = seen.has(file.path)
      ? "duplicates an earlier file"
      : validateContainerPath(file.path, false, limits);
    if (problem !== undefined) violations.push({ path: `${item}.path`, message: problem });
    seen.add(file.path);
    const bytes = utf8Length(file.content);
    total += bytes;
    if (bytes > limits.maxFileBytes) {
      violations.push({ path: `${item}.content`, message: `must be at most ${limits.maxFileBytes} bytes` });
    }
  });
  if (total > limits.maxFilesTotalBytes) {
    violations.push({ path, message: `files must total at most ${limits.maxFilesTotalBytes} bytes` });
  }
  return violations;
}

/** Working and results directories are absolute; file paths are relative and stay below the work dir. */
function validateContainerPath(value: string, absolute: boolean, limits: TestSpecLimits): string | undefined {
  if (value === "") return "must not be empty";
  if (value.length > limits.maxPathLength) return `must be at most ${limits.maxPathLength} characters`;
  if (value.includes("\u0000")) return "must not contain NUL characters";
  if (absolute !== value.startsWith("/")) return absolute ? "must be an absolute path" : "must be a relative path";
  if (value.split("/").includes("..")) return "must not contain '..'";
  return undefined;
}

function checkRange(
  value: number | undefined,
  min: number,
  max: number,
  path: string,
  add: (path: string, message: string) => void,
): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < min || value > max) {
    add(path, `must be between ${formatDuration(min)} and ${formatDuration(max)}`);
  }
}
