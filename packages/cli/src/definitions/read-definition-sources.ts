import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join, relative, resolve } from "node:path";
import { parseDocuments } from "./parse-documents.js";

/** One document and the file (as the user named it) it came from. */
export interface SourceDocument {
  file: string;
  index: number;
  value: unknown;
}

/** A file, or one document of it, that could not be read. */
export interface SourceProblem {
  file: string;
  index?: number;
  message: string;
}

/** Everything read from the `-f` arguments. */
export interface DefinitionSources {
  documents: SourceDocument[];
  problems: SourceProblem[];
}

/** Where `-f` arguments are resolved and how `-f -` reads standard input. */
export interface SourceOptions {
  cwd: string;
  readStdin?: () => Promise<string>;
}

const DEFINITION_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/**
 * Reads definition documents from files, directories (every *.yaml, *.yml and *.json below them,
 * recursively, sorted, hidden entries skipped) and `-` (standard input, YAML or JSON). Problems are
 * collected rather than thrown, so every unreadable file is reported at once.
 */
export async function readDefinitionSources(
  paths: readonly string[],
  options: SourceOptions,
): Promise<DefinitionSources> {
  const sources: DefinitionSources = { documents: [], problems: [] };
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
      try {
        addText(sources, file, await readFile(absolute, "utf8"));
      } catch (error) {
        sources.problems.push({ file, message: fileError(error) });
      }
    }
  }
  return sources;
}

async function expandPath(path: string, cwd: string, sources: DefinitionSources): Promise<string[]> {
  try {
    const info = await stat(resolve(cwd, path));
    if (!info.isDirectory()) return [path];
    const files = await listDefinitionFiles(resolve(cwd, path));
    if (files.length === 0) sources.problems.push({ file: path, message: "no .yaml, .yml or .json files found" });
    return files.map((file) => join(path, relative(resolve(cwd, path), file)));
  } catch (error) {
    sources.problems.push({ file: path, message: fileError(error) });
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

async function addStdin(sources: DefinitionSources, options: SourceOptions): Promise<void> {
  if (!options.readStdin) {
    sources.problems.push({
      file: "<stdin>",
      message: "reading definitions from standard input is not available here",
    });
    return;
  }
  addText(sources, "<stdin>", await options.readStdin());
}

function addText(sources: DefinitionSources, file: string, text: string): void {
  const parsed = parseDocuments(text, extname(file).toLowerCase() === ".json" ? "json" : "yaml");
  for (const document of parsed.documents) sources.documents.push({ file, ...document });
  for (const problem of parsed.problems) sources.problems.push({ file, ...problem });
}

function fileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}
