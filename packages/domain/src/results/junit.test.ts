import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type JUnitReport, type JUnitTotals, MAX_JUNIT_CASES, parseJUnit } from "./junit.js";

// Real reports from the tools tstr runs. Expected totals were counted by hand from each file's
// <testcase>/<failure>/<error>/<skipped> elements, not taken from the parser or the attributes.
const FIXTURES = path.resolve(import.meta.dirname, "../../../../../shared/fixtures/junit");

const EXPECTED: Record<string, Omit<JUnitTotals, "flaky"> & { flaky?: number }> = {
  // tests="1" in the file, but it holds two <testcase>s; one passed after four failed attempts.
  "TEST-org.acme.FlakyTest.xml": { tests: 2, failures: 0, errors: 0, skipped: 0, passed: 2, flaky: 1 },
  "TEST-org.apache.maven.surefire.test.FailingTest.xml": { tests: 2, failures: 2, errors: 0, skipped: 0, passed: 0 },
  "TEST-surefire.MyTest_error.xml": { tests: 1, failures: 0, errors: 1, skipped: 0, passed: 0 },
  "go-junit-report_001_fail_skip_system-out.xml": { tests: 5, failures: 1, errors: 0, skipped: 2, passed: 2 },
  "jest-junit_dorny_test-reporter_failures_skipped.xml": { tests: 6, failures: 4, errors: 0, skipped: 1, passed: 1 },
  "jest-junit_jest-project-suite_4239tests_2failures.xml": {
    tests: 4239,
    failures: 2,
    errors: 0,
    skipped: 30,
    passed: 4207,
  },
  "k6-junit_adil-m2004_thresholds_pass.xml": { tests: 2, failures: 0, errors: 0, skipped: 0, passed: 2 },
  "playwright-junit_failures_skipped_system-out.xml": { tests: 60, failures: 4, errors: 0, skipped: 20, passed: 36 },
  "pytest-junitxml_failures.xml": { tests: 3, failures: 2, errors: 0, skipped: 0, passed: 1 },
  "pytest-junitxml_horovod_skipped.xml": { tests: 97, failures: 0, errors: 0, skipped: 17, passed: 80 },
};

function parseFixture(name: string): JUnitReport {
  return parseJUnit(readFileSync(path.join(FIXTURES, name), "utf8"), name);
}

