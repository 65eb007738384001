import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Labels } from "./labels.js";
import { type Selector, selectorMatches } from "./selector.js";
import { selectorFromLabels, selectorFromRegexMap } from "./selector-builders.js";
import { formatSelector } from "./selector-format.js";
import { parseSelector, SelectorSyntaxError } from "./selector-parser.js";
import { catchError, labelKeyArbitrary, labelsArbitrary, labelValueArbitrary } from "./test-support.js";
import { ValidationError } from "./validation-error.js";

describe("parseSelector syntax", () => {
  it.each([
    ["", ""],
    ["   ", ""],
    ["env=prod", "env=prod"],
    ["env==prod", "env=prod"],
    [" env = prod ", "env=prod"],
    ["env=", "env="],
    ["env==", "env="],
    ["env!=prod", "env!=prod"],
    ["tier in (web, api)", "tier in (api,web)"],
    ["tier in(web,web)", "tier in (web)"],
    ["tier notin (a)", "tier notin (a)"],
    ["canary", "canary"],
    ["!canary", "!canary"],
    ["! canary", "!canary"],
    ["b=1,a=2,b=1", "a=2,b=1"],
    ["app.kubernetes.io/name=x", "app.kubernetes.io/name=x"],
    ["in in (in)", "in in (in)"],
    ["region~=eu-.*", "region~=eu-.*"],
    ["region ~= eu-.* , x", "region~=eu-.*,x"],
    ["region!~eu-.*", "region!~eu-.*"],
    ["v~=a{1,3},x", "v~=a{1,3},x"],
    ["v~=(a|b),x", "v~=(a|b),x"],
    ["v~=[,)],x", "v~=[,)],x"],
    ["v~=[]a],x", "v~=[]a],x"],
    ["v~=[[:alpha:],],x", "v~=[[:alpha:],],x"],
    ["v~=\\Q,\\E,x", "v~=\\Q,\\E,x"],
    ["v~=a\\,b", "v~=a\\,b"],
    ['v~="a,b"', 'v~="a,b"'],
    ['v~="\\d+"', 'v~="\\\\d+"'.replace('"\\\\d+"', "\\d+")],
    ['v~="a\\"b"', 'v~=a"b'],
    ['v~=""', 'v~=""'],
    ["v~=", 'v~=""'],
    ['v~=" a"', 'v~=" a"'],
    ["v~=\\Qa", 'v~="\\\\Qa"'],
  ])("%j formats as %j", (text, canonical) => {
    expect(formatSelector(parseSelector(text))).toBe(canonical);
    expect(parseSelector(text).source).toBe(text);
  });

  it.each([
    [")", 0, 'unexpected ")" at position 0: expected a label key'],
    ["env=prod)", 8, 'unexpected ")" at position 8'],
    ["a,", 2, "unexpected end of selector at position 2: expected a label key"],
    [",a", 0, 'unexpected ","'],
    ["a b", 2, 'unexpected "b" at position 2: expected an operator'],
    ["a===b", 3, 'unexpected "="'],
    ["a=b c", 4, 'unexpected "c" at position 4: expected "," or end of selector'],
    ["a=b/c", 3, 'unexpected "/c"'],
    ["a in a", 5, 'unexpected "a" at position 5: expected "("'],
    ["a in ()", 6, 'unexpected ")" at position 6: expected a label value'],
    ["a in (x,)", 8, "expected a label value"],
    ["a in (x y)", 8, 'expected "," or ")"'],
    ["a in (x", 7, "unexpected end of selector"],
    ["a notinx (b)", 2, 'unexpected "notinx"'],
    ["-a=b", 0, 'invalid label key "-a" at position 0'],
    ["a=-b", 2, 'invalid label value "-b" at position 2'],
    [`a=${"x".repeat(64)}`, 2, "at most 63"],
    ["!a=b", 2, 'unexpected "="'],
    ["a~b", 1, 'unexpected "~"'],
    ["a!b", 1, 'unexpected "!"'],
    ["x=1, v~=(a", 8, 'invalid regular expression "(a" at position 8: missing closing )'],
    ["v~=a)", 4, 'unexpected ")"'],
    ['v~="abc', 3, "unterminated quoted regular expression at position 3"],
    [`v~=${"a".repeat(1025)}`, 3, "longer than 1024"],
    ["v~=(?<n>x", 3, "invalid regular expression"],
  ])("%j fails at position %i", (text, position, message) => {
    const error = catchError(() => parseSelector(text), SelectorSyntaxError);
    expect(error.position).toBe(position);
    if (message !== undefined) expect(error.message).toContain(message);
  });

  it("rejects absurdly long selectors", () => {
    expect(() => parseSelector("a,".repeat(10_000))).toThrow(/selector too long/);
  });
});

