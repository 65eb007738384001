import type { Client } from "@connectrpc/connect";
import type { Executor } from "@tstr/executor";
import type { Assignment, Cancellation, RunLease, RunnerService } from "@tstr/proto";
import { type Clock, systemClock } from "./clock.js";
import { drainRuns, settledOrTimeout } from "./drain.js";
import { type HeartbeatLoop, startHeartbeat } from "./heartbeat.js";
import { type RunnerLogger, silentRunnerLogger } from "./logger.js";
import { registerRunner } from "./registration.js";
import { retryTransient } from "./retry.js";
import { describeError } from "./rpc-errors.js";
import { type RunExecution, startRunExecution } from "./run-execution.js";
import { startWorkReceiver, type WorkReceiver } from "./work-receiver.js";

/** How the runner presents itself and paces its work. */
export interface RunnerAgentOptions {
  name: string;
  labels: Record<string, string>;
  acceptSelectors: string[];
  rejectSelectors: string[];
  namespaceSelectors: string[];
  /** Runs held at once; assignments beyond it are handed back. */
  capacity: number;
  version: string;
  /** "stream" (ReceiveWork) or "poll" (AcquireWork, for proxies that cannot hold a stream). */
  dispatch: "stream" | "poll";
  /** How long a drain lets in-flight runs finish before handing them back. */
  drainTimeoutMs: number;
  /** Largest results directory read per run (10 MiB). */
  maxResultBytes?: number;
  /** Longest a log line waits before it is sent (250 ms). */
  logFlushMs?: number;
  /** Largest log chunk (64 KiB). */
  logChunkBytes?: number;
  /** How long one AcquireWork may wait (20 s). */
  pollWaitMs?: number;
  /**
   * How long an assignment that arrives while every slot is taken waits for one to free up
   * before it is handed back (2 s). The server frees a slot when it stores FinishRun and may
   * push the next run before the runner has read the answer; this absorbs that race.
   */
  slotWaitMs?: number;
}

export interface RunnerAgentDeps {
  /** A RunnerService client whose transport carries the runner token. */
  client: Client<typeof RunnerService>;
  executor: Executor;
  clock?: Clock;
  logger?: RunnerLogger;
  options: RunnerAgentOptions;
  /**
   * Called with the token the server binds to this runner at registration; the client must use
   * it from then on (it can act only on this runner's runs). See createRunnerClient's `credentials`.
   */
  onRunnerToken?: (token: string) => void;
}

/** A runner daemon: registers, receives and executes runs, heartbeats, drains. */
export interface RunnerAgent {
  /** Registers and starts receiving; resolves once work can arrive (or stop() was called). */
  start(): Promise<void>;
  /**
   * Drains: takes no new work, lets in-flight runs finish for `drainTimeoutMs`, hands back the
   * rest, and resolves when nothing is held any more.
   */
  stop(): Promise<void>;
  /** The id the server gave this runner; undefined until registered. */
  readonly runnerId: string | undefined;
}

const HANDBACK_TIMEOUT_MS = 10_000;
const DRAIN_REASON = "runner draining";

/**
 * Creates the runner agent. Everything it waits on is abortable and paced by the injected clock,
 * and every network failure is retried with jittered backoff, so the agent survives server
 * restarts without crashing or spinning.
 */
