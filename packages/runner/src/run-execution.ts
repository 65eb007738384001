import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import {
  createMarkerScanner,
  decideOutcome,
  formatDuration,
  type Marker,
  mergeResultData,
  type RunResult,
} from "@tstr/domain";
import { type ExecutionExit, type ExecutionHandle, type Executor, ExecutorError } from "@tstr/executor";
import type { Assignment, RunnerService } from "@tstr/proto";
import type { Clock } from "./clock.js";
import { K6_EXECUTOR } from "./k6/k6-command-line.js";
import { concludeK6Run, concludeStoppedK6Run, type K6Conclusion } from "./k6/k6-conclusion.js";
import { K6ConfigError } from "./k6/k6-config-error.js";
import { resultOpener } from "./k6/k6-outputs.js";
import { createLogStreamer, type LogStreamer } from "./log-streamer.js";
import type { RunnerLogger } from "./logger.js";
import { collectResults } from "./results-collector.js";
import { deliverResults } from "./results-delivery.js";
import { fitResultsRequest, resultsRequest } from "./results-payload.js";
import { RetryAbortedError } from "./retry.js";
import { describeError, StaleAttemptError } from "./rpc-errors.js";
import { createRunReports } from "./run-reports.js";
import { buildExecutionSpec, gracePeriodMs, runTimeoutMs } from "./run-spec.js";

/** How an attempt ended, from the agent's point of view. */
export type RunEnd =
  | { kind: "finished"; result: RunResult; reason?: string }
  | { kind: "abandoned"; why: string }
  | { kind: "handed-back" };

/** One attempt being executed; the agent holds it until `done` settles (it never rejects). */
export interface RunExecution {
  readonly runId: string;
  readonly attempt: number;
  /** The server cancelled the run: stop with the grace period, finish CANCELLED. */
  cancel(reason: string): void;
  /** The attempt is no longer ours: stop, report nothing more. */
  revoke(why: string): void;
  /** Draining past the deadline: stop, send the logs so far, give the run back to the queue. */
  handBack(reason: string): void;
  /** A held shard's group is complete: start it (no-op for a run that was not held). */
  release(): void;
  /** A held shard still waiting for its group (not stopped meanwhile): it keeps its slot, unstarted. */
  readonly waitingForRelease: boolean;
  /**
   * Resolves when the run stops needing a slot: the server has acknowledged FinishRun or
   * HandBackRun, or an abandoned workload has stopped. Cleanup (remove) may still be going on.
   */
  readonly slotFreed: Promise<void>;
  readonly done: Promise<RunEnd>;
}

export interface RunExecutionDeps {
  client: Client<typeof RunnerService>;
  executor: Executor;
  clock: Clock;
  logger: RunnerLogger;
  maxResultBytes: number;
  logFlushMs: number;
  logChunkBytes: number;
  /** Aborts when the agent shuts down for good; everything still pending is abandoned. */
  signal: AbortSignal;
}

type StopIntent =
  | { kind: "timeout"; afterMs: number }
  | { kind: "cancel"; reason: string }
  | { kind: "revoke"; why: string }
  | { kind: "handback"; reason: string };

/** Output may trail the exit (a grandchild holding the pipe); it gets this long to arrive. */
const OUTPUT_DRAIN_MS = 5_000;
/** Bounds on the goodbyes of a handed-back run, so a drain always ends. */
const HANDBACK_LOG_FLUSH_MS = 5_000;
const HANDBACK_CALL_MS = 10_000;

/**
 * Executes one assignment: StartRun, start the workload, stream its output, enforce timeout,
 * cancellation and revocation, collect results (a stopped k6 run's metrics too), ReportResults
 * (fitted under the server's size limit; a refusal is logged, never fatal), and FinishRun once
 * every log chunk is acknowledged. The workload is always removed at the end, whatever happened.
 *
 * A held assignment (a shard of a distributed run whose group is not placed yet) waits for
 * release() before any of that. Revoked meanwhile, it just goes away; cancelled, it finishes
 * CANCELLED without having started; handed back, it returns to the queue.
 */
