import { caseOutcome, type JUnitCase, type JUnitStatus, joinedOutput, toJUnitCase } from "./junit-case.js";
import { JUnitParseError } from "./junit-parse-error.js";
import { attribute, childElements, readXmlTree, type XmlElement } from "./junit-xml.js";
import { truncateUtf8 } from "./truncate-text.js";

export type { JUnitCase, JUnitStatus } from "./junit-case.js";
export { JUnitParseError } from "./junit-parse-error.js";
export { MAX_JUNIT_INPUT_CHARS } from "./junit-xml.js";

/**
 * Counts over every case in the file, computed from the cases themselves: the `tests`/
 * `failures` attributes are ignored because producers disagree on them (jest counts failures
 * twice at the root, Surefire's rerun files undercount). Flaky cases count as passed.
 */
export interface JUnitTotals {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  passed: number;
  flaky: number;
}

/** Output written at `<testsuite>` level (Ant, older Surefire) rather than per case. */
export interface JUnitSuiteOutput {
  suite: string;
  systemOut?: string;
  systemErr?: string;
}

/**
 * A parsed JUnit file. `cases` holds at most {@link MAX_JUNIT_CASES}; the rest are only counted
 * (in `totals` and `droppedCases`) so a 50,000-case report cannot flood the run's storage.
 */
export interface JUnitReport {
  cases: JUnitCase[];
  totals: JUnitTotals;
  suiteOutput: JUnitSuiteOutput[];
  droppedCases: number;
}

/** Most cases kept per report. */
export const MAX_JUNIT_CASES = 10_000;
/** Most suites whose suite-level output is kept per report. */
export const MAX_JUNIT_SUITE_OUTPUTS = 1_000;

const TOTAL_KEYS: Record<JUnitStatus, Exclude<keyof JUnitTotals, "tests" | "flaky">> = {
  passed: "passed",
  failed: "failures",
  error: "errors",
  skipped: "skipped",
};

/**
 * Parses a JUnit XML report as written by Surefire, pytest, jest-junit, go-junit-report,
 * Playwright, k6 and others: a `<testsuites>` or bare `<testsuite>` root, suites nested at any
 * depth; bytes are decoded as UTF-8. Throws {@link JUnitParseError} naming `source` when the
 * file is not well-formed XML or not a JUnit report, so the runner can report the problem and
 * keep the other files.
 */
export function parseJUnit(xml: string | Uint8Array, source = "junit.xml"): JUnitReport {
  const root = readXmlTree(xml, source);
  const tops = [...childElements(root, "testsuites"), ...childElements(root, "testsuite")];
  if (tops.length === 0) {
    throw new JUnitParseError(source, `expected a <testsuites> or <testsuite> root element, found ${rootName(root)}`);
  }
  const report: JUnitReport = {
    cases: [],
    totals: { tests: 0, failures: 0, errors: 0, skipped: 0, passed: 0, flaky: 0 },
    suiteOutput: [],
    droppedCases: 0,
  };
  for (const top of tops) collectSuite(top, "", report);
  return report;
}

function collectSuite(suite: XmlElement, parentName: string, report: JUnitReport): void {
  const name = attribute(suite, "name") || parentName;
  for (const testcase of childElements(suite, "testcase")) {
    const outcome = caseOutcome(testcase);
    report.totals.tests++;
    report.totals[TOTAL_KEYS[outcome.status]]++;
    if (outcome.flaky) report.totals.flaky++;
    if (report.cases.length < MAX_JUNIT_CASES) report.cases.push(toJUnitCase(testcase, name, outcome));
    else report.droppedCases++;
  }
  const systemOut = joinedOutput(suite, "system-out");
  const systemErr = joinedOutput(suite, "system-err");
  if ((systemOut ?? systemErr) !== undefined && report.suiteOutput.length < MAX_JUNIT_SUITE_OUTPUTS) {
    report.suiteOutput.push({
      suite: truncateUtf8(name),
      ...(systemOut && { systemOut }),
      ...(systemErr && { systemErr }),
    });
  }
  for (const nested of [...childElements(suite, "testsuite"), ...childElements(suite, "testsuites")]) {
    collectSuite(nested, name, report);
  }
}

function rootName(root: XmlElement): string {
  const name = Object.keys(root).find((key) => !key.startsWith("?") && !key.startsWith("#") && key !== "@");
  return name === undefined ? "no element" : `<${name}>`;
}