export function createRunnerAgent(deps: RunnerAgentDeps): RunnerAgent {
  const { client, executor, options } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentRunnerLogger;
  const capacity = Math.max(1, Math.floor(options.capacity));
  const life = new AbortController();
  const starting = new AbortController();
  /** Runs not yet cleaned up, and the subset that still occupies a slot. */
  const held = new Map<string, RunExecution>();
  const active = new Map<string, RunExecution>();
  /** Assignments that arrived with every slot taken, waiting briefly for one. */
  const waiting: { assignment: Assignment; cut: AbortController }[] = [];
  const handingBack = new Set<Promise<void>>();
  let runnerId: string | undefined;
  let heartbeat: HeartbeatLoop | undefined;
  let receiver: WorkReceiver | undefined;
  let draining = false;
  let started: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;

  const matching = (runId: string, attempt: number) =>
    [...held.values()].filter((run) => run.runId === runId && (attempt === 0 || run.attempt === attempt));

  const handBackAssignment = (assignment: Assignment, reason: string) => {
    const runId = assignment.run?.id ?? "";
    const attempt = assignment.attempt;
    logger.warn("handing back an assignment", { runId, attempt, reason });
    const cut = new AbortController();
    const forward = () => cut.abort();
    life.signal.addEventListener("abort", forward, { once: true });
    void clock.sleep(HANDBACK_TIMEOUT_MS, cut.signal).then(() => cut.abort());
    const call = retryTransient((signal) => client.handBackRun({ runId, attempt, reason }, { signal }), {
      clock,
      signal: cut.signal,
      what: "HandBackRun",
    })
      .then(() => {})
      .catch((error) => logger.warn("HandBackRun failed", { runId, error: describeError(error) }))
      .finally(() => {
        cut.abort();
        life.signal.removeEventListener("abort", forward);
        handingBack.delete(call);
      });
    handingBack.add(call);
  };

  const launch = (assignment: Assignment) => {
    const run = assignment.run as NonNullable<Assignment["run"]>;
    const key = `${run.id}/${assignment.attempt}`;
    for (const older of matching(run.id, 0)) older.revoke(`superseded by attempt ${assignment.attempt}`);
    logger.info("run assigned", { runId: run.id, attempt: assignment.attempt, test: run.testName });
    const execution = startRunExecution(
      {
        client,
        executor,
        clock,
        logger,
        maxResultBytes: options.maxResultBytes ?? 10 * 1024 * 1024,
        logFlushMs: options.logFlushMs ?? 250,
        logChunkBytes: options.logChunkBytes ?? 64 * 1024,
        signal: life.signal,
      },
      assignment,
    );
    held.set(key, execution);
    active.set(key, execution);
    void execution.slotFreed.then(() => {
      active.delete(key);
      const next = waiting.shift();
      if (next) {
        next.cut.abort();
        launch(next.assignment);
      } else {
        receiver?.slotFreed();
      }
    });
    void execution.done.then((end) => {
      held.delete(key);
      logger.debug("run released", { runId: run.id, attempt: assignment.attempt, end });
    });
  };

  const onAssignment = (assignment: Assignment) => {
    const run = assignment.run;
    if (!run) return;
    const key = `${run.id}/${assignment.attempt}`;
    const known = (a: Assignment) => a.run?.id === run.id && a.attempt === assignment.attempt;
    // A held shard arrives again with hold = false when its group is complete: that starts it.
    const existing = held.get(key);
    if (existing) {
      if (!assignment.hold) existing.release();
      return;
    }
    const queued = waiting.find((entry) => known(entry.assignment));
    if (queued) {
      if (!assignment.hold) queued.assignment = assignment;
      return;
    }
    if (draining) return handBackAssignment(assignment, DRAIN_REASON);
    if (active.size < capacity) return launch(assignment);
    const entry = { assignment, cut: new AbortController() };
    waiting.push(entry);
    void clock.sleep(options.slotWaitMs ?? 2_000, entry.cut.signal).then(() => {
      const at = waiting.indexOf(entry);
      if (at < 0) return;
      waiting.splice(at, 1);
      handBackAssignment(assignment, "runner at capacity");
    });
  };

  const onCancellation = (cancellation: Cancellation) => {
    for (const run of matching(cancellation.runId, cancellation.attempt)) run.cancel(cancellation.reason);
  };
  const onRevoked = (lease: RunLease) => {
    for (const run of matching(lease.runId, lease.attempt)) run.revoke("lease revoked by the server");
  };
  const onReleased = (lease: RunLease) => {
    for (const run of matching(lease.runId, lease.attempt)) run.release();
  };

  const start = async () => {
    const registration = await registerRunner(
      client,
      {
        name: options.name,
        labels: options.labels,
        acceptSelectors: options.acceptSelectors,
        rejectSelectors: options.rejectSelectors,
        namespaceSelectors: options.namespaceSelectors,
        capacity,
        executors: [executor.name],
        version: options.version,
      },
      { clock, logger, signal: starting.signal },
    );
    runnerId = registration.runnerId;
    if (registration.runnerToken) deps.onRunnerToken?.(registration.runnerToken);
    if (draining) return;
    const common = { client, runnerId, clock, logger };
    heartbeat = startHeartbeat({
      ...common,
      intervalMs: registration.heartbeatIntervalMs,
      leases: () => [...active.values()].map((run) => ({ runId: run.runId, attempt: run.attempt })),
      draining: () => draining,
      onCancellation,
      onRevoked,
      onReleased,
    });
    receiver = startWorkReceiver({
      ...common,
      mode: options.dispatch,
      pollWaitMs: options.pollWaitMs,
      freeSlots: () => Math.max(0, capacity - active.size),
      onAssignment,
      onCancellation,
    });
    await receiver.receiving;
    logger.info("runner receiving work", { runnerId, dispatch: options.dispatch, capacity });
  };

  const stop = async () => {
    draining = true;
    starting.abort();
    heartbeat?.beatNow();
    await started?.catch(() => {});
    await receiver?.stop();
    for (const entry of waiting.splice(0)) {
      entry.cut.abort();
      handBackAssignment(entry.assignment, DRAIN_REASON);
    }
    // A held shard has not started: it goes back at once rather than wait out the drain.
    for (const run of held.values()) if (run.waitingForRelease) run.handBack(DRAIN_REASON);
    await drainRuns(() => [...held.values()], {
      clock,
      logger,
      timeoutMs: options.drainTimeoutMs,
      handBackTimeoutMs: 3 * HANDBACK_TIMEOUT_MS,
      reason: DRAIN_REASON,
    });
    await Promise.all(handingBack);
    await heartbeat?.stop();
    life.abort();
    await settledOrTimeout(
      [...held.values()].map((run) => run.done),
      clock,
      5_000,
    );
    logger.info("runner stopped", { runnerId });
  };

  return {
    start() {
      started ??= start().catch((error) => {
        if (draining) return;
        throw error;
      });
      return started;
    },
    stop() {
      stopped ??= stop();
      return stopped;
    },
    get runnerId() {
      return runnerId;
    },
  };
}
