import { validateNamespace } from "./namespace.js";
import { RESERVED_ENV_PREFIX } from "./run-config.js";
import { DEFAULT_LIMITS } from "./test-spec-limits.js";
import { utf8Length } from "./utf8-length.js";
import { type FieldViolation, listItemPath, mapEntryPath } from "./validation-error.js";

/** How the runner reads what an executor's workload leaves in the results directory. */
export type ResultParser = "JUNIT" | "K6_SUMMARY" | "K6_NDJSON" | "RESULT_JSON";

/** Every result parser, in the proto enum's order. */
export const RESULT_PARSERS: readonly ResultParser[] = ["JUNIT", "K6_SUMMARY", "K6_NDJSON", "RESULT_JSON"];

/**
 * A named executor preset (k6, newman, …): the image, command and result parsing a test naming it
 * starts from. `namespace` undefined means global: visible in every namespace. Independent of
 * proto and database shapes.
 */
export interface ExecutorSpec {
  namespace?: string;
  name: string;
  description?: string;
  image: string;
  command: string[];
  args: string[];
  /** File extensions a test may supply (".js"); empty accepts any. */
  acceptedFileTypes: string[];
  env: Record<string, string>;
  resultParsers: ResultParser[];
  /**
   * Where the workload writes JUnit XML (a file or a folder), relative to the results directory;
   * always under `junit/`, which the runner collects.
   */
  junitPath?: string;
  /** A short icon name or an image URL, for the UI. */
  icon?: string;
}

/** Options of {@link validateExecutorSpec}. */
export interface ExecutorSpecRules {
  /**
   * Whether an image is required (default true). Only the built-in `generic` executor goes
   * without one: every test using it supplies its own image.
   */
  requireImage?: boolean;
}

/** Longest executor name: a DNS label, so it can name a container or a Kubernetes object. */
export const MAX_EXECUTOR_NAME_LENGTH = 63;
/** Most accepted file types an executor may list. */
export const MAX_ACCEPTED_FILE_TYPES = 32;
/** Longest icon (a name or a URL). */
export const MAX_ICON_LENGTH = 2048;

// The same rule as TestSpec.executor, so every executor name can be referenced by a test.
const EXECUTOR_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const FILE_TYPE = /^\.[A-Za-z0-9][A-Za-z0-9._+-]{0,15}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const IMAGE_CHARS = /^[!-~]+$/;
const CONTROL_CHARS = /\p{Cc}/u;

/**
 * Validates an executor definition and returns every violation with proto field paths
 * (`accepted_file_types[1]`, `env["1BAD"]`), so ApplyExecutor answers InvalidArgument listing all
 * problems at once. Size limits are the test definition's (DEFAULT_LIMITS).
 */
export function validateExecutorSpec(spec: ExecutorSpec, rules: ExecutorSpecRules = {}): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const add = (path: string, message: string) => violations.push({ path, message });
  const nameProblem = validateExecutorName(spec.name);
  if (nameProblem !== undefined) add("name", nameProblem);
  if (spec.namespace !== undefined) violations.push(...validateNamespace(spec.namespace));
  if ((spec.description ?? "").length > DEFAULT_LIMITS.maxDescriptionLength) {
    add("description", `must be at most ${DEFAULT_LIMITS.maxDescriptionLength} characters`);
  }
  const imageProblem = validateImage(spec.image, rules.requireImage ?? true);
  if (imageProblem !== undefined) add("image", imageProblem);
  violations.push(...validateCommandLine(spec.command, spec.args));
  violations.push(...validateFileTypes(spec.acceptedFileTypes));
  violations.push(...validateExecutorEnv(spec.env));
  violations.push(...validateParsers(spec.resultParsers));
  if (spec.junitPath !== undefined) {
    const problem = validateJunitPath(spec.junitPath);
    if (problem !== undefined) add("junit_path", problem);
    else if (!spec.resultParsers.includes("JUNIT"))
      add("junit_path", "is set, but result_parsers does not include JUNIT");
  }
  if (spec.icon !== undefined && spec.icon.length > MAX_ICON_LENGTH) {
    add("icon", `must be at most ${MAX_ICON_LENGTH} characters`);
  } else if (spec.icon !== undefined && CONTROL_CHARS.test(spec.icon)) {
    add("icon", "must not contain control characters");
  }
  return violations;
}

/**
 * Checks an executor name: lowercase letters, digits and `-`, starting and ending alphanumeric,
 * at most 63 characters — what TestSpec.executor accepts. Returns a reason, or undefined.
 */
