import type { ExecutionHandle, ExecutionSpec, Executor, ExecutorFailureReason } from "../executor.js";
import type { CollectedOutput } from "./output-collector.js";

/** What a backend hands the contract suite. */
export interface ExecutorContractSubject {
  executor: Executor;
  /** An image with POSIX sh and busybox applets (ignored by the process backend). */
  image: string;
  /**
   * An executor over the same backend storage that plays an earlier runner process which died
   * without cleaning up (same runner id / a dead owner pid). What it starts must be reclaimed by
   * `executor.cleanupOrphans()`, while the runs `executor` itself started are left alone.
   */
  earlierRunner: () => Promise<Executor>;
  /**
   * How a command that does not exist surfaces: `start` throws ExecutorError with this reason, or
   * the workload starts and exits 127 like a shell would. Each backend documents its choice.
   */
  missingCommand: { reason: ExecutorFailureReason } | { exitCode: 127 };
  /** TSTR_RESULTS_DIR is replaced by a host directory instead of spec.resultsPath (process). */
  resultsDirOnHost?: boolean;
  /**
   * stdout and stderr arrive merged into one stream, reported as stdout (Kubernetes serves a pod's
   * log that way): the contract then checks that each stream's lines keep their order within it.
   */
  mergedStreams?: boolean;
  /** Backend-specific check: descriptions of anything still held for this run (empty = clean). */
  leftovers?: (spec: ExecutionSpec) => Promise<string[]>;
  teardown?: () => Promise<void>;
}

/** A started contract workload with its output being collected. */
export interface ContractRun {
  spec: ExecutionSpec;
  handle: ExecutionHandle;
  output: CollectedOutput;
}

/** What the contract's test groups share: the subject and a way to start tracked workloads. */
export interface ContractContext {
  subject(): ExecutorContractSubject;
  spec(script: string, overrides?: Partial<ExecutionSpec>): ExecutionSpec;
  /** Starts a workload; whatever a test leaves running is removed after the suite. */
  start(spec: ExecutionSpec): Promise<ContractRun>;
  leftovers(spec: ExecutionSpec): Promise<string[]>;
}

/** Where the contract's workloads see their results directory (container view). */
export const CONTRACT_RESULTS_PATH = "/tstr/results";

/** A spec for one contract workload: `sh -c script`, a fresh run id, results env set. */
export function contractSpec(image: string, script: string, overrides: Partial<ExecutionSpec> = {}): ExecutionSpec {
  const runId = `contract-${crypto.randomUUID()}`;
  return {
    runId,
    attempt: 1,
    image,
    command: ["sh", "-c", script],
    entrypointOverride: false,
    env: { TSTR_RUN_ID: runId, TSTR_RESULTS_DIR: CONTRACT_RESULTS_PATH },
    files: [],
    labels: { suite: "executor-contract" },
    resultsPath: CONTRACT_RESULTS_PATH,
    network: "none",
    ...overrides,
  };
}

/** Resolves with the promise's value, or rejects when it takes longer than `ms`. */
export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