describe("selectorMatches", () => {
  const labels: Labels = { env: "prod", tier: "web", region: "eu-west", empty: "" };
  it.each([
    ["", true],
    ["env=prod", true],
    ["env=dev", false],
    ["missing=x", false],
    ["env!=dev", true],
    ["env!=prod", false],
    ["missing!=x", true],
    ["tier in (web,api)", true],
    ["tier in (api)", false],
    ["missing in (x)", false],
    ["tier notin (api)", true],
    ["tier notin (web)", false],
    ["missing notin (x)", true],
    ["env", true],
    ["missing", false],
    ["!missing", true],
    ["!env", false],
    ["empty=", true],
    ["empty", true],
    ["region~=eu-.*", true],
    ["region~=eu", false],
    ["region~=west", false],
    ["missing~=.*", false],
    ["region!~us-.*", true],
    ["region!~eu-.*", false],
    ["missing!~.*", true],
    ["env=prod,tier=web", true],
    ["env=prod,tier=api", false],
    ["constructor", false],
    ["constructor!=x", true],
  ])("%j is %s", (text, expected) => {
    expect(selectorMatches(parseSelector(text), labels)).toBe(expected);
  });

  it("evaluates a hostile regex in linear time", () => {
    const selector = parseSelector("v~=(a+)+$");
    const started = performance.now();
    expect(selectorMatches(selector, { v: `${"a".repeat(50_000)}b` })).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("selector builders", () => {
  it("selectorFromRegexMap keeps tstr's meaning", () => {
    const selector = selectorFromRegexMap({ os: "linux|darwin", arch: "amd64" });
    expect(selector.source).toBe("arch~=amd64,os~=linux|darwin");
    expect(selectorMatches(selector, { os: "linux", arch: "amd64" })).toBe(true);
    expect(selectorMatches(selector, { os: "linux2", arch: "amd64" })).toBe(false);
    expect(selectorMatches(selector, { os: "linux" })).toBe(false);
  });

  it("selectorFromRegexMap reports each bad entry", () => {
    const error = catchError(
      () => selectorFromRegexMap({ "bad key": ".*", os: "(" }, "accept_test_label_selectors"),
      ValidationError,
    );
    expect(error.violations.map((v) => v.path)).toEqual([
      'accept_test_label_selectors["bad key"]',
      'accept_test_label_selectors["os"]',
    ]);
  });

  it("selectorFromLabels rejects invalid labels", () => {
    expect(() => selectorFromLabels({ "-": "x" })).toThrow(ValidationError);
  });
});

describe("selector properties", () => {
  const patternArbitrary = fc.constantFrom(
    ".*",
    "a|b",
    "a{1,3}",
    "(x,y)",
    "[,)]",
    "\\Q,\\E",
    "\\Qa",
    'q"uote',
    " lead",
    "back\\\\",
    "",
    "[[:digit:]]+",
  );
  const requirementText = fc.oneof(
    fc.tuple(labelKeyArbitrary, fc.constantFrom("=", "==", "!="), labelValueArbitrary).map((p) => p.join("")),
    fc
      .tuple(
        labelKeyArbitrary,
        fc.constantFrom(" in ", " notin "),
        fc.array(
          labelValueArbitrary.filter((v) => v !== ""),
          { minLength: 1, maxLength: 3 },
        ),
      )
      .map(([key, op, values]) => `${key}${op}(${values.join(", ")})`),
    labelKeyArbitrary,
    labelKeyArbitrary.map((key) => `!${key}`),
    fc
      .tuple(labelKeyArbitrary, fc.constantFrom("~=", "!~"), patternArbitrary)
      .map(([key, op, pattern]) => `${key}${op}"${pattern.replace(/[\\"]/g, "\\$&")}"`),
  );
  const selectorText = fc.array(requirementText, { maxLength: 5 }).map((parts) => parts.join(" , "));
  const labelsNear = fc.dictionary(
    fc.constantFrom("a", "b", "example.com/a", "x1"),
    fc.constantFrom("", "a", "b", "x1", "a-b"),
    { noNullPrototype: true },
  );

  it("canonical text reparses to an equivalent selector", () => {
    fc.assert(
      fc.property(selectorText, fc.array(labelsNear, { maxLength: 5 }), (text, samples) => {
        const parsed = parseSelector(text);
        const canonical = formatSelector(parsed);
        const reparsed = parseSelector(canonical);
        expect(formatSelector(reparsed)).toBe(canonical);
        for (const labels of samples) {
          expect(selectorMatches(reparsed, labels)).toBe(selectorMatches(parsed, labels));
        }
      }),
    );
  });

  it("a selector built from labels matches those labels, also through its text", () => {
    fc.assert(
      fc.property(labelsArbitrary, (labels) => {
        const selector: Selector = selectorFromLabels(labels);
        expect(selectorMatches(selector, labels)).toBe(true);
        expect(selectorMatches(parseSelector(selector.source), labels)).toBe(true);
      }),
    );
  });

  const selectorAlphabetText = fc.string({
    unit: fc.constantFrom(...'ab1 =!,()~"\\[]{}.-/', "in", "notin", "\\Q", "\\E"),
    maxLength: 20,
  });

  it("arbitrary text either parses or fails with a position inside the text", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), selectorAlphabetText), (text) => {
        try {
          const canonical = formatSelector(parseSelector(text));
          expect(formatSelector(parseSelector(canonical))).toBe(canonical);
        } catch (error) {
          expect(error).toBeInstanceOf(SelectorSyntaxError);
          const { position } = error as SelectorSyntaxError;
          expect(position).toBeGreaterThanOrEqual(0);
          expect(position).toBeLessThanOrEqual(text.length);
        }
      }),
    );
  });
});
