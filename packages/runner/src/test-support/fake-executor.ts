import type {
  ExecutionExit,
  ExecutionHandle,
  ExecutionSpec,
  Executor,
  ExecutorError,
  OutputChunk,
  ResultFile,
} from "@tstr/executor";

/** What a fake workload does: the script of one run. */
export interface FakeWorkload {
  /** Output produced in order, each piece `afterMs` after the previous one. */
  output?: { stream: "stdout" | "stderr"; text: string; afterMs?: number }[];
  /** Exit code once the output is written; omitted = runs until stopped. */
  exitCode?: number;
  /** Ignores SIGTERM, so stop() takes the whole grace period (a slow stop). */
  ignoreSigterm?: boolean;
  /** Thrown by start(). */
  startError?: ExecutorError;
  /** How long start() takes (an image pull); aborting the start signal cuts it short. */
  startDelayMs?: number;
  /** Files found in the results directory after the run. */
  results?: { path: string; content: string }[];
  /** Infrastructure failure reported by wait() (e.g. an eviction). */
  exitError?: { reason: string; message: string };
}

/** A record of what happened to one fake workload, for assertions. */
export interface FakeExecution {
  spec: ExecutionSpec;
  stops: { gracePeriodMs: number; at: number }[];
  removed: boolean;
  exit?: ExecutionExit;
}

/** The fake backend plus what it observed. */
export interface FakeExecutor extends Executor {
  readonly executions: FakeExecution[];
  /** Workloads running right now, and the most that ever ran at once. */
  readonly running: number;
  readonly maxRunning: number;
}

/**
 * TEST DOUBLE: an in-memory Executor whose workloads follow a script (output with delays, exit
 * codes, slow stops, start failures). It stands in for the process and Docker backends so agent
 * tests control timing exactly; one agent test also runs the real process executor.
 */
export function createFakeExecutor(script: (spec: ExecutionSpec) => FakeWorkload): FakeExecutor {
  const executions: FakeExecution[] = [];
  let running = 0;
  let maxRunning = 0;
  return {
    name: "fake",
    executions,
    get running() {
      return running;
    },
    get maxRunning() {
      return maxRunning;
    },
    cleanupOrphans: async () => 0,
    async start(spec, signal) {
      const workload = script(spec);
      if (workload.startDelayMs) await delay(workload.startDelayMs, signal);
      if (signal.aborted) throw new Error("start aborted");
      if (workload.startError) throw workload.startError;
      const record: FakeExecution = { spec, stops: [], removed: false };
      executions.push(record);
      running++;
      maxRunning = Math.max(maxRunning, running);
      return startWorkload(workload, record, () => running--);
    },
  };
}

function startWorkload(workload: FakeWorkload, record: FakeExecution, onExit: () => void): ExecutionHandle {
  const queue: OutputChunk[] = [];
  let outputDone = false;
  let wakeReader: (() => void) | undefined;
  let resolveExit: (exit: ExecutionExit) => void = () => {};
  const exited = new Promise<ExecutionExit>((resolve) => {
    resolveExit = resolve;
  });
  let ended = false;
  let stopped = false;
  const kill = new AbortController();

  const end = (exit: ExecutionExit) => {
    if (ended) return;
    ended = true;
    kill.abort();
    record.exit = exit;
    outputDone = true;
    wakeReader?.();
    onExit();
    resolveExit(exit);
  };

  void (async () => {
    for (const piece of workload.output ?? []) {
      if (piece.afterMs) await delay(piece.afterMs, kill.signal);
      if (ended) return;
      queue.push({ stream: piece.stream, data: new TextEncoder().encode(piece.text), time: new Date() });
      wakeReader?.();
    }
    if (workload.exitCode !== undefined) {
      end({ exitCode: workload.exitCode, ...(workload.exitError ? { error: workload.exitError } : {}) });
    }
  })();

  return {
    async *output() {
      for (;;) {
        const chunk = queue.shift();
        if (chunk) {
          yield chunk;
          continue;
        }
        if (outputDone) return;
        await new Promise<void>((resolve) => {
          wakeReader = resolve;
        });
        wakeReader = undefined;
      }
    },
    wait: () => exited,
    async stop(gracePeriodMs) {
      record.stops.push({ gracePeriodMs, at: Date.now() });
      if (ended) return;
      stopped = true;
      if (workload.ignoreSigterm) await delay(gracePeriodMs, kill.signal);
      end({ exitCode: workload.ignoreSigterm ? 137 : 143, stopped });
    },
    async results(maxBytes): Promise<ResultFile[]> {
      const files = (workload.results ?? []).map((file) => ({
        path: file.path,
        content: new TextEncoder().encode(file.content),
      }));
      const kept: ResultFile[] = [];
      let total = 0;
      for (const file of files) {
        total += file.content.length;
        if (total <= maxBytes) kept.push(file);
      }
      return kept;
    },
    async openResult(path) {
      const file = workload.results?.find((f) => f.path === path);
      if (!file) return undefined;
      const bytes = new TextEncoder().encode(file.content);
      return (async function* () {
        // Small chunks, so readers meet lines and characters split across chunks.
        for (let at = 0; at < bytes.length; at += 4096) yield bytes.subarray(at, at + 4096);
      })();
    },
    async remove() {
      record.removed = true;
    },
  };
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
