import { resolve } from "node:path";
import { createJsonLogger, type Logger } from "@tstr/control-plane";
import { createExecutor, createRunnerAgent, createRunnerClient } from "@tstr/runner";
import packageJson from "../../package.json" with { type: "json" };
import type { RunnerConfig } from "../runner-config.js";
import { untilSignal } from "./serve.js";

/** A started runner, stopped by draining. */
export interface RunnerHandle {
  runnerId: string | undefined;
  /** Drains: resolves when in-flight runs have finished or been handed back. */
  stop(): Promise<void>;
}

/**
 * Builds the executor and the agent from a parsed config, removes what a previous runner
 * process left behind, registers and starts receiving work. Shared by `tstr runner` and
 * `tstr dev` (which runs a local runner next to the server).
 */
export async function startRunner(config: RunnerConfig, logger: Logger, signal?: AbortSignal): Promise<RunnerHandle> {
  const executor = createExecutor({
    kind: config.executor,
    runnerName: config.name,
    workDir: resolve(config.workDir),
    processBaseEnv: process.env.PATH ? { PATH: process.env.PATH } : {},
    dockerNetwork: config.dockerNetwork,
    kubeNamespace: config.kubeNamespace,
    kubeconfig: config.kubeconfig,
  });
  const removed = await executor.cleanupOrphans();
  if (removed > 0) logger.info("removed workloads left by an earlier runner", { removed });
  const credentials = { token: config.token };
  const agent = createRunnerAgent({
    client: createRunnerClient({ baseUrl: config.server, credentials }),
    onRunnerToken: (token) => {
      credentials.token = token;
    },
    executor,
    logger,
    options: {
      name: config.name,
      labels: config.labels,
      acceptSelectors: config.acceptSelectors,
      rejectSelectors: config.rejectSelectors,
      namespaceSelectors: config.namespaceSelectors,
      capacity: config.capacity,
      version: packageJson.version,
      dispatch: config.dispatch,
      drainTimeoutMs: config.drainTimeoutMs,
    },
  });
  const stopOnSignal = () => void agent.stop();
  signal?.addEventListener("abort", stopOnSignal, { once: true });
  await agent.start();
  signal?.removeEventListener("abort", stopOnSignal);
  return {
    get runnerId() {
      return agent.runnerId;
    },
    stop: () => agent.stop(),
  };
}

/**
 * `tstr runner`: runs until SIGINT/SIGTERM, then drains (no new work; in-flight runs finish or
 * are handed back after --drain-timeout) and returns, so the process exits 0.
 */
export async function runnerCommand(config: RunnerConfig): Promise<void> {
  const logger = createJsonLogger((line) => process.stderr.write(line), config.logLevel, {
    component: "runner",
    runner: config.name,
  });
  const signalled = untilSignal(logger);
  const interrupted = new AbortController();
  void signalled.then(() => interrupted.abort());
  logger.info("starting", { server: config.server, executor: config.executor, capacity: config.capacity });
  const runner = await startRunner(config, logger, interrupted.signal);
  if (!interrupted.signal.aborted) logger.info("running", { runnerId: runner.runnerId });
  await signalled;
  await runner.stop();
}
