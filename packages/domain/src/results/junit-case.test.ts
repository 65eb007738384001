import { describe, expect, it } from "vitest";
import { parseJUnit } from "./junit.js";
import { parseDurationMs } from "./junit-case.js";
import { MAX_RESULT_TEXT_BYTES, TRUNCATION_SUFFIX } from "./truncate-text.js";

function onlyCase(testcaseXml: string) {
  const report = parseJUnit(`<testsuite name="s">${testcaseXml}</testsuite>`, "case.xml");
  expect(report.cases).toHaveLength(1);
  return report.cases[0];
}

describe("case status", () => {
  it.each([
    ['<testcase name="t"/>', "passed"],
    ['<testcase name="t"><failure message="m"/></testcase>', "failed"],
    ['<testcase name="t"><error message="m"/></testcase>', "error"],
    ['<testcase name="t"><skipped/></testcase>', "skipped"],
    ['<testcase name="t"><skipped/><failure/></testcase>', "failed"],
    ['<testcase name="t"><failure/><error/></testcase>', "error"],
    ['<testcase name="t"><properties><property name="p" value="v"/></properties></testcase>', "passed"],
  ])("%s is %s", (xml, status) => {
    expect(onlyCase(xml)?.status).toBe(status);
  });

  it("reads the message attribute and CDATA text", () => {
    expect(
      onlyCase('<testcase name="t"><failure message="boom" type="E"><![CDATA[a < b\n  at x]]></failure></testcase>'),
    ).toEqual({
      suite: "s",
      className: "",
      name: "t",
      durationMs: 0,
      status: "failed",
      message: "boom",
      details: "a < b\n  at x",
    });
  });

  it("takes the first text line as message when there is no attribute", () => {
    expect(onlyCase('<testcase name="t"><error>\n  Error: nope\n  at y\n</error></testcase>')).toMatchObject({
      status: "error",
      message: "Error: nope",
      details: "  Error: nope\n  at y",
    });
  });

  it("keeps a message with no text", () => {
    const c = onlyCase('<testcase name="t"><failure message="only message"/></testcase>');
    expect(c).toMatchObject({ message: "only message" });
    expect(c).not.toHaveProperty("details");
  });

  it("reads case-level system-out and system-err", () => {
    expect(
      onlyCase(
        '<testcase name="t"><system-out>out 1</system-out><system-out>out 2</system-out><system-err>e</system-err></testcase>',
      ),
    ).toMatchObject({ systemOut: "out 1\nout 2", systemErr: "e" });
  });

  it("caps message, details and output at 64 KiB", () => {
    const big = "x".repeat(MAX_RESULT_TEXT_BYTES + 10);
    const c = onlyCase(
      `<testcase name="t"><failure message="${big}">${big}</failure><system-out>${big}</system-out></testcase>`,
    );
    for (const text of [c?.message, c?.details, c?.systemOut]) {
      expect(text).toHaveLength(MAX_RESULT_TEXT_BYTES - 15 + TRUNCATION_SUFFIX.length);
      expect(text?.endsWith(TRUNCATION_SUFFIX)).toBe(true);
    }
  });
});

describe("Surefire reruns", () => {
  it("a case that passed after a flaky error and failure is passed and flaky", () => {
    const c = onlyCase(`<testcase name="t" time="0.5">
      <flakyError message="first" type="E"><stackTrace>trace 1</stackTrace><system-out>attempt out</system-out></flakyError>
      <flakyFailure message="second" type="F"><stackTrace>trace 2</stackTrace></flakyFailure>
    </testcase>`);
    expect(c).toMatchObject({ status: "passed", flaky: true, reruns: 2, durationMs: 500 });
    expect(c).not.toHaveProperty("systemOut");
  });

  it("a case whose reruns all failed is failed, with the first failure's message", () => {
    const c = onlyCase(`<testcase name="t">
      <failure message="run 1" type="F">trace 1</failure>
      <rerunFailure message="run 2" type="F"><stackTrace>trace 2</stackTrace></rerunFailure>
      <rerunFailure message="run 3" type="F"><stackTrace>trace 3</stackTrace></rerunFailure>
    </testcase>`);
    expect(c).toMatchObject({ status: "failed", reruns: 2, message: "run 1", details: "trace 1" });
    expect(c).not.toHaveProperty("flaky");
  });

  it("rerun elements alone still mean the case failed or errored", () => {
    expect(
      onlyCase('<testcase name="t"><rerunFailure message="r"><stackTrace>st</stackTrace></rerunFailure></testcase>'),
    ).toMatchObject({
      status: "failed",
      reruns: 1,
      message: "r",
      details: "st",
    });
    expect(onlyCase('<testcase name="t"><rerunError message="r"/><rerunError message="r2"/></testcase>')).toMatchObject(
      {
        status: "error",
        reruns: 2,
      },
    );
  });

  it("counts flaky cases as passed in the totals", () => {
    const report = parseJUnit(
      '<testsuite><testcase name="a"><flakyFailure/></testcase><testcase name="b"><error/><rerunError/></testcase></testsuite>',
    );
    expect(report.totals).toEqual({ tests: 2, failures: 0, errors: 1, skipped: 0, passed: 1, flaky: 1 });
  });
});

describe("parseDurationMs", () => {
  it.each([
    [undefined, 0],
    ["", 0],
    ["0.001", 1],
    ["0.151", 151],
    ["12", 12_000],
    ["1,234.5", 1_234_500],
    [" 2.5 ", 2_500],
    ["1e-1", 100],
    ["-3", 0],
    ["abc", 0],
    ["NaN", 0],
    ["1e400", 0],
  ])("%j is %d ms", (time, ms) => {
    expect(parseDurationMs(time)).toBe(ms);
  });

  it("reads time attributes with thousands separators", () => {
    expect(onlyCase('<testcase name="t" time="1,234.5"/>')?.durationMs).toBe(1_234_500);
  });
});
