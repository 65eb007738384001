import { LogStream, Run_Result } from "@tstr/proto";
import { afterEach, describe, expect, it } from "vitest";
import { type AgentHarness, startAgentHarness, waitFor } from "./test-support/agent-harness.js";

let harness: AgentHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("runner agent drain", () => {
  it("stops taking work, heartbeats as draining, and lets in-flight runs finish", async () => {
    harness = await startAgentHarness({
      configure: (server) => {
        server.heartbeatIntervalMs = 100;
      },
      script: () => ({ output: [{ stream: "stdout", text: "done\n", afterMs: 400 }], exitCode: 0 }),
    });
    const { server, agent } = harness;
    server.assign({ id: "in-flight" });
    await waitFor("StartRun", () => server.starts.length === 1);
    const stopping = agent.stop();
    await waitFor("a draining heartbeat", () => server.heartbeats.some((h) => h.draining && h.runs.length === 1));
    server.assign({ id: "too-late" });
    await stopping;
    expect(server.finishes).toMatchObject([{ runId: "in-flight", result: Run_Result.PASS }]);
    expect(server.handBacks).toEqual([]);
    expect(server.starts.map((s) => s.runId)).toEqual(["in-flight"]);
    expect(server.openStreams).toBe(0);
  });

  it("hands back what still runs at the drain deadline, after stopping it", async () => {
    harness = await startAgentHarness({
      options: { drainTimeoutMs: 200 },
      script: () => ({ output: [{ stream: "stdout", text: "forever\n" }], ignoreSigterm: true }),
    });
    const { server, agent, executor } = harness;
    server.assign({ id: "stuck", runConfig: { gracePeriod: { seconds: 0n, nanos: 300_000_000 } } });
    await waitFor("the workload to start", () => server.logText("stuck").includes("forever"));
    const began = Date.now();
    await agent.stop();
    expect(Date.now() - began).toBeGreaterThanOrEqual(450);
    expect(server.handBacks).toMatchObject([{ runId: "stuck", attempt: 1, reason: "runner draining" }]);
    expect(server.finishes).toEqual([]);
    expect(executor.executions[0]).toMatchObject({ removed: true, stops: [{ gracePeriodMs: 300 }] });
    expect(executor.running).toBe(0);
    const system = server.log("stuck").filter((chunk) => chunk.stream === LogStream.SYSTEM);
    expect(new TextDecoder().decode(system.at(-1)?.data)).toBe(
      "tstr: runner draining: stopping the run and handing it back, sending SIGTERM (grace period 300ms)\n",
    );
    expect(server.calls.at(-1)).toBe("HandBackRun stuck");
  });

  it("stops promptly when nothing runs, even while registration is still failing", async () => {
    harness = await startAgentHarness({ start: false });
    const { server, agent } = harness;
    await server.close();
    const starting = agent.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await agent.stop();
    await starting;
    expect(agent.runnerId).toBeUndefined();
  });
});
