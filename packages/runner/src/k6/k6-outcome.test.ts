import type { ThresholdResult } from "@tstr/k6";
import { describe, expect, it } from "vitest";
import { k6Outcome } from "./k6-outcome.js";

const failed: ThresholdResult[] = [{ metric: "http_req_duration", expression: "p(95)<50", ok: false }];
const held: ThresholdResult[] = [{ metric: "http_req_duration", expression: "p(95)<500", ok: true }];

describe("k6Outcome", () => {
  it.each<[string, number, ThresholdResult[], object]>([
    ["thresholds held", 0, held, { result: "PASS", reason: undefined, resultData: { "k6.verdict": "PASS" } }],
    ["k6 reported failed thresholds", 99, failed, { result: "FAIL", reason: "THRESHOLDS" }],
    ["the summary failed where k6 exited 0", 0, failed, { result: "FAIL", reason: "THRESHOLDS" }],
    ["no summary, exit 99", 99, [], { result: "FAIL", reason: "THRESHOLDS" }],
    ["a script exception", 107, held, { result: "ERROR", reason: "K6_SCRIPT_EXCEPTION" }],
    ["another exit code", 1, [], { result: "FAIL", reason: "EXIT_CODE_1", resultData: { "k6.verdict": "FAIL" } }],
  ])("a single run where %s", (_, exitCode, thresholds, expected) => {
    expect(k6Outcome({ exitCode, thresholds, shardCount: 1 })).toMatchObject(expected);
  });

  it("lets a shard with failed local thresholds pass, for the server to judge the merged data", () => {
    const outcome = k6Outcome({ exitCode: 99, thresholds: failed, shardCount: 3 });
    expect(outcome).toEqual({
      verdict: expect.objectContaining({ result: "FAIL", reason: "THRESHOLDS" }),
      result: "PASS",
      resultData: { "k6.verdict": "FAIL", "k6.local_thresholds": "failed" },
    });
  });

  it("still ends a shard ERROR or FAIL for k6's own errors and other exit codes", () => {
    expect(k6Outcome({ exitCode: 107, thresholds: [], shardCount: 2 })).toMatchObject({
      result: "ERROR",
      reason: "K6_SCRIPT_EXCEPTION",
      resultData: { "k6.local_thresholds": "ok" },
    });
    expect(k6Outcome({ exitCode: 0, thresholds: held, shardCount: 2 })).toMatchObject({
      result: "PASS",
      resultData: { "k6.verdict": "PASS", "k6.local_thresholds": "ok" },
    });
  });
});