function findCase(report: JUnitReport, name: string) {
  const found = report.cases.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no case named ${name}`);
  return found;
}

describe("parseJUnit on real reports", () => {
  it("has an expectation for every fixture file", () => {
    expect(readdirSync(FIXTURES).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))("%s has the hand-counted totals", (name, expected) => {
    const report = parseFixture(name);
    expect(report.totals).toEqual({ flaky: 0, ...expected });
    expect(report.cases).toHaveLength(expected.tests);
    expect(report.droppedCases).toBe(0);
  });

  it("marks the Surefire flaky case as passed with its failed attempts", () => {
    const report = parseFixture("TEST-org.acme.FlakyTest.xml");
    const flaky = findCase(report, "testFlaky");
    expect(flaky).toMatchObject({
      suite: "org.acme.FlakyTest",
      className: "org.acme.FlakyTest",
      status: "passed",
      flaky: true,
      reruns: 4,
      durationMs: 34,
      message: "expected: <1> but was: <0>",
    });
    expect(flaky.details).toMatch(/^org\.opentest4j\.AssertionFailedError: expected: <1> but was: <0>\n\tat /);
    expect(flaky.systemOut).toBeUndefined();
    expect(findCase(report, "testStable")).toEqual({
      suite: "org.acme.FlakyTest",
      className: "org.acme.FlakyTest",
      name: "testStable",
      durationMs: 1,
      status: "passed",
    });
  });

  it("reads Surefire failure and error messages with their stack traces", () => {
    const failing = parseFixture("TEST-org.apache.maven.surefire.test.FailingTest.xml");
    expect(findCase(failing, "defaultTestValueIs_Value")).toMatchObject({
      status: "failed",
      durationMs: 13,
      message: 'Expected: "wrong"\n     got: "value"',
      details: expect.stringMatching(/^java\.lang\.AssertionError: \nExpected: "wrong"\n {5}got: "value"\n\n\tat /),
    });
    const error = parseFixture("TEST-surefire.MyTest_error.xml").cases[0];
    expect(error).toMatchObject({ status: "error", message: "this is different message", durationMs: 100 });
    expect(error?.details).toMatch(/Caused by: java\.lang\.IndexOutOfBoundsException/);
  });

  it("decodes pytest failure messages, numeric references included", () => {
    const report = parseFixture("pytest-junitxml_failures.xml");
    expect(findCase(report, "test_which_fails")).toMatchObject({
      suite: "pytest",
      className: "python.test_sample",
      status: "failed",
      durationMs: 1,
      message: "AssertionError: assert 'test' == 'xyz'\n  - xyz\n  + test",
      details: expect.stringContaining(">       assert event['attr'] == 'xyz'"),
    });
    expect(findCase(report, "test_with_error")).toMatchObject({
      status: "failed",
      message: "AttributeError: 'dict' object has no attribute 'attr'",
    });
    expect(findCase(report, "test_which_succeeds").status).toBe("passed");
  });

  it("keeps go-junit-report skips and system-out", () => {
    const report = parseFixture("go-junit-report_001_fail_skip_system-out.xml");
    expect(findCase(report, "TestSkip")).toMatchObject({
      suite: "package/skip",
      status: "skipped",
      message: "Skipped",
      details: "    skip_test.go:6: skip message",
      durationMs: 20,
    });
    expect(findCase(report, "TestPassLog")).toMatchObject({
      status: "passed",
      systemOut: "    pass_test.go:9: log line\n    pass_test.go:10: log\n        multi\n        line",
    });
    expect(findCase(report, "TestOne")).toMatchObject({ status: "failed", message: "Failed" });
  });

  it("reads Playwright failures with their attachments output", () => {
    const report = parseFixture("playwright-junit_failures_skipped_system-out.xml");
    const failed = report.cases.filter((c) => c.status === "failed");
    expect(failed.map((c) => c.message)).toEqual([
      "grid.spec.ts:202:11 should display correct data when sorting by OFF FORM column",
      "grid.spec.ts:254:9 should open select dropdown options when pressing Spacebar in grid cell",
      "grid.spec.ts:261:9 should be able to use keyboard to navigate horizontal grid and enter data",
      "grid.spec.ts:277:9 should be able to use keyboard to navigate vertical grid and enter data",
    ]);
    for (const c of failed) {
      expect(c).toMatchObject({ suite: "tests/grid.spec.ts", className: "tests/grid.spec.ts", durationMs: 10_000 });
      expect(c.details).toMatch(/^ {2}\[chrome\] › tests\/grid\.spec\.ts:\d+:\d+ › Grid › /);
      expect(c.details).toContain("Test timeout of 10000ms exceeded.");
      expect(c.systemOut).toMatch(/^\[\[ATTACHMENT\|test-results\/.*test-failed-1\.png\]\]/);
    }
    expect(findCase(report, 'record "Time to Video" when loading directly via URL › using manual timings')).toEqual({
      suite: "tests/analyze/load-video.spec.ts",
      className: "tests/analyze/load-video.spec.ts",
      name: 'record "Time to Video" when loading directly via URL › using manual timings',
      durationMs: 0,
      status: "skipped",
    });
  });

  it("reads the k6 jslib threshold report, whose closing tags carry spaces", () => {
    const report = parseFixture("k6-junit_adil-m2004_thresholds_pass.xml");
    expect(report.cases).toEqual([
      {
        suite: "k6 thresholds",
        className: "",
        name: "http_req_duration - p(99)<1000",
        durationMs: 0,
        status: "passed",
      },
      { suite: "k6 thresholds", className: "", name: "http_req_failed - rate<0.01", durationMs: 0, status: "passed" },
    ]);
  });

  it("reads jest-junit failures without a message attribute", () => {
    const report = parseFixture("jest-junit_dorny_test-reporter_failures_skipped.xml");
    expect(findCase(report, "Failing test")).toMatchObject({
      suite: "__tests__\\main.test.js",
      className: "Test 1 › Test 1.1",
      status: "failed",
      message: "Error: expect(received).toBeTruthy()",
      details: expect.stringContaining("at Object.<anonymous> (C:\\Users\\Michal"),
    });
    expect(findCase(report, "Skipped test")).toEqual({
      suite: "__tests__\\second.test.js",
      className: "",
      name: "Skipped test",
      durationMs: 0,
      status: "skipped",
    });
  });

  it("parses the 4,239-case jest report well within a second", () => {
    const xml = readFileSync(path.join(FIXTURES, "jest-junit_jest-project-suite_4239tests_2failures.xml"), "utf8");
    parseJUnit(xml);
    const started = performance.now();
    const report = parseJUnit(xml);
    const elapsed = performance.now() - started;
    expect(report.totals.tests).toBe(4239);
    expect(report.cases.filter((c) => c.status === "failed").map((c) => c.message)).toEqual([
      "Error: abort: empty revision range",
      "Error: expect(received).toMatch(expected)",
    ]);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe("parseJUnit report structure", () => {
  it("walks nested suites, naming each case after its innermost named suite", () => {
    const report = parseJUnit(`<testsuites name="all">
      <testsuite name="outer">
        <testcase name="a"/>
        <testsuite name="inner"><testcase name="b"><failure/></testcase></testsuite>
        <testsuite><testcase name="c"/></testsuite>
      </testsuite>
      <testcase name="loose"/>
    </testsuites>`);
    expect(report.cases.map((c) => [c.suite, c.name, c.status])).toEqual([
      ["all", "loose", "passed"],
      ["outer", "a", "passed"],
      ["inner", "b", "failed"],
      ["outer", "c", "passed"],
    ]);
    expect(report.totals).toMatchObject({ tests: 4, failures: 1, passed: 3 });
  });

  it("reads several top-level suites under <testsuites> and a bare <testsuite>", () => {
    const many = parseJUnit(
      '<testsuites><testsuite name="x"><testcase name="1"/></testsuite><testsuite name="y"/></testsuites>',
    );
    expect(many.totals.tests).toBe(1);
    const bare = parseJUnit('<?xml version="1.0"?><testsuite name="x" tests="9"><testcase name="1"/></testsuite>');
    expect(bare.cases).toEqual([{ suite: "x", className: "", name: "1", durationMs: 0, status: "passed" }]);
  });

  it("keeps suite-level system-out and system-err apart from the cases", () => {
    const report = parseJUnit(`<testsuite name="ant">
      <testcase name="t"/>
      <system-out><![CDATA[suite says hi
]]></system-out>
      <system-err>suite complains</system-err>
    </testsuite>`);
    expect(report.suiteOutput).toEqual([{ suite: "ant", systemOut: "suite says hi", systemErr: "suite complains" }]);
    expect(report.cases[0]).not.toHaveProperty("systemOut");
  });

  it("lists at most 10,000 cases but counts them all", () => {
    const cases = Array.from({ length: MAX_JUNIT_CASES + 50 }, (_, i) =>
      i % 2 === 0 ? `<testcase name="t${i}"/>` : `<testcase name="t${i}"><failure/></testcase>`,
    ).join("");
    const report = parseJUnit(`<testsuite name="big">${cases}</testsuite>`);
    expect(report.cases).toHaveLength(MAX_JUNIT_CASES);
    expect(report.droppedCases).toBe(50);
    expect(report.totals).toMatchObject({ tests: MAX_JUNIT_CASES + 50, passed: 5025, failures: 5025 });
  });

  it("reads a failing k6 jslib threshold report", () => {
    const xml = `<?xml version="1.0"?>
<testsuites tests="2" failures="1">
<testsuite name="k6 thresholds" tests="2" failures="1"><testcase name="http_req_duration - p(95)&lt;300"><failure message="failed" /></testcase>
<testcase name="checks - rate&gt;0.99 &#39;ok&#39;" />
</testsuite >
</testsuites >`;
    const report = parseJUnit(xml, "k6.xml");
    expect(report.cases.map((c) => [c.name, c.status, c.message])).toEqual([
      ["http_req_duration - p(95)<300", "failed", "failed"],
      ["checks - rate>0.99 'ok'", "passed", undefined],
    ]);
  });
});
