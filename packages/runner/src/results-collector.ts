import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import {
  type JUnitCase,
  type Marker,
  mergeResultData,
  parseJUnit,
  parseResultJson,
  type ResultData,
} from "@tstr/domain";
import type { ResultFile } from "@tstr/executor";
import { type TestCase, TestCase_Status, TestCaseSchema } from "@tstr/proto";

/** What a run reported about itself, ready for ReportResults. */
export interface CollectedResults {
  data: Record<string, string>;
  testCases: TestCase[];
  /** Files that could not be read, said in the run's log so the author can fix them. */
  problems: string[];
}

const STATUS: Record<JUnitCase["status"], TestCase_Status> = {
  passed: TestCase_Status.PASSED,
  failed: TestCase_Status.FAILED,
  error: TestCase_Status.ERROR,
  skipped: TestCase_Status.SKIPPED,
};

/**
 * Reads the results directory: `result.json` (free-form result data) and `junit/**\/*.xml`
 * (test cases), and merges in the stdout markers seen while streaming. Markers come first, so
 * `result.json` wins a clash: it is the deliberate, structured report. A broken file becomes a
 * problem for the run's log, never a failed run.
 */
export function collectResults(files: ResultFile[], markers: Marker[], attempt: number): CollectedResults {
  let fileData: ResultData = {};
  const testCases: TestCase[] = [];
  const problems: string[] = [];
  for (const file of [...files].sort(byPath)) {
    if (file.path === "result.json") {
      const parsed = parseResultJson(new TextDecoder().decode(file.content));
      fileData = parsed.data;
      problems.push(...parsed.problems);
    } else if (file.path.startsWith("junit/") && file.path.endsWith(".xml")) {
      try {
        const report = parseJUnit(file.content, file.path);
        testCases.push(...report.cases.map((testCase) => toTestCase(testCase, attempt)));
        if (report.droppedCases > 0) {
          problems.push(`${file.path}: ${report.droppedCases} test cases beyond the limit were dropped`);
        }
      } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
      }
    }
  }
  return { data: mergeResultData(...markers, fileData), testCases, problems };
}

function toTestCase(testCase: JUnitCase, attempt: number): TestCase {
  return create(TestCaseSchema, {
    suite: testCase.suite,
    className: testCase.className,
    name: testCase.name,
    duration: durationFromMs(Math.max(0, Math.round(testCase.durationMs))),
    status: STATUS[testCase.status],
    message: testCase.message ?? "",
    details: testCase.details ?? "",
    systemOut: testCase.systemOut ?? "",
    attempt,
  });
}

function byPath(a: ResultFile, b: ResultFile): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
