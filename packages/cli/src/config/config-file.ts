import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { CliError } from "../cli-error.js";

/** Connection settings stored under a name. */
export interface ContextEntry {
  addr?: string;
  token?: string;
  namespace?: string;
}

/** The config file: `{ currentContext, contexts: { name: { addr, token, namespace } } }`. */
export interface CliConfig {
  currentContext?: string;
  contexts: Record<string, ContextEntry>;
}

/** `$TSTR_CONFIG` (relative to `cwd`), else `<home>/.config/tstr/config.yaml`. */
export function configFilePath(env: Record<string, string | undefined>, homeDir: string, cwd: string): string {
  return env.TSTR_CONFIG ? resolve(cwd, env.TSTR_CONFIG) : join(homeDir, ".config", "tstr", "config.yaml");
}

/** Reads the config file; a missing file is an empty config. Malformed content is an error. */
export async function loadConfig(path: string): Promise<CliConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { contexts: {} };
    throw new CliError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new CliError(`config file ${path} is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  return validateConfig(value, path);
}

/**
 * Writes the config file with mode 0600 (it holds tokens): a temporary file created 0600 is
 * renamed over the old one, so the file is never briefly readable by others or half-written.
 */
export async function saveConfig(path: string, config: CliConfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, stringify(config), { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

function validateConfig(value: unknown, path: string): CliConfig {
  if (value === null || value === undefined) return { contexts: {} };
  const problem = (what: string) =>
    new CliError(`config file ${path}: ${what}`, {
      hint: "expected { currentContext: NAME, contexts: { NAME: { addr, token, namespace } } }",
    });
  if (!isRecord(value)) throw problem("expected a mapping at the top level");
  const { currentContext, contexts = {} } = value;
  if (currentContext !== undefined && currentContext !== null && typeof currentContext !== "string") {
    throw problem("currentContext must be a string");
  }
  if (!isRecord(contexts)) throw problem("contexts must be a mapping of names to settings");
  const entries: Record<string, ContextEntry> = {};
  for (const [name, entry] of Object.entries(contexts)) {
    if (!isRecord(entry)) throw problem(`contexts.${name} must be a mapping`);
    for (const key of ["addr", "token", "namespace"] as const) {
      const setting = entry[key];
      if (setting !== undefined && setting !== null && typeof setting !== "string") {
        throw problem(`contexts.${name}.${key} must be a string`);
      }
    }
    entries[name] = pickStrings(entry);
  }
  return { ...(typeof currentContext === "string" ? { currentContext } : {}), contexts: entries };
}

function pickStrings(entry: Record<string, unknown>): ContextEntry {
  const out: ContextEntry = {};
  for (const key of ["addr", "token", "namespace"] as const) {
    const setting = entry[key];
    if (typeof setting === "string" && setting !== "") out[key] = setting;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
