import { afterAll, beforeAll, beforeEach, describe } from "vitest";
import type { ExecutionHandle } from "../executor.js";
import { type ContractContext, contractSpec, type ExecutorContractSubject } from "./contract-subject.js";
import { describeLifecycleContract } from "./lifecycle-contract.js";
import { collectOutput } from "./output-collector.js";
import { describeWorkloadIoContract } from "./workload-io-contract.js";

export { CONTRACT_RESULTS_PATH, type ExecutorContractSubject } from "./contract-subject.js";

/**
 * The behaviour every executor backend must show, as one vitest suite: exit codes, separate and
 * ordered streams, environment, files, results, stop with grace, idempotent remove, start
 * failures, orphan cleanup and concurrency. A backend's test file calls it with a setup that
 * builds the executor against the real thing (host processes, a Docker engine, ...).
 */
export function describeExecutorContract(name: string, setup: () => Promise<ExecutorContractSubject>): void {
  describe(`executor contract: ${name}`, () => {
    let subject: ExecutorContractSubject | undefined;
    const started: ExecutionHandle[] = [];

    let setupError: unknown;

    // A failed setup fails every test (rather than vitest's skip-after-beforeAll), so a missing
    // engine shows up as failures with the setup's message.
    beforeAll(async () => {
      try {
        subject = await setup();
      } catch (err) {
        setupError = err;
      }
    }, 120_000);
    beforeEach(() => {
      if (setupError) throw setupError;
    });

    afterAll(async () => {
      await Promise.allSettled(started.map((handle) => handle.remove()));
      await subject?.teardown?.();
    }, 60_000);

    const context: ContractContext = {
      subject() {
        if (!subject) throw new Error(`executor contract ${name}: setup did not complete`);
        return subject;
      },
      spec: (script, overrides) => contractSpec(context.subject().image, script, overrides),
      async start(spec) {
        const handle = await context.subject().executor.start(spec, new AbortController().signal);
        started.push(handle);
        return { spec, handle, output: collectOutput(handle) };
      },
      leftovers: (spec) => context.subject().leftovers?.(spec) ?? Promise.resolve([]),
    };

    describeWorkloadIoContract(context);
    describeLifecycleContract(context);
  });
}
