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
 * lack the entry file the executor runs, or leave the image empty when the executor has none
 * either. Paths are proto field paths.
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
  if (runConfig.command === "" && usesEntryFile(executor) && entryFile(runConfig, executor) === undefined) {
    violations.push({
      path: `${path}.files`,
      message: `executor ${executor.name} runs a ${executor.acceptedFileTypes[0]} file of the test: add one (or set run_config.command)`,
    });
  }
  if (runConfig.image === "" && executor.image === "") {
    violations.push({
      path: `${path}.container_image`,
      message: `is required: executor ${executor.name} supplies no image`,
    });
  }
  return violations;
}

/**
 * Written in an executor's command or args where the test's entry file goes (newman's collection,
 * JMeter's plan): the test's first file of the executor's first accepted type. Resolved when runs
 * are scheduled. Executors without it (pytest, Playwright) discover the test files themselves.
 */
export const ENTRY_FILE_REF = "$(TSTR_ENTRY_FILE)";

/** Whether the executor runs a file the test supplies (its command or args hold ENTRY_FILE_REF). */
export function usesEntryFile(executor: ExecutorSpec): boolean {
  return [...executor.command, ...executor.args].some((part) => part.includes(ENTRY_FILE_REF));
}

/** The test's entry file for `executor`: its first file of the executor's first accepted type. */
export function entryFile(runConfig: RunConfig, executor: ExecutorSpec): string | undefined {
  const primary = executor.acceptedFileTypes[0];
  if (primary === undefined) return undefined;
  return runConfig.files.find((file) => fileTypeAccepted(file.path, [primary]))?.path;
}

/**
 * The run config a run of a test naming `executor` gets: the test's image, else the executor's;
 * the test's own command line if it sets a command, else the executor's command and args (the
 * entry file in place of ENTRY_FILE_REF) followed by the test's args; the executor's env under the
 * test's (the test wins). Runner presets (k6) are left to the runner.
 */
export function applyExecutor(runConfig: RunConfig, executor: ExecutorSpec): RunConfig {
  if (RUNNER_PRESET_EXECUTORS.includes(executor.name)) return runConfig;
  const image = runConfig.image || executor.image;
  const env = { ...executor.env, ...runConfig.env };
  if (runConfig.command !== "") return { ...runConfig, image, env };
  const entry = entryFile(runConfig, executor);
  const resolve = (parts: string[]) =>
    parts.flatMap((part) =>
      !part.includes(ENTRY_FILE_REF) ? [part] : entry === undefined ? [] : [part.replaceAll(ENTRY_FILE_REF, entry)],
    );
  const [command = "", ...rest] = resolve(executor.command);
  return { ...runConfig, image, env, command, args: [...rest, ...resolve(executor.args), ...runConfig.args] };
}
