import { ExecutorError } from "@tstr/executor";
import { LogStream, Run_Result } from "@tstr/proto";
import { afterEach, describe, expect, it } from "vitest";
import { type AgentHarness, startAgentHarness, waitFor } from "./test-support/agent-harness.js";

let harness: AgentHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const finished = (h: AgentHarness, runId: string) => () => h.server.finishes.some((f) => f.runId === runId);

describe("runner agent", () => {
  it("registers with its labels, selectors, capacity, executor and version", async () => {
    harness = await startAgentHarness({ options: { capacity: 3 } });
    expect(harness.agent.runnerId).toBe("runner-runner-a");
    const [registration] = harness.server.registrations;
    expect(registration).toMatchObject({
      name: "runner-a",
      labels: { region: "eu" },
      acceptSelectors: ["team=qa"],
      rejectSelectors: ["flaky"],
      namespaceSelectors: [".*"],
      capacity: 3,
      executors: ["fake"],
      version: "0.1.0-test",
    });
    expect(harness.server.authorizations).toEqual(["Bearer runner-token"]);
    expect(harness.server.receiveWorkCalls[0]).toMatchObject({ runnerId: "runner-runner-a", freeSlots: 3 });
  });

  it("runs an assignment to PASS with every log line in order and contiguous seqs", async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}\n`);
    harness = await startAgentHarness({
      script: () => ({
        output: lines.map((text, i) => ({
          stream: i % 10 === 9 ? "stderr" : "stdout",
          text,
          afterMs: i % 7 === 0 ? 5 : 0,
        })),
        exitCode: 0,
      }),
    });
    const { server } = harness;
    server.assign({ id: "run-1", labels: { team: "qa" }, runConfig: { command: "sh", args: ["-c", "echo"] } });
    await waitFor("FinishRun", finished(harness, "run-1"));

    const [finish] = server.finishes;
    expect(finish).toMatchObject({ runId: "run-1", attempt: 1, result: Run_Result.PASS, exitCode: 0 });
    const log = server.log("run-1");
    expect(log.map((chunk) => chunk.seq)).toEqual(log.map((_, i) => BigInt(i + 1)));
    expect(finish?.lastLogSeq).toBe(BigInt(log.length));
    const decoder = new TextDecoder();
    const workloadText = log
      .filter((chunk) => chunk.stream !== LogStream.SYSTEM)
      .map((chunk) => decoder.decode(chunk.data))
      .join("");
    expect(workloadText).toBe(lines.join(""));
    for (const chunk of log.filter((c) => c.stream === LogStream.STDERR)) {
      expect(decoder.decode(chunk.data)).toMatch(/^(line \d*9\n)+$/);
    }
    expect(server.logText("run-1")).toMatch(/^tstr: starting example\/test:1 with the fake executor\n/);
    expect(server.calls[0]).toBe("StartRun run-1");
    expect(server.calls.at(-1)).toBe("FinishRun run-1");
    const [execution] = harness.executor.executions;
    expect(execution?.spec).toMatchObject({
      command: ["sh", "-c", "echo"],
      entrypointOverride: true,
      labels: { "run-id": "run-1", test: "test-run-1", namespace: "default", team: "qa" },
    });
    await waitFor("the workload to be removed", () => execution?.removed === true);
  });

  it("finishes FAIL with the exit code on a non-zero exit", async () => {
    harness = await startAgentHarness({
      script: () => ({ output: [{ stream: "stdout", text: "boom\n" }], exitCode: 3 }),
    });
    harness.server.assign({ id: "run-fail" });
    await waitFor("FinishRun", finished(harness, "run-fail"));
    expect(harness.server.finishes[0]).toMatchObject({ result: Run_Result.FAIL, exitCode: 3 });
    expect(harness.server.logText("run-fail")).toContain("tstr: exit code 3, result FAIL (EXIT_CODE_3)");
  });

  it("finishes ERROR with the executor's reason when the workload cannot start", async () => {
    harness = await startAgentHarness({
      script: () => ({ startError: new ExecutorError("IMAGE_NOT_FOUND", "no such image: example/test:1") }),
    });
    harness.server.assign({ id: "run-err" });
    await waitFor("FinishRun", finished(harness, "run-err"));
    expect(harness.server.finishes[0]).toMatchObject({ result: Run_Result.ERROR, reason: "IMAGE_NOT_FOUND" });
    expect(harness.server.log("run-err").every((chunk) => chunk.stream === LogStream.SYSTEM)).toBe(true);
    expect(harness.server.logText("run-err")).toContain(
      "tstr: could not start the workload (IMAGE_NOT_FOUND): no such image: example/test:1",
    );
  });

  it("stops a run past its timeout and finishes TIMED_OUT", async () => {
    harness = await startAgentHarness({ script: () => ({ output: [{ stream: "stdout", text: "working\n" }] }) });
    harness.server.assign({
      id: "run-slow",
      runConfig: { timeout: { seconds: 0n, nanos: 300_000_000 }, gracePeriod: { seconds: 2n, nanos: 0 } },
    });
    await waitFor("FinishRun", finished(harness, "run-slow"));
    expect(harness.server.finishes[0]).toMatchObject({ result: Run_Result.TIMED_OUT });
    expect(harness.executor.executions[0]?.stops[0]?.gracePeriodMs).toBe(2_000);
    expect(harness.server.logText("run-slow")).toContain(
      "working\ntstr: timed out after 300ms, sending SIGTERM (grace period 2s)",
    );
  });

  it.each(["stream", "heartbeat"] as const)(
    "cancels a run within a second of a cancellation via the %s",
    async (via) => {
      harness = await startAgentHarness({
        configure: (server) => {
          server.heartbeatIntervalMs = 200;
        },
        script: () => ({ output: [{ stream: "stdout", text: "started\n" }] }),
      });
      harness.server.assign({ id: "run-c" });
      await waitFor("the workload to start", () => harness?.server.logText("run-c").includes("started") ?? false);
      const cancelledAt = Date.now();
      harness.server.cancel("run-c", via, "user asked");
      await waitFor("FinishRun", finished(harness, "run-c"));
      const stopAt = harness.executor.executions[0]?.stops[0]?.at ?? Number.POSITIVE_INFINITY;
      expect(stopAt - cancelledAt).toBeLessThan(1_000);
      expect(harness.server.finishes[0]).toMatchObject({ result: Run_Result.CANCELLED });
      expect(harness.server.logText("run-c")).toContain("started\ntstr: cancelled (user asked), sending SIGTERM");
    },
  );

  it("abandons a stale attempt: stops the workload and never finishes it", async () => {
    harness = await startAgentHarness({
      script: () => ({
        output: [
          { stream: "stdout", text: "a\n" },
          { stream: "stdout", text: "b\n", afterMs: 300 },
        ],
      }),
    });
    const { server, executor } = harness;
    server.assign({ id: "run-stale" });
    await waitFor("the first log line", () => server.logText("run-stale").includes("a\n"));
    server.markStale("run-stale");
    await waitFor("the workload to be removed", () => executor.executions[0]?.removed === true);
    expect(executor.executions[0]?.stops.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.finishes).toEqual([]);
    expect(server.reports).toEqual([]);
  });

  it("stops a run whose lease the heartbeat revokes, and reports nothing more", async () => {
    harness = await startAgentHarness({
      configure: (server) => {
        server.heartbeatIntervalMs = 100;
      },
      script: () => ({ output: [{ stream: "stdout", text: "running\n" }] }),
    });
    const { server, executor } = harness;
    server.assign({ id: "run-rev" });
    await waitFor("the workload to start", () => server.logText("run-rev").includes("running"));
    server.revoke("run-rev");
    await waitFor("the workload to be removed", () => executor.executions[0]?.removed === true);
    expect(server.finishes).toEqual([]);
    await waitFor("a heartbeat without the run", () => server.heartbeats.at(-1)?.runs.length === 0);
  });

  it("never holds more runs than its capacity, even when the server over-assigns", async () => {
    harness = await startAgentHarness({
      options: { capacity: 2, slotWaitMs: 100 },
      configure: (server) => {
        server.ignoreFreeSlots = true;
      },
      script: () => ({ output: [{ stream: "stdout", text: "x\n", afterMs: 500 }], exitCode: 0 }),
    });
    const { server, executor } = harness;
    for (const id of ["r1", "r2", "r3"]) server.assign({ id });
    await waitFor("two runs to finish", () => server.finishes.length === 2);
    expect(server.handBacks).toMatchObject([{ runId: "r3", attempt: 1, reason: "runner at capacity" }]);
    expect(executor.maxRunning).toBe(2);
  });

  it("runs queued work through its slots one capacity's worth at a time", async () => {
    harness = await startAgentHarness({
      options: { capacity: 2 },
      script: () => ({ output: [{ stream: "stdout", text: "x\n", afterMs: 50 }], exitCode: 0 }),
    });
    const { server, executor } = harness;
    for (let i = 0; i < 6; i++) server.assign({ id: `q${i}` });
    await waitFor("all runs to finish", () => server.finishes.length === 6);
    expect(executor.maxRunning).toBe(2);
    expect(server.handBacks).toEqual([]);
  });
});
