import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchError } from "../test-support.js";
import { parseJUnit } from "./junit.js";
import { JUnitParseError } from "./junit-parse-error.js";
import { MAX_JUNIT_INPUT_CHARS } from "./junit-xml.js";

describe("malformed input", () => {
  it.each([
    ["empty", ""],
    ["not XML", "this is not xml"],
    ["unclosed", '<testsuite name="s"><testcase name="a">'],
    ["mismatched", '<testsuite><testcase name="a"></testsuite>'],
    ["truncated attribute", '<testsuite><testcase name="a'],
    ["two roots", "<testsuite/><testsuite/>"],
    ["two roots on two lines", "<testsuite/>\n<testsuite/>"],
    ["bad entity", "<testsuite>&</testsuite>"],
  ])("%s → JUnitParseError naming the source", (_label, xml) => {
    const error = catchError(() => parseJUnit(xml, "junit/bad.xml"), JUnitParseError);
    expect(error.source).toBe("junit/bad.xml");
    expect(error.message).toMatch(/^junit\/bad\.xml: /);
    expect(error.reason).not.toBe("");
  });

  it("says where a well-formedness error is", () => {
    expect(
      catchError(() => parseJUnit("<testsuite>\n<testcase>\n</testsuite>", "x.xml"), JUnitParseError).reason,
    ).toMatch(/line 3/);
  });

  it("rejects XML that is not a JUnit report", () => {
    expect(catchError(() => parseJUnit("<html><body/></html>", "page.html"), JUnitParseError).reason).toBe(
      "expected a <testsuites> or <testsuite> root element, found <html>",
    );
  });

  it("rejects files over the size limit without parsing them", () => {
    const huge = `<testsuite>${" ".repeat(MAX_JUNIT_INPUT_CHARS)}</testsuite>`;
    expect(catchError(() => parseJUnit(huge), JUnitParseError).reason).toMatch(/larger than/);
  });

  it("reads UTF-8 bytes as well as text", () => {
    const bytes = new TextEncoder().encode('\uFEFF<testsuite name="ü"><testcase name="😀"/></testsuite>');
    expect(parseJUnit(bytes).cases[0]).toMatchObject({ suite: "ü", name: "😀" });
  });

  it("ignores a byte order mark", () => {
    expect(parseJUnit('\uFEFF<testsuite><testcase name="a"/></testsuite>').totals.tests).toBe(1);
  });

  it("either parses or throws JUnitParseError on arbitrary XML-like input", () => {
    const piece = fc.constantFrom(
      "<testsuites>",
      "</testsuites>",
      '<testsuite name="s">',
      "</testsuite>",
      '<testcase name="t" time="1">',
      "</testcase>",
      "<testcase/>",
      "<failure>",
      "</failure>",
      "<skipped/>",
      "<![CDATA[x]]>",
      "&lt;",
      "&#10;",
      "<",
      ">",
      '"',
      "text",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        try {
          const report = parseJUnit(pieces.join(""), "fuzz.xml");
          expect(report.cases.length).toBe(report.totals.tests);
        } catch (error) {
          expect(error).toBeInstanceOf(JUnitParseError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("entity expansion", () => {
  it("does not expand a billion-laughs DOCTYPE", () => {
    const levels = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join("");
    const xml = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${levels}]><testsuite><testcase name="&lol9;"/></testsuite>`;
    const started = performance.now();
    let name: string | undefined;
    try {
      name = parseJUnit(xml, "bomb.xml").cases[0]?.name;
    } catch (error) {
      expect(error).toBeInstanceOf(JUnitParseError);
    }
    expect(performance.now() - started).toBeLessThan(1000);
    expect((name ?? "").length).toBeLessThan(100);
  });

  it("stops a quadratic blow-up of one large entity", () => {
    const xml = `<!DOCTYPE q [<!ENTITY a "${"x".repeat(4000)}">]><testsuite><testcase name="t"><system-out>${"&a;".repeat(
      5000,
    )}</system-out></testcase></testsuite>`;
    expect(catchError(() => parseJUnit(xml, "quadratic.xml"), JUnitParseError).reason).toMatch(/limit/i);
  });

  it("still expands a small declared entity", () => {
    const xml = '<!DOCTYPE s [<!ENTITY who "world">]><testsuite><testcase name="hello &who;"/></testsuite>';
    expect(parseJUnit(xml).cases[0]?.name).toBe("hello world");
  });
});
