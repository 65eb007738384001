import { parseAllDocuments, visit } from "yaml";
import { YamlScalar } from "./yaml-scalar.js";

/** One document of a definition file; `index` counts from 1 in file order. */
export interface ParsedDocument {
  index: number;
  value: unknown;
}

/** A document (or the whole file, without an index) that could not be parsed. */
export interface ParseProblem {
  index?: number;
  message: string;
}

/** The documents of one file and what could not be read. */
export interface ParsedFile {
  documents: ParsedDocument[];
  problems: ParseProblem[];
  /** How many document positions were seen, including empty ones. */
  counted?: number;
}

/**
 * Splits a definition file into documents: YAML `---` streams, a JSON object, or a JSON (or YAML)
 * top-level array whose elements are documents. Empty YAML documents are skipped but still
 * counted, so indices match what the author sees.
 */
export function parseDocuments(text: string, format: "json" | "yaml"): ParsedFile {
  return format === "json" ? parseJson(text) : parseYaml(text);
}

function parseJson(text: string): ParsedFile {
  const file: ParsedFile = { documents: [], problems: [] };
  try {
    addDocuments(file, JSON.parse(text));
  } catch (error) {
    file.problems.push({ message: `invalid JSON: ${(error as Error).message}` });
  }
  return file;
}

function parseYaml(text: string): ParsedFile {
  const file: ParsedFile = { documents: [], problems: [] };
  for (const doc of parseAllDocuments(text, { customTags: ["binary"] })) {
    const [error] = doc.errors;
    if (error) {
      const index = nextIndex(file);
      file.problems.push({ index, message: `invalid YAML: ${error.message.split("\n")[0]}` });
      continue;
    }
    visit(doc, {
      Scalar(key, node) {
        if (key === "key" || (typeof node.value !== "number" && typeof node.value !== "boolean")) return;
        node.value = new YamlScalar(node.value, node.source ?? String(node.value));
      },
    });
    addDocuments(file, doc.toJS());
  }
  return file;
}

function addDocuments(file: ParsedFile, value: unknown): void {
  for (const item of Array.isArray(value) ? value : [value]) {
    const index = nextIndex(file);
    if (item !== undefined && item !== null) file.documents.push({ index, value: item });
  }
}

/** Documents and unparsable documents share one numbering; skipped empty ones still count. */
function nextIndex(file: ParsedFile): number {
  file.counted = (file.counted ?? 0) + 1;
  return file.counted;
}
