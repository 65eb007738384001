import { utf8Length } from "../utf8-length.js";
import { truncateUtf8 } from "./truncate-text.js";

/** Free-form result data of a run: flat string keys and values, as stored and queried. */
export type ResultData = Record<string, string>;

/** What `result.json` yielded, and what was wrong with it; a bad file never fails the run. */
export interface ParsedResultData {
  data: ResultData;
  problems: string[];
}

/** Most keys kept in a run's result data, from one file or merged from several sources. */
export const MAX_RESULT_DATA_KEYS = 1_000;
/** Largest `result.json` read, in UTF-8 bytes. */
export const MAX_RESULT_JSON_BYTES = 1024 * 1024;
/** Deepest nesting flattened; deeper values are dropped so keys stay readable. */
export const MAX_RESULT_DATA_DEPTH = 32;

type Pending = { key: string; value: unknown; depth: number };

/**
 * Reads a test's `result.json` into flat result data: nested objects become dotted keys
 * (`latency.p95`), arrays indexed keys (`runs[0].ok`), and numbers, booleans and null their
 * JSON text, so any JSON a test writes is storable and queryable as strings. Never throws:
 * invalid, oversized or non-object input gives empty data and a problem saying why. Keys that
 * collide after flattening (`{"a.b": 1, "a": {"b": 2}}`) keep the later value.
 */
export function parseResultJson(text: string): ParsedResultData {
  if (text.length > MAX_RESULT_JSON_BYTES || utf8Length(text) > MAX_RESULT_JSON_BYTES) {
    return { data: {}, problems: [`result.json is larger than ${MAX_RESULT_JSON_BYTES} bytes; ignored`] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    return { data: {}, problems: [`result.json is not valid JSON: ${(error as Error).message}`] };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    const kind = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : `a ${typeof parsed}`;
    return { data: {}, problems: [`result.json must hold a JSON object, not ${kind}`] };
  }
  return flatten(parsed as Record<string, unknown>);
}

/**
 * Merges result data from several sources (result.json, stdout markers, executor summaries);
 * later sources win. New keys beyond {@link MAX_RESULT_DATA_KEYS} are dropped, but a later
 * source can still override a kept key.
 */
export function mergeResultData(...sources: ResultData[]): ResultData {
  const merged = new Map<string, string>();
  for (const source of sources) {
    for (const [key, value] of Object.entries(source)) {
      if (merged.has(key) || merged.size < MAX_RESULT_DATA_KEYS) merged.set(key, value);
    }
  }
  return Object.fromEntries(merged);
}

function flatten(root: Record<string, unknown>): ParsedResultData {
  const data = new Map<string, string>();
  const truncated: string[] = [];
  const tooDeep: string[] = [];
  const problems: string[] = [];
  const stack: Pending[] = childrenOf(root, undefined, 1).reverse();
  while (stack.length > 0) {
    const { key, value, depth } = stack.pop() as Pending;
    if (data.size >= MAX_RESULT_DATA_KEYS) {
      problems.push(`more than ${MAX_RESULT_DATA_KEYS} keys; the rest were dropped`);
      break;
    }
    if (value === null || typeof value !== "object") {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      const capped = truncateUtf8(text);
      if (capped !== text) truncated.push(key);
      data.set(key, capped);
      continue;
    }
    const children = childrenOf(value, key, depth + 1);
    if (children.length === 0) data.set(key, Array.isArray(value) ? "[]" : "{}");
    else if (depth >= MAX_RESULT_DATA_DEPTH) tooDeep.push(key);
    else stack.push(...children.reverse());
  }
  if (truncated.length > 0) problems.unshift(`values over 64 KiB were truncated: ${sample(truncated)}`);
  if (tooDeep.length > 0)
    problems.unshift(`values nested over ${MAX_RESULT_DATA_DEPTH} levels were dropped: ${sample(tooDeep)}`);
  return { data: Object.fromEntries(data), problems };
}

/** At most one child more than the key cap, so the stack stays small and the cap is noticed. */
function childrenOf(value: object, prefix: string | undefined, depth: number): Pending[] {
  const limit = MAX_RESULT_DATA_KEYS + 1;
  if (Array.isArray(value)) {
    return value.slice(0, limit).map((item, index) => ({ key: `${prefix ?? ""}[${index}]`, value: item, depth }));
  }
  return Object.entries(value)
    .slice(0, limit)
    .map(([name, item]) => ({ key: prefix === undefined ? name : `${prefix}.${name}`, value: item, depth }));
}

function sample(keys: string[]): string {
  const shown = keys.slice(0, 5).join(", ");
  return keys.length > 5 ? `${shown} and ${keys.length - 5} more` : shown;
}
