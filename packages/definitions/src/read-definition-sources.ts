import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join, relative, resolve } from "node:path";
import type { DefinitionProblem } from "./definition-problem.js";
import type { DefinitionText } from "./parse-definition-texts.js";

/** The texts of every definition file found, and the paths that could not be read. */
export interface DefinitionSources {
  texts: DefinitionText[];
  problems: DefinitionProblem[];
}

/** Where `-f` arguments are resolved and how `-f -` reads standard input. */
export interface SourceOptions {
  cwd: string;
  readStdin?: () => Promise<string>;
}

const DEFINITION_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/**
 * Reads definition files named by `-f` arguments: files, directories (every *.yaml, *.yml and
 * *.json below them, recursively, sorted, hidden entries skipped) and `-` (standard input, YAML
 * or JSON). Files are named as the user wrote them. Problems are collected rather than thrown,
 * so every unreadable path is reported at once; an empty directory is a problem too.
 */
export async function readDefinitionSources(
  paths: readonly string[],
  options: SourceOptions,
): Promise<DefinitionSources> {
  const sources: DefinitionSources = { texts: [], problems: [] };
  const seen = new Set<string>();
  for (const path of paths) {
    if (path === "-") {
      await addStdin(sources, options);
      continue;
    }
    for (const file of await expandPath(path, options.cwd, sources)) {
      const absolute = resolve(options.cwd, file);
      if (seen.has(absolute)) continue;
      seen.add(absolute);
      await addFile(sources, file, absolute);
    }
  }
  return sources;
}

/**
 * Reads every definition file below `directory` (recursively, sorted, hidden entries skipped),
 * naming each by its path relative to the directory. An empty directory yields no texts and no
 * problem (the folder sync decides what that means), while an unreadable or missing directory is
 * a problem (and must never be mistaken for an empty one).
 */
export async function readDefinitionFolder(directory: string): Promise<DefinitionSources> {
  const sources: DefinitionSources = { texts: [], problems: [] };
  let files: string[];
  try {
    files = await listDefinitionFiles(directory);
  } catch (error) {
    sources.problems.push({ file: directory, field: "", message: fileError(error) });
    return sources;
  }
  for (const absolute of files) await addFile(sources, relative(directory, absolute), absolute);
  return sources;
}

async function expandPath(path: string, cwd: string, sources: DefinitionSources): Promise<string[]> {
  try {
    const info = await stat(resolve(cwd, path));
    if (!info.isDirectory()) return [path];
    const files = await listDefinitionFiles(resolve(cwd, path));
    if (files.length === 0) {
      sources.problems.push({ file: path, field: "", message: "no .yaml, .yml or .json files found" });
    }
    return files.map((file) => join(path, relative(resolve(cwd, path), file)));
  } catch (error) {
    sources.problems.push({ file: path, field: "", message: fileError(error) });
    return [];
  }
}

async function listDefinitionFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await listDefinitionFiles(path)));
    else if (DEFINITION_EXTENSIONS.has(extname(entry.name).toLowerCase())) files.push(path);
  }
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function addFile(sources: DefinitionSources, file: string, absolute: string): Promise<void> {
  try {
    sources.texts.push({ file, content: await readFile(absolute, "utf8") });
  } catch (error) {
    sources.problems.push({ file, field: "", message: fileError(error) });
  }
}

async function addStdin(sources: DefinitionSources, options: SourceOptions): Promise<void> {
  if (!options.readStdin) {
    sources.problems.push({
      file: "<stdin>",
      field: "",
      message: "reading definitions from standard input is not available here",
    });
    return;
  }
  sources.texts.push({ file: "<stdin>", content: await options.readStdin() });
}

function fileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  if (code === "ENOTDIR") return "not a directory";
  return error instanceof Error ? error.message : String(error);
}
