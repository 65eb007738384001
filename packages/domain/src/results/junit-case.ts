import { attribute, childElements, elementText, type XmlElement } from "./junit-xml.js";
import { truncateUtf8 } from "./truncate-text.js";

/** How one test case ended, in the vocabulary shared by every JUnit producer. */
export type JUnitStatus = "passed" | "failed" | "error" | "skipped";

/**
 * One `<testcase>`. `message`/`details` describe why it failed, errored or was skipped; for a
 * flaky case (passed after Surefire reruns) they describe its first failed attempt, so the UI
 * can show why it was flaky. Every text is capped at 64 KiB.
 */
export interface JUnitCase {
  suite: string;
  className: string;
  name: string;
  durationMs: number;
  status: JUnitStatus;
  message?: string;
  details?: string;
  systemOut?: string;
  systemErr?: string;
  /** Passed only after one or more failed attempts (Surefire `flakyFailure`/`flakyError`). */
  flaky?: boolean;
  /** Extra attempts Surefire made: failed attempts of a flaky case, or reruns of a failed one. */
  reruns?: number;
}

/** What a case's child elements say about how it ended. */
export interface CaseOutcome {
  status: JUnitStatus;
  flaky: boolean;
  reruns: number;
  /** The element explaining the status: `<failure>`, `<error>`, `<skipped>` or a flaky attempt. */
  evidence?: XmlElement;
}

/**
 * Decides a case's status from its child elements alone, cheaply, so cases beyond the report
 * cap still count in the totals. An error outranks a failure, which outranks a skip; Surefire's
 * rerun elements without a final `<failure>`/`<error>` still mean every attempt failed.
 */
export function caseOutcome(testcase: XmlElement): CaseOutcome {
  const [error] = childElements(testcase, "error");
  const [failure] = childElements(testcase, "failure");
  const rerunFailures = childElements(testcase, "rerunFailure");
  const rerunErrors = childElements(testcase, "rerunError");
  const reruns = rerunFailures.length + rerunErrors.length;
  if (error !== undefined) return { status: "error", flaky: false, reruns, evidence: error };
  if (failure !== undefined) return { status: "failed", flaky: false, reruns, evidence: failure };
  if (rerunFailures[0] !== undefined) return { status: "failed", flaky: false, reruns, evidence: rerunFailures[0] };
  if (rerunErrors[0] !== undefined) return { status: "error", flaky: false, reruns, evidence: rerunErrors[0] };
  const [skipped] = childElements(testcase, "skipped");
  if (skipped !== undefined) return { status: "skipped", flaky: false, reruns: 0, evidence: skipped };
  const attempts = [...childElements(testcase, "flakyFailure"), ...childElements(testcase, "flakyError")];
  if (attempts.length > 0) return { status: "passed", flaky: true, reruns: attempts.length, evidence: attempts[0] };
  return { status: "passed", flaky: false, reruns: 0 };
}

/** Builds the reported case for a `<testcase>` found in the suite named `suite`. */
export function toJUnitCase(testcase: XmlElement, suite: string, outcome = caseOutcome(testcase)): JUnitCase {
  const result: JUnitCase = {
    suite: truncateUtf8(suite),
    className: truncateUtf8(attribute(testcase, "classname") ?? ""),
    name: truncateUtf8(attribute(testcase, "name") ?? ""),
    durationMs: parseDurationMs(attribute(testcase, "time")),
    status: outcome.status,
  };
  if (outcome.evidence !== undefined) Object.assign(result, explain(outcome.evidence));
  const systemOut = joinedOutput(testcase, "system-out");
  const systemErr = joinedOutput(testcase, "system-err");
  if (systemOut !== undefined) result.systemOut = systemOut;
  if (systemErr !== undefined) result.systemErr = systemErr;
  if (outcome.flaky) result.flaky = true;
  if (outcome.reruns > 0) result.reruns = outcome.reruns;
  return result;
}

/**
 * Seconds in a `time` attribute as whole milliseconds. Missing, negative or unreadable values
 * count as 0 rather than failing the report; thousands separators ("1,234.5") are tolerated
 * because some Surefire and .NET versions format with the JVM/OS locale.
 */
export function parseDurationMs(time: string | undefined): number {
  if (time === undefined) return 0;
  const seconds = Number(time.trim().replaceAll(",", ""));
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 0;
}

/** Text of every `name` child (`system-out`/`system-err`) joined, or undefined when empty. */
export function joinedOutput(element: XmlElement, name: string): string | undefined {
  const text = trimBlock(childElements(element, name).map(elementText).join("\n"));
  return text === "" ? undefined : truncateUtf8(text);
}

function explain(evidence: XmlElement): Pick<JUnitCase, "message" | "details"> {
  const [stackTrace] = childElements(evidence, "stackTrace");
  const details = trimBlock(elementText(evidence)) || trimBlock(stackTrace ? elementText(stackTrace) : "");
  // Jest and others put everything in the text; its first line is the best summary there is.
  const message = attribute(evidence, "message")?.trim() || firstLine(details);
  const explained: Pick<JUnitCase, "message" | "details"> = {};
  if (message !== "") explained.message = truncateUtf8(message);
  if (details !== "") explained.details = truncateUtf8(details);
  return explained;
}

/** Drops leading blank lines and trailing whitespace but keeps the first line's indentation. */
function trimBlock(text: string): string {
  return text.replace(/^[ \t\r\n]*\n/, "").trimEnd();
}

function firstLine(text: string): string {
  const end = text.indexOf("\n");
  return (end < 0 ? text : text.slice(0, end)).trim();
}