export function validateExecutorName(name: string): string | undefined {
  if (name.length === 0) return "is required";
  if (name.length > MAX_EXECUTOR_NAME_LENGTH) return `must be at most ${MAX_EXECUTOR_NAME_LENGTH} characters`;
  if (!EXECUTOR_NAME.test(name)) {
    return "must consist of lowercase letters, digits and '-', and start and end with a letter or digit (e.g. k6, my-newman)";
  }
  return undefined;
}

function validateImage(image: string, required: boolean): string | undefined {
  if (image === "") return required ? "is required" : undefined;
  if (image.length > DEFAULT_LIMITS.maxImageLength)
    return `must be at most ${DEFAULT_LIMITS.maxImageLength} characters`;
  return IMAGE_CHARS.test(image) ? undefined : "must be printable ASCII without whitespace";
}

function validateCommandLine(command: string[], args: string[]): FieldViolation[] {
  const { maxArgs, maxArgBytes, maxCommandLineBytes } = DEFAULT_LIMITS;
  const violations: FieldViolation[] = [];
  let total = 0;
  for (const [field, list] of [
    ["command", command],
    ["args", args],
  ] as const) {
    if (list.length > maxArgs) {
      violations.push({ path: field, message: `must have at most ${maxArgs} entries` });
      continue;
    }
    list.forEach((item, i) => {
      const bytes = utf8Length(item);
      total += bytes;
      if (bytes > maxArgBytes)
        violations.push({ path: listItemPath(field, i), message: `must be at most ${maxArgBytes} bytes` });
      else if (field === "command" && item === "")
        violations.push({ path: listItemPath(field, i), message: "must not be empty" });
    });
  }
  if (total > maxCommandLineBytes) {
    violations.push({ path: "args", message: `command and args must total at most ${maxCommandLineBytes} bytes` });
  }
  return violations;
}

function validateFileTypes(types: string[]): FieldViolation[] {
  if (types.length > MAX_ACCEPTED_FILE_TYPES) {
    return [{ path: "accepted_file_types", message: `must list at most ${MAX_ACCEPTED_FILE_TYPES} file types` }];
  }
  const violations: FieldViolation[] = [];
  const seen = new Set<string>();
  types.forEach((type, i) => {
    const message = !FILE_TYPE.test(type)
      ? `${JSON.stringify(type)} is not a file extension such as ".js" (a dot, then at most 16 letters, digits, '.', '_', '+' or '-')`
      : seen.has(type.toLowerCase())
        ? `${JSON.stringify(type)} is listed twice`
        : undefined;
    seen.add(type.toLowerCase());
    if (message !== undefined) violations.push({ path: listItemPath("accepted_file_types", i), message });
  });
  return violations;
}

function validateExecutorEnv(env: Record<string, string>): FieldViolation[] {
  const { maxEnvEntries, maxEnvNameLength, maxEnvValueBytes } = DEFAULT_LIMITS;
  const entries = Object.entries(env);
  if (entries.length > maxEnvEntries) return [{ path: "env", message: `must have at most ${maxEnvEntries} entries` }];
  const violations: FieldViolation[] = [];
  for (const [name, value] of entries) {
    const message =
      name.length > maxEnvNameLength
        ? `name must be at most ${maxEnvNameLength} characters`
        : !ENV_NAME.test(name)
          ? "name must consist of letters, digits and '_', and not start with a digit"
          : name.startsWith(RESERVED_ENV_PREFIX)
            ? `names starting with ${RESERVED_ENV_PREFIX} are reserved for tstr`
            : utf8Length(value) > maxEnvValueBytes
              ? `value must be at most ${maxEnvValueBytes} bytes`
              : undefined;
    if (message !== undefined) violations.push({ path: mapEntryPath("env", name), message });
  }
  return violations;
}

function validateParsers(parsers: ResultParser[]): FieldViolation[] {
  const violations: FieldViolation[] = [];
  parsers.forEach((parser, i) => {
    const path = listItemPath("result_parsers", i);
    if (!RESULT_PARSERS.includes(parser))
      violations.push({ path, message: `must be one of ${RESULT_PARSERS.join(", ")}` });
    else if (parsers.indexOf(parser) < i) violations.push({ path, message: `${parser} is listed twice` });
  });
  return violations;
}

function validateJunitPath(path: string): string | undefined {
  if (path === "") return "must not be empty";
  if (path.length > DEFAULT_LIMITS.maxPathLength) return `must be at most ${DEFAULT_LIMITS.maxPathLength} characters`;
  if (CONTROL_CHARS.test(path)) return "must not contain control characters";
  if (path.startsWith("/")) return "must be a path relative to the results directory, such as junit/report.xml";
  if (path.split("/").includes("..")) return "must not contain '..'";
  if (path !== "junit" && !path.startsWith("junit/"))
    return "must be under junit/ in the results directory, where the runner collects JUnit reports (e.g. junit/report.xml)";
  return undefined;
}
