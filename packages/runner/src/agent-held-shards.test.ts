import { Run_Result } from "@tstr/proto";
import { afterEach, describe, expect, it } from "vitest";
import { type AgentHarness, startAgentHarness, waitFor } from "./test-support/agent-harness.js";

// A shard of a distributed k6 run may arrive held: the runner keeps its slot and its lease but
// must not start it until the group is released (by a new delivery or in a heartbeat answer).

let harness: AgentHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const shard = (id: string) => ({
  id,
  executor: "k6",
  hold: true,
  shardIndex: 0,
  shardCount: 2,
  runConfig: { command: "k6", args: ["run", "x.js"] },
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function heldShard(options: { dispatch?: "stream" | "poll"; capacity?: number; drainTimeoutMs?: number } = {}) {
  harness = await startAgentHarness({
    options: { ...options, slotWaitMs: 100 },
    configure: (server) => {
      server.heartbeatIntervalMs = 100;
    },
    script: () => ({ output: [{ stream: "stdout", text: "k6 running\n" }], exitCode: 0 }),
  });
  const { server, executor } = harness;
  const assignment = server.assign(shard("held-1"));
  await waitFor("a heartbeat renewing the held run", () =>
    server.heartbeats.some((beat) => beat.runs.some((lease) => lease.runId === "held-1")),
  );
  await sleep(200);
  expect(server.starts).toEqual([]);
  expect(executor.executions).toEqual([]);
  return { server, executor, assignment };
}

describe("runner agent with held shards", () => {
  it.each([
    ["a new delivery on the stream", "stream", "stream"],
    ["a new delivery to the long poll", "poll", "stream"],
    ["the heartbeat's released list", "stream", "heartbeat"],
  ] as const)("starts a held shard only when released by %s", async (_, dispatch, via) => {
    const { server, executor, assignment } = await heldShard({ dispatch });
    server.releaseShard(assignment, via);
    await waitFor("FinishRun", () => server.finishes.length === 1);
    expect(server.calls[0]).toBe("StartRun held-1");
    expect(server.finishes[0]).toMatchObject({ runId: "held-1", result: Run_Result.PASS });
    expect(executor.executions).toHaveLength(1);
  });

  it("keeps the held shard's slot: a second run waits and is handed back at capacity", async () => {
    const { server, executor } = await heldShard({ capacity: 1 });
    server.ignoreFreeSlots = true;
    server.assign({ id: "other" });
    await waitFor("the other run to be handed back", () => server.handBacks.length === 1);
    expect(server.handBacks[0]).toMatchObject({ runId: "other", reason: "runner at capacity" });
    expect(executor.executions).toEqual([]);
  });

  it("finishes a shard cancelled while held CANCELLED, without starting it", async () => {
    const { server, executor } = await heldShard();
    server.cancel("held-1", "stream", "group cancelled");
    await waitFor("FinishRun", () => server.finishes.length === 1);
    expect(server.finishes[0]).toMatchObject({ runId: "held-1", result: Run_Result.CANCELLED });
    expect(server.starts).toEqual([]);
    expect(executor.executions).toEqual([]);
    expect(server.logText("held-1")).toContain("stopped before every shard of its group was placed; it never started");
  });

  it("drops a shard whose lease is revoked while held, reporting nothing", async () => {
    const { server, executor } = await heldShard();
    server.revoke("held-1");
    await waitFor("a heartbeat without the run", () => server.heartbeats.at(-1)?.runs.length === 0);
    expect(server.calls).toEqual([]);
    expect(executor.executions).toEqual([]);
  });

  it("hands a held shard back at once when the runner drains", async () => {
    // A drain timeout far above the bound: only a hand-back that does not wait for it passes,
    // with room for a loaded CI machine.
    const { server, executor } = await heldShard({ drainTimeoutMs: 30_000 });
    const began = Date.now();
    await harness?.agent.stop();
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(server.handBacks).toMatchObject([{ runId: "held-1", reason: "runner draining" }]);
    expect(server.starts).toEqual([]);
    expect(executor.executions).toEqual([]);
  });
});
