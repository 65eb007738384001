import { Code } from "@connectrpc/connect";
import { Run_Result, TestCase_Status } from "@tstr/proto";
import { afterEach, describe, expect, it } from "vitest";
import { type AgentHarness, startAgentHarness, waitFor } from "./test-support/agent-harness.js";

let harness: AgentHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="api" tests="2" failures="1">
    <testcase classname="api.users" name="lists users" time="0.25"/>
    <testcase classname="api.users" name="creates a user" time="1.5">
      <failure message="expected 201, got 500">stack</failure>
    </testcase>
  </testsuite>
</testsuites>`;

describe("runner agent results", () => {
  it("collects result.json, JUnit files and stdout markers, and reports them before FinishRun", async () => {
    harness = await startAgentHarness({
      script: () => ({
        output: [
          { stream: "stdout", text: "before \x1c\x1e version:1.2" },
          { stream: "stdout", text: "3 \x1e\x1c after\n\x1c\x1e score:1 \x1e\x1c\n", afterMs: 30 },
        ],
        exitCode: 1,
        results: [
          { path: "result.json", content: JSON.stringify({ score: "9", url: "https://example.test/report" }) },
          { path: "junit/api.xml", content: JUNIT },
          { path: "junit/broken.xml", content: "<testsuite" },
          { path: "notes.txt", content: "ignored" },
        ],
      }),
    });
    const { server } = harness;
    server.assign({ id: "run-results", runConfig: { resultsPath: "/out" } });
    await waitFor("FinishRun", () => server.finishes.length === 1);

    const reportCalls = server.calls.filter((call) => !call.startsWith("AppendLogs"));
    expect(reportCalls.slice(-2)).toEqual(["ReportResults run-results", "FinishRun run-results"]);
    expect(server.calls.at(-1)).toBe("FinishRun run-results");
    const [report] = server.reports;
    expect(report?.resultData).toEqual({ version: "1.23", score: "9", url: "https://example.test/report" });
    expect(report?.testCases.map((c) => [c.className, c.name, c.status, c.message])).toEqual([
      ["api.users", "lists users", TestCase_Status.PASSED, ""],
      ["api.users", "creates a user", TestCase_Status.FAILED, "expected 201, got 500"],
    ]);
    expect(report?.testCases[1]?.duration).toMatchObject({ seconds: 1n, nanos: 500_000_000 });
    expect(server.logText("run-results")).toContain("tstr: junit/broken.xml:");
    expect(harness.executor.executions[0]?.spec.env.TSTR_RESULTS_DIR).toBe("/out");
  });

  it("finishes the run when the server refuses its results, saying so in the log", async () => {
    harness = await startAgentHarness({
      script: () => ({ exitCode: 1, results: [{ path: "result.json", content: JSON.stringify({ score: "9" }) }] }),
      configure: (server) => {
        server.reportFailures = { remaining: 10, code: Code.InvalidArgument };
      },
    });
    const { server } = harness;
    server.assign({ id: "run-refused" });
    await waitFor("FinishRun", () => server.finishes.length === 1);
    // Nothing to leave out of plain result data: no second attempt.
    expect(server.reportCalls).toHaveLength(1);
    expect(server.finishes[0]).toMatchObject({ result: Run_Result.FAIL, exitCode: 1 });
    expect(server.logText("run-refused")).toContain(
      "tstr: the server refused the results: InvalidArgument: k6.metrics[0].name: refused by test; finished without them",
    );
  });

  it("skips ReportResults when the run left nothing behind", async () => {
    harness = await startAgentHarness();
    harness.server.assign({ id: "run-plain" });
    await waitFor("FinishRun", () => harness?.server.finishes.length === 1);
    expect(harness.server.reports).toEqual([]);
  });
});
