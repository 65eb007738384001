import { utf8Length } from "../utf8-length.js";

/**
 * Largest size, in UTF-8 bytes, of any single text the runner reports from a run's results
 * (a JUnit message or output, a marker or result.json value): big enough for a stack trace,
 * small enough that one chatty test cannot bloat the run row or a report message.
 */
export const MAX_RESULT_TEXT_BYTES = 64 * 1024;

/** Appended to text that was cut, so a reader knows it is not the whole story. */
export const TRUNCATION_SUFFIX = "… [truncated]";

const SUFFIX_BYTES = utf8Length(TRUNCATION_SUFFIX);

/**
 * Returns `text` unchanged when it fits in `maxBytes` of UTF-8, else cut with
 * {@link TRUNCATION_SUFFIX}. Cutting is by bytes, not characters, because the limits protect
 * storage and message sizes, which are counted in bytes.
 */
export function truncateUtf8(text: string, maxBytes: number = MAX_RESULT_TEXT_BYTES): string {
  if (text.length * 3 <= maxBytes || utf8Length(text) <= maxBytes) return text;
  return markTruncated(text, maxBytes);
}

/**
 * Cuts `text` so that it plus {@link TRUNCATION_SUFFIX} fits in `maxBytes`, and appends the
 * suffix even when nothing had to go: for callers that already dropped the tail themselves.
 * Never splits a surrogate pair.
 */
export function markTruncated(text: string, maxBytes: number = MAX_RESULT_TEXT_BYTES): string {
  const budget = Math.max(0, maxBytes - SUFFIX_BYTES);
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    const pair = code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(end + 1));
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > budget) break;
    bytes += size;
    end += pair ? 2 : 1;
  }
  return `${text.slice(0, end)}${TRUNCATION_SUFFIX}`;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
