import type { ExecutorSpec } from "./executor-spec.js";
import type { RunConfig } from "./run-config.js";
import { type FieldViolation, listItemPath } from "./validation-error.js";

/**
 * Executors the runner implements itself rather than through the catalog's image and command:
 * k6 needs execution segments for shards, option flags and its own report parsing. The catalog
 * entry still documents them and still decides which files a test may supply.
 */
export const RUNNER_PRESET_EXECUTORS: readonly string[] = ["k6"];

/** Whether `path` has one of `types` (".json", ".cy.js"; case-insensitive); no types accepts any file. */
export function fileTypeAccepted(path: string, types: readonly string[]): boolean {
  if (types.length === 0) return true;
  const lower = path.toLowerCase();
  return types.some((type) => lower.endsWith(type.toLowerCase()));
}

/**
 * What a test naming `executor` may not do: supply a file of a type the executor does not accept,
 * or leave the image empty when the executor has none either. Paths are proto field paths.
 */
export function checkTestAgainstExecutor(
  runConfig: RunConfig,
  executor: ExecutorSpec,
  path = "run_config",
): FieldViolation[] {
  const violations: FieldViolation[] = [];
  runConfig.files.forEach((file, i) => {
    if (fileTypeAccepted(file.path, executor.acceptedFileTypes)) return;
    violations.push({
      path: `${listItemPath(`${path}.files`, i)}.path`,
      message: `${JSON.stringify(file.path)} is not a file type executor ${executor.name} accepts (${executor.acceptedFileTypes.join(", ")})`,
    });
  });
  if (runConfig.image === "" && executor.image === "") {
    violations.push({
      path: `${path}.container_image`,
      message: `is required: executor ${executor.name} supplies no image`,
    });
  }
  return violations;
}

/**
 * The file an executor runs when the test gives no arguments: the test's first file of the
 * executor's first accepted type (a newman collection, a JMeter plan, a pytest module).
 */
export function entryFile(runConfig: RunConfig, executor: ExecutorSpec): string | undefined {
  const primary = executor.acceptedFileTypes[0];
  if (primary === undefined) return undefined;
  return runConfig.files.find((file) => fileTypeAccepted(file.path, [primary]))?.path;
}

/**
 * The run config a run of a test naming `executor` gets: the test's image, else the executor's;
 * the test's own command line if it sets a command, else the executor's command and args followed
 * by the test's args — or, when the test gives none, by its entry file; the executor's env under
 * the test's (the test wins). Runner presets (k6) are left to the runner.
 */
export function applyExecutor(runConfig: RunConfig, executor: ExecutorSpec): RunConfig {
  if (RUNNER_PRESET_EXECUTORS.includes(executor.name)) return runConfig;
  const image = runConfig.image || executor.image;
  const env = { ...executor.env, ...runConfig.env };
  if (runConfig.command !== "" || executor.command.length === 0) {
    return {
      ...runConfig,
      image,
      env,
      args: runConfig.command ? runConfig.args : [...executor.args, ...runConfig.args],
    };
  }
  const [command = "", ...rest] = executor.command;
  const entry = runConfig.args.length === 0 ? entryFile(runConfig, executor) : undefined;
  return {
    ...runConfig,
    image,
    env,
    command,
    args: [...rest, ...executor.args, ...runConfig.args, ...(entry !== undefined ? [entry] : [])],
  };
}