export function startRunExecution(deps: RunExecutionDeps, assignment: Assignment): RunExecution {
  const run = assignment.run;
  if (!run) throw new Error("assignment without a run");
  const { clock, executor } = deps;
  const runId = run.id;
  const attempt = assignment.attempt;
  const logger = deps.logger.child({ runId, attempt });
  const graceMs = gracePeriodMs(assignment);
  const abandon = linkedController(deps.signal);
  const logsAbort = linkedController(abandon.signal);
  const startAbort = new AbortController();
  const timers = new AbortController();
  const reports = createRunReports({ client: deps.client, clock, logger, runId, attempt, signal: abandon.signal });
  let intent: StopIntent | undefined;
  let reporting = false;
  let handle: ExecutionHandle | undefined;
  let exited = false;
  let stopping: Promise<void> | undefined;
  let streamer: LogStreamer | undefined;
  let freeSlot: () => void = () => {};
  const slotFreed = new Promise<void>((resolve) => {
    freeSlot = resolve;
  });
  let waitingForRelease = assignment.hold;
  let openGate: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    openGate = resolve;
  });

  const stopWorkload = () => {
    if (stopping || exited || !handle) return;
    stopping = handle.stop(graceMs).catch((error) => logger.warn("stopping the workload failed", { error }));
  };

  const requestStop = (next: StopIntent) => {
    if (reporting) {
      if (next.kind === "revoke") abandon.abort();
      return;
    }
    const first = intent === undefined;
    const escalates = next.kind === "revoke" || (next.kind === "handback" && intent?.kind !== "revoke");
    if (!first && !escalates) return;
    intent = next;
    openGate();
    if (next.kind === "revoke") abandon.abort();
    else void streamer?.system(`tstr: ${describeStop(next, graceMs)}`);
    logger.info("stopping the run", { intent: next });
    startAbort.abort();
    stopWorkload();
  };

  const runWorkload = async (log: LogStreamer, markers: Marker[]) => {
    let spec: ReturnType<typeof buildExecutionSpec>;
    try {
      spec = buildExecutionSpec(assignment);
    } catch (error) {
      if (!(error instanceof K6ConfigError)) throw error;
      await log.system(`tstr: cannot run k6 (${error.reason}): ${error.message}`);
      return { infraError: { reason: error.reason, message: error.message } };
    }
    await log.system(`tstr: starting ${spec.image || spec.command.join(" ")} with the ${executor.name} executor`);
    const deadline = assignment.deadlineAt ? timestampDate(assignment.deadlineAt).getTime() : undefined;
    const startedAt = clock.now().getTime();
    if (deadline !== undefined) armTimeout(deadline - startedAt, () => clock.now().getTime() - startedAt);
    if (intent) return {};
    try {
      handle = await executor.start(spec, startAbort.signal);
    } catch (error) {
      if (intent) return {};
      const infraError =
        error instanceof ExecutorError
          ? { reason: error.reason, message: error.message }
          : { reason: "EXECUTOR_FAILED", message: describeError(error) };
      await log.system(`tstr: could not start the workload (${infraError.reason}): ${infraError.message}`);
      return { infraError };
    }
    const workloadStart = clock.now().getTime();
    const timeout = runTimeoutMs(assignment);
    if (intent) stopWorkload();
    else if (timeout !== undefined) armTimeout(timeout, () => timeout);
    const pumped = pumpOutput(handle, log, markers);
    const exit = await handle.wait();
    exited = true;
    timers.abort();
    logger.debug("workload ended", { exit, ranMs: clock.now().getTime() - workloadStart });
    const drainCut = new AbortController();
    await Promise.race([pumped, clock.sleep(OUTPUT_DRAIN_MS, drainCut.signal)]);
    drainCut.abort();
    await stopping;
    return { exit };
  };

  const armTimeout = (ms: number, elapsed: () => number) => {
    void clock.sleep(Math.max(0, ms), timers.signal).then(() => {
      if (!timers.signal.aborted) requestStop({ kind: "timeout", afterMs: elapsed() });
    });
  };

  const pumpOutput = async (started: ExecutionHandle, log: LogStreamer, markers: Marker[]) => {
    const scanner = createMarkerScanner();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of started.output()) {
        if (chunk.stream === "stdout") markers.push(...scanner.push(decoder.decode(chunk.data, { stream: true })));
        await log.write(chunk.stream, chunk.data, chunk.time);
      }
    } catch (error) {
      logger.warn("reading the workload's output failed", { error: describeError(error) });
    }
    markers.push(...scanner.push(decoder.decode()), ...scanner.end());
  };

  const report = async (
    log: LogStreamer,
    outcome: { exit?: ExecutionExit; infraError?: { reason: string; message: string } },
    markers: Marker[],
  ) => {
    const exit = outcome.exit;
    const stopped = intent?.kind === "timeout" ? "timeout" : intent?.kind === "cancel" ? "cancel" : undefined;
    const infraError = outcome.infraError ?? exit?.error;
    const files = handle
      ? await handle.results(deps.maxResultBytes).catch((error) => {
          logger.warn("reading the results directory failed", { error: describeError(error) });
          return [];
        })
      : [];
    let k6: K6Conclusion | undefined;
    if (run.executor === K6_EXECUTOR && handle && exit && !infraError) {
      const open = resultOpener(handle, files);
      const shardCount = run.shardCount;
      if (stopped) {
        // k6 writes its outputs on SIGTERM: a timed-out or cancelled run still reports its metrics.
        const stop = decideOutcome({ exitCode: exit.exitCode, stopped, executor: run.executor });
        k6 = await concludeStoppedK6Run({ open, stopped: stop, runId, attempt, shardCount });
      } else if (exit.exitCode !== undefined) {
        k6 = await concludeK6Run({ open, exitCode: exit.exitCode, runId, attempt, shardCount });
      }
    }
    const decided = k6
      ? { result: k6.result, reason: k6.reason }
      : decideOutcome({ exitCode: exit?.exitCode, stopped, infraError, executor: run.executor || undefined });
    if (exit?.error) await log.system(`tstr: the workload failed (${exit.error.reason}): ${exit.error.message}`);
    for (const note of k6?.notes ?? []) await log.system(`tstr: ${note}`);
    const exitText = exit?.exitCode === undefined ? "" : `exit code ${exit.exitCode}, `;
    await log.system(`tstr: ${exitText}result ${decided.result}${decided.reason ? ` (${decided.reason})` : ""}`);
    const collected = collectResults(files, markers, attempt);
    const results = k6 ? { ...collected, data: mergeResultData(collected.data, k6.resultData) } : collected;
    for (const problem of results.problems) await log.system(`tstr: ${problem}`);
    if (k6?.report || Object.keys(results.data).length > 0 || results.testCases.length > 0) {
      const fitted = fitResultsRequest(
        resultsRequest({
          runId,
          attempt,
          results,
          ...(k6?.report ? { k6: k6.report } : {}),
          k6Aggregate: k6?.aggregate,
        }),
      );
      for (const note of fitted.notes) await log.system(`tstr: ${note}`);
      // Refused results never keep the run from finishing: a run left RUNNING would be re-run.
      await deliverResults(reports, fitted.request, (line) => log.system(line));
    }
    const lastLogSeq = await log.close();
    await reports.finish({ ...decided, exitCode: exit?.exitCode ?? -1, lastLogSeq });
    freeSlot();
    logger.info("run finished", { result: decided.result, reason: decided.reason });
    return { kind: "finished" as const, ...decided };
  };

  const giveBack = async (log: LogStreamer, reason: string): Promise<RunEnd> => {
    const flushCut = new AbortController();
    await Promise.race([log.close().catch(() => {}), clock.sleep(HANDBACK_LOG_FLUSH_MS, flushCut.signal)]);
    flushCut.abort();
    logsAbort.abort();
    const callCut = linkedController(deps.signal);
    void clock.sleep(HANDBACK_CALL_MS, callCut.signal).then(() => callCut.abort());
    try {
      await reports.handBack(reason, callCut.signal);
      logger.info("run handed back", { reason });
    } finally {
      callCut.abort();
      freeSlot();
    }
    return { kind: "handed-back" };
  };

  const execute = async (): Promise<RunEnd> => {
    if (waitingForRelease) {
      logger.info("shard held until every shard of its group is placed");
      await gate;
      if (intent?.kind === "revoke") return { kind: "abandoned", why: intent.why };
    }
    // A held shard stopped before its release never started: the server refuses StartRun for it.
    if (!waitingForRelease) await reports.start(clock.now());
    const log = createLogStreamer({
      runId,
      attempt,
      append: reports.appendLogs,
      clock,
      flushMs: deps.logFlushMs,
      chunkBytes: deps.logChunkBytes,
      signal: logsAbort.signal,
      logger,
      onStale: (error) => requestStop({ kind: "revoke", why: error.message }),
    });
    streamer = log;
    const markers: Marker[] = [];
    if (intent && intent.kind !== "revoke") {
      const stop = waitingForRelease ? "stopped before every shard of its group was placed; it never started" : "";
      await log.system(`tstr: ${stop || describeStop(intent, graceMs)}`);
    }
    const outcome = intent ? {} : await runWorkload(log, markers);
    reporting = true;
    if (intent?.kind === "revoke") return { kind: "abandoned", why: intent.why };
    if (intent?.kind === "handback") return await giveBack(log, intent.reason);
    return await report(log, outcome, markers);
  };

  const done = execute()
    .catch((error): RunEnd => {
      if (error instanceof StaleAttemptError) {
        requestStop({ kind: "revoke", why: error.message });
        logger.info("attempt is stale, abandoning it", { error: error.message });
        return { kind: "abandoned", why: error.message };
      }
      if (intent?.kind === "revoke") return { kind: "abandoned", why: intent.why };
      if (!(error instanceof RetryAbortedError)) logger.error("run failed inside the runner", { error });
      return { kind: "abandoned", why: describeError(error) };
    })
    .finally(async () => {
      timers.abort();
      if (handle) {
        stopWorkload();
        await stopping;
        freeSlot();
        await handle.remove().catch((error) => logger.warn("removing the workload failed", { error }));
      }
      freeSlot();
      abandon.abort();
    });

  return {
    runId,
    attempt,
    cancel: (reason) => requestStop({ kind: "cancel", reason }),
    revoke: (why) => requestStop({ kind: "revoke", why }),
    handBack: (reason) => requestStop({ kind: "handback", reason }),
    release() {
      if (!waitingForRelease || intent) return;
      waitingForRelease = false;
      logger.info("shard group released, starting");
      openGate();
    },
    get waitingForRelease() {
      return waitingForRelease && intent === undefined;
    },
    slotFreed,
    done,
  };
}

function describeStop(intent: StopIntent, graceMs: number): string {
  const sigterm = `sending SIGTERM (grace period ${formatDuration(graceMs)})`;
  switch (intent.kind) {
    case "timeout":
      return `timed out after ${formatDuration(roundForHumans(intent.afterMs))}, ${sigterm}`;
    case "cancel":
      return `cancelled${intent.reason ? ` (${intent.reason})` : ""}, ${sigterm}`;
    case "handback":
      return `${intent.reason}: stopping the run and handing it back, ${sigterm}`;
    case "revoke":
      return `the run was taken away from this runner: ${intent.why}`;
  }
}

/** Whole seconds from a second up (`1m30s`, not `1m30.018s`), whole milliseconds below. */
function roundForHumans(ms: number): number {
  return ms >= 1_000 ? Math.round(ms / 1_000) * 1_000 : Math.round(ms);
}

/** A controller that also aborts with `parent`, and unhooks itself from it once aborted. */
function linkedController(parent: AbortSignal): AbortController {
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort();
    return controller;
  }
  const forward = () => controller.abort();
  parent.addEventListener("abort", forward, { once: true });
  controller.signal.addEventListener("abort", () => parent.removeEventListener("abort", forward), { once: true });
  return controller;
}
