/**
 * The executor port: how a runner starts one run's workload on some backend (a host process,
 * Docker, Kubernetes) and observes it. Backends implement it; one contract suite checks them all.
 */

/** Everything a backend needs to start one attempt of a run. */
export interface ExecutionSpec {
  runId: string;
  attempt: number;
  /** Container image (ignored by the process backend). */
  image: string;
  /**
   * Program and arguments. For containers an empty list means the image's own entrypoint and
   * command; `entrypointOverride` says whether command[0] replaces the entrypoint. Every backend
   * replaces `$(TSTR_RESULTS_DIR)` in the command and in `env` values with the results directory as
   * the workload sees it (Kubernetes' variable reference syntax; `$$(TSTR_RESULTS_DIR)` stays literal).
   */
  command: string[];
  entrypointOverride: boolean;
  /** Complete environment of the workload, TSTR_* variables included. */
  env: Record<string, string>;
  /** Working directory inside the workload; files are written relative to it. */
  workingDir?: string;
  /**
   * Files (scripts, data) placed in the working directory before the start. Paths are relative
   * (forward slashes, no `..`); `mode` defaults to 0o755 so a script can be run directly.
   */
  files: { path: string; content: Uint8Array; mode?: number }[];
  /** Labels to put on the container/pod/process group (run id, test, run labels). */
  labels: Record<string, string>;
  /**
   * Where the workload sees its results directory; TSTR_RESULTS_DIR in `env` points here. A
   * backend without its own filesystem view (process) substitutes a host directory.
   */
  resultsPath: string;
  resources?: { cpuCores?: number; memoryBytes?: number };
  /** "none" (default) or "host"; other modes are backend-specific. */
  network?: string;
  pullPolicy?: "always" | "if-not-present" | "never";
  /** The test's timeout; backends that enforce deadlines themselves (a Job's) derive them from it. */
  timeoutMs?: number;
  /** SIGTERM→SIGKILL grace, for backends that stop workloads themselves (a pod's grace period). */
  gracePeriodMs?: number;
  /** run_config.kubernetes, passed through to the Kubernetes executor (others ignore it). */
  kubernetes?: unknown;
}

/** A piece of the workload's output, in the order it was produced on its stream. */
export interface OutputChunk {
  stream: "stdout" | "stderr";
  data: Uint8Array;
  time: Date;
}

/** How the workload ended. */
export interface ExecutionExit {
  /** Present when the workload ran and exited by itself or by a signal we sent. */
  exitCode?: number;
  /** Set when it was stopped on request (timeout or cancel), whatever its exit code. */
  stopped?: boolean;
  /** Infrastructure failure after start (e.g. evicted); the run ends ERROR with this reason. */
  error?: { reason: string; message: string };
}

/** A file the workload left in its results directory. */
export interface ResultFile {
  /** Relative to the results directory, with forward slashes. */
  path: string;
  content: Uint8Array;
}

/** A started workload. */
export interface ExecutionHandle {
  /**
   * Output chunks as they arrive, ending when the workload's streams close. Read once; chunks are
   * buffered until read, so a workload never blocks on a consumer that has not started yet.
   */
  output(): AsyncIterable<OutputChunk>;
  /** Resolves when the workload has ended. */
  wait(): Promise<ExecutionExit>;
  /** SIGTERM, then SIGKILL after `gracePeriodMs` if it has not ended; resolves when it has. */
  stop(gracePeriodMs: number): Promise<void>;
  /** The files under the results directory, at most `maxBytes` in total (larger ones are skipped). */
  results(maxBytes: number): Promise<ResultFile[]>;
  /**
   * Opens one file of the results directory (a relative path) for streaming, for outputs too large
   * to read whole (k6's NDJSON); undefined when it is missing or not a regular file. Symbolic links
   * are not followed. Read the stream to its end or destroy it before remove().
   */
  openResult?(path: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** Frees everything the backend created for this run (container, temp dirs). Idempotent. */
  remove(): Promise<void>;
}

/** A backend that runs workloads. */
export interface Executor {
  /** "process", "docker", "kubernetes". */
  readonly name: string;
  /**
   * Starts the workload. Throws ExecutorError for infrastructure failures (image missing, create
   * failed); the run then ends ERROR with the error's reason. `signal` aborts a slow start.
   */
  start(spec: ExecutionSpec, signal: AbortSignal): Promise<ExecutionHandle>;
  /** Removes what earlier runner processes left behind (by label). Returns how many. */
  cleanupOrphans(): Promise<number>;
}

/** Reasons an executor reports for infrastructure failures. */
export type ExecutorFailureReason =
  | "IMAGE_NOT_FOUND"
  | "IMAGE_PULL_FAILED"
  | "CREATE_FAILED"
  | "START_FAILED"
  | "EXECUTOR_UNAVAILABLE"
  | "EVICTED"
  | "UNSCHEDULABLE";

/** An infrastructure failure: the workload did not run (or was killed by the platform). */
export class ExecutorError extends Error {
  override readonly name = "ExecutorError";
  constructor(
    readonly reason: ExecutorFailureReason,
    message: string,
  ) {
    super(message);
  }
}
