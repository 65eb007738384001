import { describe, expect, it } from "vitest";
import type { ThresholdResult } from "./types.js";
import { k6Verdict } from "./verdict.js";

const ok: ThresholdResult = { metric: "http_req_duration", expression: "p(95)<500", ok: true };
const failed: ThresholdResult = { metric: "http_req_failed", expression: "rate<0.01", ok: false };

describe("k6Verdict", () => {
  it("passes exit 0 with every threshold ok (or none)", () => {
    expect(k6Verdict({ exitCode: 0, thresholds: [ok] })).toEqual({ result: "PASS" });
    expect(k6Verdict({ exitCode: 0, thresholds: [] })).toEqual({ result: "PASS" });
  });

  it("fails exit 99 on thresholds, naming the failed ones", () => {
    expect(k6Verdict({ exitCode: 99, thresholds: [ok, failed] })).toEqual({
      result: "FAIL",
      reason: "THRESHOLDS",
      detail: "k6 reported failed thresholds: http_req_failed: rate<0.01",
    });
    expect(k6Verdict({ exitCode: 99, thresholds: [ok] })).toMatchObject({ result: "FAIL", reason: "THRESHOLDS" });
  });

  it("lets a failed threshold in the summary fail an exit-0 run", () => {
    expect(k6Verdict({ exitCode: 0, thresholds: [ok, failed] })).toEqual({
      result: "FAIL",
      reason: "THRESHOLDS",
      detail: "k6 exited 0 but the summary has failed thresholds: http_req_failed: rate<0.01",
    });
  });

  it.each([
    [97, "K6_CLOUD_TEST_RUN_FAILED"],
    [98, "K6_CLOUD_FAILED_TO_GET_PROGRESS"],
    [100, "K6_SETUP_TIMEOUT"],
    [101, "K6_TEARDOWN_TIMEOUT"],
    [102, "K6_GENERIC_TIMEOUT"],
    [103, "K6_SCRIPT_STOPPED_FROM_REST_API"],
    [104, "K6_INVALID_CONFIG"],
    [105, "K6_EXTERNAL_ABORT"],
    [106, "K6_CANNOT_START_REST_API"],
    [107, "K6_SCRIPT_EXCEPTION"],
    [108, "K6_SCRIPT_ABORTED"],
    [109, "K6_GO_PANIC"],
  ])("exit %i is an ERROR %s, whatever the thresholds", (exitCode, reason) => {
    const verdict = k6Verdict({ exitCode, thresholds: [failed] });
    expect(verdict).toMatchObject({ result: "ERROR", reason });
    expect(verdict.detail).toContain(`(exit code ${exitCode})`);
  });

  it.each([1, 2, 96, 110, 255, -1])("any other exit code %i fails with EXIT_CODE_n", (exitCode) => {
    expect(k6Verdict({ exitCode, thresholds: [ok] })).toEqual({
      result: "FAIL",
      reason: `EXIT_CODE_${exitCode}`,
      detail: `k6 exited with code ${exitCode}`,
    });
  });
});
