import { type AnchoredRegex, compileAnchoredRegex, InvalidRegexError } from "./anchored-regex.js";
import { validateLabelKey, validateLabelValue } from "./labels.js";
import type { Requirement, Selector } from "./selector.js";
import { isSelectorSpace, scanBareRegex, scanQuotedRegex } from "./selector-regex-literal.js";

/** Longest accepted selector text; parsing is linear, this only bounds stored and echoed text. */
export const MAX_SELECTOR_LENGTH = 16 * 1024;

/**
 * Selector text that cannot be parsed. `position` is the 0-based offset of the offending token in
 * the text, so a UI or CLI can underline it. The message reads like
 * `unexpected ")" at position 7: expected a label key`.
 */
export class SelectorSyntaxError extends Error {
  override readonly name = "SelectorSyntaxError";

  constructor(
    problem: string,
    readonly position: number,
    detail?: string,
  ) {
    super(`${problem} at position ${position}${detail === undefined ? "" : `: ${detail}`}`);
  }
}

const KEY_CHAR = /[A-Za-z0-9._/-]/;
const VALUE_CHAR = /[A-Za-z0-9._-]/;
const OPERATORS = "=, ==, !=, in, notin, ~= or !~";

/**
 * Parses selector text such as `env=prod, tier in (web,api), !canary, region~=eu-.*` (see
 * {@link Requirement} for the full grammar). An empty or blank string matches everything.
 * Throws {@link SelectorSyntaxError} naming the offending token and its position, including for
 * invalid label keys or values and invalid or oversized regexes.
 */
export function parseSelector(text: string): Selector {
  if (text.length > MAX_SELECTOR_LENGTH) {
    throw new SelectorSyntaxError(
      "selector too long",
      MAX_SELECTOR_LENGTH,
      `at most ${MAX_SELECTOR_LENGTH} characters are allowed`,
    );
  }
  const parser = new SelectorParser(text);
  return { requirements: parser.parseRequirements(), source: text };
}

class SelectorParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseRequirements(): Requirement[] {
    const requirements: Requirement[] = [];
    this.skipSpace();
    if (this.atEnd()) return requirements;
    for (;;) {
      requirements.push(this.parseRequirement());
      this.skipSpace();
      if (this.atEnd()) return requirements;
      if (this.peek() !== ",") this.fail('"," or end of selector');
      this.pos++;
      this.skipSpace();
    }
  }

  private parseRequirement(): Requirement {
    if (this.peek() === "!") {
      this.pos++;
      this.skipSpace();
      return { operator: "notExists", key: this.parseKey() };
    }
    const key = this.parseKey();
    this.skipSpace();
    const char = this.peek();
    if (this.atEnd() || char === ",") return { operator: "exists", key };
    if (char === "=") {
      this.pos += this.text[this.pos + 1] === "=" ? 2 : 1;
      return { operator: "equals", key, value: this.parseValue() };
    }
    if (this.startsWith("!=")) {
      this.pos += 2;
      return { operator: "notEquals", key, value: this.parseValue() };
    }
    if (this.startsWith("~=") || this.startsWith("!~")) {
      const operator = char === "~" ? "matches" : "notMatches";
      this.pos += 2;
      return { operator, key, regex: this.parseRegex() };
    }
    const word = this.readWhile(KEY_CHAR);
    if (word === "in" || word === "notin") {
      return { operator: word === "in" ? "in" : "notIn", key, values: this.parseValueSet() };
    }
    this.pos -= word.length;
    return this.fail(`an operator (${OPERATORS}), "," or end of selector`);
  }

  private parseKey(): string {
    const start = this.pos;
    const key = this.readWhile(KEY_CHAR);
    if (key === "") this.fail("a label key");
    const problem = validateLabelKey(key);
    if (problem !== undefined) throw new SelectorSyntaxError(`invalid label key "${key}"`, start, problem);
    return key;
  }

  private parseValue(): string {
    this.skipSpace();
    const start = this.pos;
    const value = this.readWhile(VALUE_CHAR);
    const problem = validateLabelValue(value);
    if (problem !== undefined) throw new SelectorSyntaxError(`invalid label value "${value}"`, start, problem);
    return value;
  }

  private parseValueSet(): string[] {
    this.skipSpace();
    if (this.peek() !== "(") this.fail('"("');
    this.pos++;
    const values: string[] = [];
    for (;;) {
      this.skipSpace();
      if (!VALUE_CHAR.test(this.peek() ?? "")) this.fail("a label value");
      values.push(this.parseValue());
      this.skipSpace();
      if (this.peek() === ")") {
        this.pos++;
        return values;
      }
      if (this.peek() !== ",") this.fail('"," or ")"');
      this.pos++;
    }
  }

  private parseRegex(): AnchoredRegex {
    this.skipSpace();
    const start = this.pos;
    let pattern: string;
    if (this.peek() === '"') {
      const quoted = scanQuotedRegex(this.text, start);
      if (quoted === undefined) throw new SelectorSyntaxError("unterminated quoted regular expression", start);
      pattern = quoted.pattern;
      this.pos = quoted.end;
    } else {
      this.pos = trimTrailingSpace(this.text, start, scanBareRegex(this.text, start));
      pattern = this.text.slice(start, this.pos);
    }
    try {
      return compileAnchoredRegex(pattern);
    } catch (error) {
      if (!(error instanceof InvalidRegexError)) throw error;
      throw new SelectorSyntaxError(`invalid regular expression ${JSON.stringify(pattern)}`, start, error.message);
    }
  }

  private fail(expected: string): never {
    throw new SelectorSyntaxError(`unexpected ${this.describeToken()}`, this.pos, `expected ${expected}`);
  }

  private describeToken(): string {
    if (this.atEnd()) return "end of selector";
    const word = this.text.slice(this.pos).match(/^[A-Za-z0-9._/-]+/)?.[0];
    return JSON.stringify(word ?? this.text[this.pos]);
  }

  private readWhile(allowed: RegExp): string {
    const start = this.pos;
    while (!this.atEnd() && allowed.test(this.text[this.pos] ?? "")) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private skipSpace(): void {
    while (isSelectorSpace(this.text[this.pos])) this.pos++;
  }

  private startsWith(token: string): boolean {
    return this.text.startsWith(token, this.pos);
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }
}

/** Drops whitespace that ends a bare regex, unless a backslash escapes it. */
function trimTrailingSpace(text: string, start: number, end: number): number {
  let trimmed = end;
  while (trimmed > start && isSelectorSpace(text[trimmed - 1])) trimmed--;
  let backslashes = 0;
  while (trimmed - backslashes - 1 >= start && text[trimmed - backslashes - 1] === "\\") backslashes++;
  return backslashes % 2 === 1 ? trimmed + 1 : trimmed;
}
