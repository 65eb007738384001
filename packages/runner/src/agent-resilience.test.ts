import { Code } from "@connectrpc/connect";
import { Run_Result } from "@tstr/proto";
import { afterEach, describe, expect, it } from "vitest";
import { type AgentHarness, startAgentHarness, waitFor } from "./test-support/agent-harness.js";

let harness: AgentHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const chatty = () => ({
  output: Array.from({ length: 20 }, (_, i) => ({ stream: "stdout" as const, text: `line ${i}\n`, afterMs: 15 })),
  exitCode: 0,
});

describe("runner agent under faults", () => {
  it("retries a failing AppendLogs with the same seqs, leaving no gaps", async () => {
    harness = await startAgentHarness({ script: chatty });
    const { server } = harness;
    server.appendFailures = { remaining: 3, code: Code.Unavailable, storeAnyway: false };
    server.assign({ id: "run-flaky" });
    await waitFor("FinishRun", () => server.finishes.length === 1);

    // Each retry resends the unacknowledged chunks from the same first seq (more may have joined).
    const firstSeqs = server.appendCalls.slice(0, 4).map((chunks) => chunks[0]?.seq);
    expect(firstSeqs).toEqual([1n, 1n, 1n, 1n]);
    const firstChunk = server.appendCalls.slice(0, 4).map((chunks) => new TextDecoder().decode(chunks[0]?.data));
    expect(new Set(firstChunk).size).toBe(1);
    const seqs = server.log("run-flaky").map((c) => c.seq);
    expect(seqs).toEqual(seqs.map((_, i) => BigInt(i + 1)));
    expect(server.finishes[0]?.lastLogSeq).toBe(BigInt(seqs.length));
    expect(server.logText("run-flaky")).toContain(Array.from({ length: 20 }, (_, i) => `line ${i}\n`).join(""));
  });

  it("does not duplicate lines when an AppendLogs answer is lost after the chunks were stored", async () => {
    harness = await startAgentHarness({ script: chatty });
    const { server } = harness;
    server.appendFailures = { remaining: 2, code: Code.DeadlineExceeded, storeAnyway: true };
    server.assign({ id: "run-lost" });
    await waitFor("FinishRun", () => server.finishes.length === 1);
    const text = server.logText("run-lost");
    expect(text.match(/line 0\n/g)).toHaveLength(1);
    expect(server.finishes[0]).toMatchObject({ result: Run_Result.PASS });
  });

  it("reopens a broken work stream and keeps receiving", async () => {
    harness = await startAgentHarness();
    const { server } = harness;
    server.breakStreams();
    await waitFor("a second ReceiveWork", () => server.receiveWorkCalls.length >= 2 && server.openStreams === 1);
    server.breakStreams();
    await waitFor("a third ReceiveWork", () => server.receiveWorkCalls.length >= 3 && server.openStreams === 1);
    server.assign({ id: "run-after-break" });
    await waitFor("FinishRun", () => server.finishes.length === 1);
    expect(server.finishes[0]).toMatchObject({ runId: "run-after-break", result: Run_Result.PASS });
  });

  it("waits for a server that is not up yet, then registers", async () => {
    harness = await startAgentHarness({ start: false });
    const { server, agent } = harness;
    const port = Number(new URL(server.url).port);
    await server.close();
    const starting = agent.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.listen(port);
    await starting;
    expect(agent.runnerId).toBe("runner-runner-a");
  });

  it("fails to start at once when the server refuses the registration", async () => {
    harness = await startAgentHarness({
      start: false,
      configure: (server) => {
        server.registrationFailure = Code.Unauthenticated;
      },
    });
    await expect(harness.agent.start()).rejects.toThrow(/registration refused/);
    expect(harness.server.registrations).toHaveLength(1);
  });

  it("backs off instead of spinning while the stream keeps failing", async () => {
    harness = await startAgentHarness({ start: false });
    const { server, agent } = harness;
    server.streamFailure = Code.Unavailable;
    void agent.start();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const attempts = server.receiveWorkCalls.length;
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(9);
    server.streamFailure = undefined;
    await waitFor("the stream to open", () => server.openStreams === 1, 10_000);
  });

  it("survives a server restart on the same port", async () => {
    harness = await startAgentHarness();
    const { server } = harness;
    const port = new URL(server.url).port;
    await server.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.listen(Number(port));
    await waitFor("the stream to be reopened", () => server.openStreams === 1, 10_000);
    server.assign({ id: "run-after-restart" });
    await waitFor("FinishRun", () => server.finishes.length === 1);
  });

  it("receives work by long polling in poll mode", async () => {
    harness = await startAgentHarness({ options: { dispatch: "poll", capacity: 2 } });
    const { server } = harness;
    await waitFor("an AcquireWork", () => server.acquireWorkCalls.length > 0);
    expect(server.acquireWorkCalls[0]).toMatchObject({ runnerId: "runner-runner-a", freeSlots: 2 });
    expect(server.receiveWorkCalls).toEqual([]);
    server.assign({ id: "p1" });
    server.assign({ id: "p2" });
    await waitFor("both FinishRuns", () => server.finishes.length === 2);
  });

  it("delivers cancellations through the long poll", async () => {
    harness = await startAgentHarness({
      options: { dispatch: "poll" },
      configure: (server) => {
        server.heartbeatIntervalMs = 60_000;
      },
      script: () => ({ output: [{ stream: "stdout", text: "started\n" }] }),
    });
    const { server } = harness;
    server.assign({ id: "p-cancel" });
    await waitFor("the workload to start", () => server.logText("p-cancel").includes("started"));
    const cancelledAt = Date.now();
    server.cancel("p-cancel", "stream");
    await waitFor("FinishRun", () => server.finishes.length === 1);
    expect(Date.now() - cancelledAt).toBeLessThan(1_000);
    expect(server.finishes[0]).toMatchObject({ result: Run_Result.CANCELLED });
  });

  it("falls back to polling when the server does not implement ReceiveWork", async () => {
    harness = await startAgentHarness({
      configure: (server) => {
        server.streamUnimplemented = true;
      },
    });
    const { server } = harness;
    expect(server.receiveWorkCalls).toHaveLength(2);
    await waitFor("an AcquireWork", () => server.acquireWorkCalls.length > 0);
    server.assign({ id: "fallback" });
    await waitFor("FinishRun", () => server.finishes.length === 1);
  });
});
