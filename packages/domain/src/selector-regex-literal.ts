/**
 * How a regular expression is written inside selector text (`k~=re`). A regex usually contains
 * no top-level comma, so it may be written bare: it runs to the next `,` that is outside
 * parentheses, a character class, a `{n,m}` repetition and a `\Q…\E` quote, or to an unmatched
 * `)`. Anything else can be written in double quotes, where `\"` is a quote, `\\` a backslash,
 * and any other backslash is kept as is (so `"\d+"` is the pattern `\d+`).
 */

const COUNTED_REPEAT = /\{\d+(?:,\d*)?\}/y;

/** Returns the offset just past a bare regex that starts at `start`. */
export function scanBareRegex(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const char = text[i];
    if (char === "\\") {
      i = text[i + 1] === "Q" ? skipQuote(text, i + 2) : i + 2;
    } else if (char === "[") {
      i = skipClass(text, i);
    } else if (char === "{") {
      COUNTED_REPEAT.lastIndex = i;
      i = COUNTED_REPEAT.test(text) ? COUNTED_REPEAT.lastIndex : i + 1;
    } else if (char === "(") {
      depth++;
      i++;
    } else if (char === ")") {
      if (depth === 0) return i;
      depth--;
      i++;
    } else if (char === "," && depth === 0) {
      return i;
    } else {
      i++;
    }
  }
  return Math.min(i, text.length);
}

/** Reads a quoted regex whose opening `"` is at `start`; undefined when it is not closed. */
export function scanQuotedRegex(text: string, start: number): { pattern: string; end: number } | undefined {
  let pattern = "";
  for (let i = start + 1; i < text.length; i++) {
    const char = text[i];
    if (char === '"') return { pattern, end: i + 1 };
    if (char === "\\" && (text[i + 1] === '"' || text[i + 1] === "\\")) {
      pattern += text[i + 1];
      i++;
    } else {
      pattern += char;
    }
  }
  return undefined;
}

/** Writes `pattern` bare when it reads back unchanged that way, and quoted otherwise. */
export function formatRegexLiteral(pattern: string): string {
  const bare =
    pattern !== "" &&
    !pattern.startsWith('"') &&
    !isSelectorSpace(pattern[0]) &&
    !isSelectorSpace(pattern[pattern.length - 1]) &&
    scanBareRegex(`${pattern},`, 0) === pattern.length;
  return bare ? pattern : `"${pattern.replace(/[\\"]/g, "\\$&")}"`;
}

/** Whitespace allowed between selector tokens. */
export function isSelectorSpace(char: string | undefined): boolean {
  return char === " " || char === "\t" || char === "\n" || char === "\r";
}

function skipQuote(text: string, from: number): number {
  const end = text.indexOf("\\E", from);
  return end < 0 ? text.length : end + 2;
}

function skipClass(text: string, open: number): number {
  let i = open + 1;
  if (text[i] === "^") i++;
  if (text[i] === "]") i++;
  while (i < text.length) {
    const char = text[i];
    if (char === "\\") {
      i += 2;
    } else if (char === "[" && text[i + 1] === ":") {
      const end = text.indexOf(":]", i + 2);
      i = end < 0 ? i + 1 : end + 2;
    } else if (char === "]") {
      return i + 1;
    } else {
      i++;
    }
  }
  return text.length;
}
