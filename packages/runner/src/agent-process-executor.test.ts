import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createProcessExecutor } from "@tstr/executor-process";
import { LogStream, Run_Result, TestCase_Status } from "@tstr/proto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AgentHarness, startAgentHarness, waitFor } from "./test-support/agent-harness.js";

let harness: AgentHarness | undefined;
let workRoot = "";
beforeEach(async () => {
  workRoot = await mkdtemp(join(tmpdir(), "tstr-runner-process-"));
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await rm(workRoot, { recursive: true, force: true });
});

const SCRIPT = `
echo "hello from $TSTR_TEST_NAME attempt $TSTR_ATTEMPT label $TSTR_LABEL_TEAM"
echo "to stderr" >&2
printf '\\034\\036 marker:yes \\036\\034\\n'
printf '{"score": 7}' > "$TSTR_RESULTS_DIR/result.json"
mkdir -p "$TSTR_RESULTS_DIR/junit"
printf '<testsuite name="s"><testcase classname="c" name="n" time="0.1"/></testsuite>' > "$TSTR_RESULTS_DIR/junit/r.xml"
cat data.txt
exit 2
`;

describe("runner agent with the real process executor", () => {
  it("runs a real process, streams both outputs and reports its results", async () => {
    harness = await startAgentHarness({ executor: createProcessExecutor({ workRoot }) });
    const { server } = harness;
    server.assign({
      id: "proc-1",
      testName: "real",
      labels: { team: "qa" },
      runConfig: {
        command: "sh",
        args: ["script.sh"],
        files: [
          { path: "script.sh", content: new TextEncoder().encode(SCRIPT) },
          { path: "data.txt", content: new TextEncoder().encode("file content\n") },
        ],
      },
    });
    await waitFor("FinishRun", () => server.finishes.length === 1, 10_000);
    expect(server.finishes[0]).toMatchObject({ result: Run_Result.FAIL, exitCode: 2 });
    const decoder = new TextDecoder();
    const text = (stream: LogStream) =>
      server
        .log("proc-1")
        .filter((chunk) => chunk.stream === stream)
        .map((chunk) => decoder.decode(chunk.data))
        .join("");
    expect(text(LogStream.STDOUT)).toContain("hello from real attempt 1 label qa\n");
    expect(text(LogStream.STDOUT)).toContain("file content\n");
    expect(text(LogStream.STDERR)).toBe("to stderr\n");
    expect(server.reports[0]?.resultData).toEqual({ marker: "yes", score: "7" });
    expect(server.reports[0]?.testCases.map((c) => [c.name, c.status])).toEqual([["n", TestCase_Status.PASSED]]);
  });

  it("cancels a real process within a second", async () => {
    harness = await startAgentHarness({ executor: createProcessExecutor({ workRoot }) });
    const { server } = harness;
    server.assign({ id: "proc-2", runConfig: { command: "sh", args: ["-c", "echo started; exec sleep 30"] } });
    await waitFor("the process to start", () => server.logText("proc-2").includes("started"), 10_000);
    const cancelledAt = Date.now();
    server.cancel("proc-2", "stream");
    await waitFor("FinishRun", () => server.finishes.length === 1);
    expect(Date.now() - cancelledAt).toBeLessThan(1_000);
    expect(server.finishes[0]).toMatchObject({ result: Run_Result.CANCELLED });
  });
});
