import { RE2JS } from "re2js";

/** Longest accepted pattern. Label values are at most 63 characters; patterns need not be long. */
export const MAX_REGEX_LENGTH = 1024;
/**
 * Largest accepted sum of counted repetitions (`{n}`, `{n,m}`). RE2 compiles `x{1000}` into a
 * thousand copies of `x`, so a short pattern can otherwise cost seconds to compile.
 */
export const MAX_REGEX_REPEAT_TOTAL = 1000;
/**
 * Largest accepted RE2 program. Matching time grows with program size times input length; this
 * keeps the worst case around a millisecond per 63-character label value.
 */
export const MAX_REGEX_PROGRAM_SIZE = 1000;

/** A compiled regular expression that must match a whole value, evaluated in linear time. */
export interface AnchoredRegex {
  readonly pattern: string;
  test(value: string): boolean;
}

/** A pattern that is not a valid, acceptably small RE2 expression. */
export class InvalidRegexError extends Error {
  override readonly name = "InvalidRegexError";
}

const COUNTED_REPEAT = /\{(\d+)(?:,(\d*))?\}/g;

/**
 * Compiles `pattern` with RE2 semantics (via re2js) and full-match anchoring, so a hostile pattern
 * such as `(a+)+$` cannot backtrack and `a` never matches `ab`. The pattern is compiled on its
 * own rather than wrapped in `^(?:…)$`, so `a)|(b` is rejected instead of escaping the anchors.
 * Throws {@link InvalidRegexError} with RE2's reason.
 */
export function compileAnchoredRegex(pattern: string): AnchoredRegex {
  if (pattern.length > MAX_REGEX_LENGTH) {
    throw new InvalidRegexError(`regular expression is longer than ${MAX_REGEX_LENGTH} characters`);
  }
  if (countedRepeatTotal(pattern) > MAX_REGEX_REPEAT_TOTAL) {
    throw new InvalidRegexError(`regular expression repeats more than ${MAX_REGEX_REPEAT_TOTAL} times in total`);
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    throw new InvalidRegexError(describeRe2Error(error));
  }
  if (compiled.programSize() > MAX_REGEX_PROGRAM_SIZE) {
    throw new InvalidRegexError("regular expression is too complex");
  }
  return { pattern, test: (value) => compiled.matches(value) };
}

/** Returns why `pattern` is not accepted, or undefined; for validation paths that do not throw. */
export function validateRegex(pattern: string): string | undefined {
  try {
    compileAnchoredRegex(pattern);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidRegexError) return error.message;
    throw error;
  }
}

function countedRepeatTotal(pattern: string): number {
  let total = 0;
  for (const match of pattern.matchAll(COUNTED_REPEAT)) {
    const max = match[2] === undefined || match[2] === "" ? match[1] : match[2];
    total += Number(max);
  }
  return total;
}

function describeRe2Error(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^error parsing regexp: /, "");
}
