import { MAX_RESULT_TEXT_BYTES, markTruncated, truncateUtf8 } from "./truncate-text.js";

/**
 * A result marker in a run's output: `\x1c\x1e key:value \x1e\x1c` (ASCII FS RS … RS FS), tstr's
 * way for a test that cannot write files to report result data. Each marker becomes a one-entry
 * record, ready for `mergeResultData`.
 */
export type Marker = Record<string, string>;

/** Finds markers in output that arrives in chunks, as the runner streams a container's logs. */
export interface MarkerScanner {
  /** Markers completed by this chunk, in order; a marker may have started in earlier chunks. */
  push(chunk: string): Marker[];
  /** Ends the stream. A marker still open is malformed and dropped, so this returns none. */
  end(): Marker[];
}

/** Most markers read from one run's output; the rest are ignored so output cannot flood data. */
export const MAX_MARKERS = 1_000;
/** Longest key accepted; a longer one marks a malformed marker. */
export const MAX_MARKER_KEY_CHARS = 256;

const START = "\x1c\x1e";
const END = "\x1e\x1c";
const FS = 0x1c;
const RS = 0x1e;
/** Body kept while waiting for the end: enough for any key plus a full-size value. */
const MAX_BODY_CHARS = MAX_RESULT_TEXT_BYTES + MAX_MARKER_KEY_CHARS + 1;

/**
 * Creates a scanner for one output stream. A start sequence inside an open marker restarts it,
 * so a stray FS RS cannot swallow the next real marker. Memory stays bounded: a marker's body
 * is kept up to 64 KiB plus the key, and a longer value is reported cut and marked truncated.
 * Markers without a `:` or with an empty or over-long key are ignored.
 */
export function createMarkerScanner(): MarkerScanner {
  let carry = "";
  let open = false;
  let body: string[] = [];
  let bodyLength = 0;
  let overflow = false;
  let count = 0;

  const append = (text: string) => {
    const room = MAX_BODY_CHARS - bodyLength;
    if (text.length > room) overflow = true;
    const kept = text.length > room ? text.slice(0, room) : text;
    if (kept.length > 0) body.push(kept);
    bodyLength += kept.length;
  };
  const openMarker = () => {
    open = true;
    body = [];
    bodyLength = 0;
    overflow = false;
  };

  function push(chunk: string): Marker[] {
    const found: Marker[] = [];
    if (count >= MAX_MARKERS) return found;
    const text = carry + chunk;
    carry = "";
    let position = 0;
    let nextStart = -2;
    let nextEnd = -2;
    while (position < text.length && count < MAX_MARKERS) {
      if (nextStart !== -1 && nextStart < position) nextStart = text.indexOf(START, position);
      if (!open) {
        if (nextStart < 0) break;
        openMarker();
        position = nextStart + START.length;
        continue;
      }
      if (nextEnd !== -1 && nextEnd < position) nextEnd = text.indexOf(END, position);
      if (nextEnd >= 0 && (nextStart < 0 || nextEnd < nextStart)) {
        append(text.slice(position, nextEnd));
        open = false;
        position = nextEnd + END.length;
        const marker = parseMarkerBody(body.join(""), overflow);
        if (marker !== undefined) {
          found.push(marker);
          count++;
        }
      } else if (nextStart >= 0) {
        openMarker();
        position = nextStart + START.length;
      } else {
        append(text.slice(position, endsWithHalfDelimiter(text, open) ? -1 : undefined));
        break;
      }
    }
    if (position < text.length && endsWithHalfDelimiter(text, open)) carry = text.slice(-1);
    return found;
  }

  function end(): Marker[] {
    carry = "";
    open = false;
    body = [];
    return [];
  }

  return { push, end };
}

/** Every marker in a complete text, exactly as a scanner fed the same text in pieces finds them. */
export function extractMarkers(text: string): Marker[] {
  const scanner = createMarkerScanner();
  return [...scanner.push(text), ...scanner.end()];
}

/** Whether the last character could begin the delimiter the scanner is waiting for. */
function endsWithHalfDelimiter(text: string, open: boolean): boolean {
  const last = text.charCodeAt(text.length - 1);
  return last === FS || (open && last === RS);
}

function parseMarkerBody(body: string, overflow: boolean): Marker | undefined {
  const colon = body.indexOf(":");
  if (colon < 0) return undefined;
  const key = body.slice(0, colon).trim();
  if (key === "" || key.length > MAX_MARKER_KEY_CHARS) return undefined;
  const value = body.slice(colon + 1).trim();
  return { [key]: overflow ? markTruncated(value) : truncateUtf8(value) };
}
