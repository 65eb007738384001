import { describe, expect, it } from "vitest";
import { decideOutcome, type RunOutcome, type WorkloadEnding } from "./run-outcome.js";

const imageMissing = { reason: "IMAGE_NOT_FOUND", message: "busybox:nope not found" };

describe("decideOutcome", () => {
  it.each<[string, WorkloadEnding, RunOutcome]>([
    ["exit 0", { exitCode: 0 }, { result: "PASS" }],
    ["exit 1", { exitCode: 1 }, { result: "FAIL", reason: "EXIT_CODE_1" }],
    ["killed by SIGKILL", { exitCode: 137 }, { result: "FAIL", reason: "EXIT_CODE_137" }],
    ["negative exit code", { exitCode: -1 }, { result: "FAIL", reason: "EXIT_CODE_-1" }],
    ["k6 thresholds", { exitCode: 99, executor: "k6" }, { result: "FAIL", reason: "THRESHOLDS" }],
    ["k6 other failure", { exitCode: 107, executor: "k6" }, { result: "FAIL", reason: "EXIT_CODE_107" }],
    ["k6 pass", { exitCode: 0, executor: "k6" }, { result: "PASS" }],
    ["99 from another executor", { exitCode: 99, executor: "newman" }, { result: "FAIL", reason: "EXIT_CODE_99" }],
    ["99 without executor", { exitCode: 99 }, { result: "FAIL", reason: "EXIT_CODE_99" }],
    ["timeout", { stopped: "timeout" }, { result: "TIMED_OUT", reason: "DEADLINE" }],
    ["timeout, killed", { stopped: "timeout", exitCode: 137 }, { result: "TIMED_OUT", reason: "DEADLINE" }],
    ["timeout, exited 0 on SIGTERM", { stopped: "timeout", exitCode: 0 }, { result: "TIMED_OUT", reason: "DEADLINE" }],
    ["cancel", { stopped: "cancel" }, { result: "CANCELLED" }],
    ["cancel, exit 143", { stopped: "cancel", exitCode: 143 }, { result: "CANCELLED" }],
    ["infra error", { infraError: imageMissing }, { result: "ERROR", ...imageMissing }],
    [
      "infra error beats timeout",
      { infraError: imageMissing, stopped: "timeout" },
      { result: "ERROR", ...imageMissing },
    ],
    ["infra error beats exit 0", { infraError: imageMissing, exitCode: 0 }, { result: "ERROR", ...imageMissing }],
    ["nothing at all", {}, { result: "ERROR", reason: "NO_EXIT_CODE" }],
    ["executor but no exit code", { executor: "k6" }, { result: "ERROR", reason: "NO_EXIT_CODE" }],
    ["NaN exit code", { exitCode: Number.NaN }, { result: "ERROR", reason: "NO_EXIT_CODE" }],
    ["fractional exit code", { exitCode: 1.5 }, { result: "ERROR", reason: "NO_EXIT_CODE" }],
  ])("%s", (_label, ending, outcome) => {
    expect(decideOutcome(ending)).toEqual(outcome);
  });
});
