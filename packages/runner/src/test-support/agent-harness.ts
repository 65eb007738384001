import type { ExecutionSpec, Executor } from "@tstr/executor";
import { createRunnerAgent, type RunnerAgent, type RunnerAgentOptions } from "../agent.js";
import { createRunnerClient } from "../runner-client.js";
import { createFakeExecutor, type FakeExecutor, type FakeWorkload } from "./fake-executor.js";
import { FakeRunnerService } from "./fake-runner-service.js";

/** A fake control plane, a fake executor and a real agent wired together over a real socket. */
export interface AgentHarness {
  server: FakeRunnerService;
  executor: FakeExecutor;
  agent: RunnerAgent;
  close(): Promise<void>;
}

/** Options every test starts from; small timings keep the suite fast. */
export const TEST_AGENT_OPTIONS: RunnerAgentOptions = {
  name: "runner-a",
  labels: { region: "eu" },
  acceptSelectors: ["team=qa"],
  rejectSelectors: ["flaky"],
  namespaceSelectors: [".*"],
  capacity: 1,
  version: "0.1.0-test",
  dispatch: "stream",
  drainTimeoutMs: 2_000,
  logFlushMs: 20,
  pollWaitMs: 2_000,
};

/** Starts the fake server and an agent against it (not yet started unless `start` is set). */
export async function startAgentHarness(
  setup: {
    script?: (spec: ExecutionSpec) => FakeWorkload;
    options?: Partial<RunnerAgentOptions>;
    executor?: Executor;
    configure?: (server: FakeRunnerService) => void;
    start?: boolean;
  } = {},
): Promise<AgentHarness> {
  const server = await new FakeRunnerService().listen();
  setup.configure?.(server);
  const executor = createFakeExecutor(setup.script ?? (() => ({ exitCode: 0 })));
  const agent = createRunnerAgent({
    client: createRunnerClient({ baseUrl: server.url, credentials: { token: "runner-token" } }),
    executor: setup.executor ?? executor,
    options: { ...TEST_AGENT_OPTIONS, ...setup.options },
  });
  if (setup.start !== false) await agent.start();
  return {
    server,
    executor,
    agent,
    async close() {
      await agent.stop();
      await server.close();
    },
  };
}

/** Waits until `check` holds, polling every 10 ms; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
