import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import type { Assignment, Cancellation, RunnerService } from "@tstr/proto";
import { createBackoff } from "./backoff.js";
import type { Clock } from "./clock.js";
import type { RunnerLogger } from "./logger.js";
import { describeError } from "./rpc-errors.js";

export interface WorkReceiverDeps {
  client: Client<typeof RunnerService>;
  runnerId: string;
  clock: Clock;
  logger: RunnerLogger;
  /** "poll" for proxies that cannot hold a server stream. */
  mode: "stream" | "poll";
  freeSlots(): number;
  onAssignment(assignment: Assignment): void;
  onCancellation(cancellation: Cancellation): void;
  /** How long one AcquireWork may wait for work (20 s). */
  pollWaitMs?: number;
  /** A stream that stayed up this long was healthy: the reconnect backoff starts over (10 s). */
  healthyAfterMs?: number;
  /** A stream silent for this long (not even a keepalive) is presumed dead and reopened (60 s). */
  streamIdleMs?: number;
  /** Consecutive Unimplemented answers after which ReceiveWork is given up for polling (2). */
  unimplementedLimit?: number;
}

/** The running receive loop. */
export interface WorkReceiver {
  /** Resolves once work can arrive (first stream message, or first poll sent), or on stop. */
  readonly receiving: Promise<void>;
  /** A slot became free: a poll that asked for nothing is restarted so it can ask for work. */
  slotFreed(): void;
  /** Closes the stream or poll; no assignment arrives after this resolves. */
  stop(): Promise<void>;
}

/** An answer faster than this with nothing in it means the server does not long-poll. */
const MIN_EMPTY_POLL_MS = 500;

/**
 * Receives assignments and cancellations: the ReceiveWork server stream, reopened with jittered
 * backoff (capped at 5 s) whenever it breaks, or the AcquireWork long poll when configured or
 * when the server does not implement the stream. Never throws, never spins.
 */
export function startWorkReceiver(deps: WorkReceiverDeps): WorkReceiver {
  const { client, clock, logger, runnerId } = deps;
  const pollWaitMs = deps.pollWaitMs ?? 20_000;
  const healthyAfterMs = deps.healthyAfterMs ?? 10_000;
  const streamIdleMs = deps.streamIdleMs ?? 60_000;
  const unimplementedLimit = deps.unimplementedLimit ?? 2;
  const stopped = new AbortController();
  const backoff = createBackoff();
  let markReceiving: () => void = () => {};
  const receiving = new Promise<void>((resolve) => {
    markReceiving = resolve;
  });
  let emptyPoll: AbortController | undefined;

  const streamLoop = async (): Promise<"stopped" | "fallback"> => {
    let unimplemented = 0;
    while (!stopped.signal.aborted) {
      const openedAt = clock.now().getTime();
      const call = new AbortController();
      const onStop = () => call.abort();
      stopped.signal.addEventListener("abort", onStop, { once: true });
      let idle = new AbortController();
      const armIdle = () => {
        idle.abort();
        idle = new AbortController();
        const mine = idle;
        void clock.sleep(streamIdleMs, mine.signal).then(() => {
          if (!mine.signal.aborted) call.abort(new ConnectError("work stream idle", Code.DeadlineExceeded));
        });
      };
      try {
        armIdle();
        const events = client.receiveWork({ runnerId, freeSlots: deps.freeSlots() }, { signal: call.signal });
        for await (const response of events) {
          markReceiving();
          unimplemented = 0;
          armIdle();
          const event = response.event;
          if (event.case === "assignment") deps.onAssignment(event.value);
          else if (event.case === "cancellation") deps.onCancellation(event.value);
        }
        logger.info("work stream closed by the server, reopening");
      } catch (error) {
        if (stopped.signal.aborted) return "stopped";
        if (ConnectError.from(error).code === Code.Unimplemented && ++unimplemented >= unimplementedLimit) {
          logger.warn("the server does not offer ReceiveWork, polling with AcquireWork instead");
          return "fallback";
        }
        logger.warn("work stream failed", { error: describeError(error) });
      } finally {
        idle.abort();
        call.abort();
        stopped.signal.removeEventListener("abort", onStop);
      }
      if (clock.now().getTime() - openedAt >= healthyAfterMs) backoff.reset();
      await clock.sleep(backoff.next(), stopped.signal);
    }
    return "stopped";
  };

  const pollLoop = async () => {
    while (!stopped.signal.aborted) {
      const freeSlots = deps.freeSlots();
      const call = new AbortController();
      const onStop = () => call.abort();
      stopped.signal.addEventListener("abort", onStop, { once: true });
      if (freeSlots === 0) emptyPoll = call;
      const sentAt = clock.now().getTime();
      try {
        markReceiving();
        const answer = await client.acquireWork(
          { runnerId, freeSlots, wait: durationFromMs(pollWaitMs) },
          { signal: call.signal, timeoutMs: pollWaitMs + 10_000 },
        );
        for (const cancellation of answer.cancellations) deps.onCancellation(cancellation);
        for (const assignment of answer.assignments) deps.onAssignment(assignment);
        const empty = answer.assignments.length === 0 && answer.cancellations.length === 0;
        if (empty && clock.now().getTime() - sentAt < MIN_EMPTY_POLL_MS) {
          await clock.sleep(backoff.next(), stopped.signal);
        } else {
          backoff.reset();
        }
      } catch (error) {
        if (stopped.signal.aborted) return;
        if (call.signal.aborted && emptyPoll !== call) continue;
        logger.warn("AcquireWork failed", { error: describeError(error) });
        await clock.sleep(backoff.next(), stopped.signal);
      } finally {
        if (emptyPoll === call) emptyPoll = undefined;
        stopped.signal.removeEventListener("abort", onStop);
      }
    }
  };

  const running = (async () => {
    if (deps.mode === "stream" && (await streamLoop()) === "stopped") return;
    await pollLoop();
  })();

  return {
    receiving,
    slotFreed() {
      const poll = emptyPoll;
      emptyPoll = undefined;
      poll?.abort();
    },
    async stop() {
      stopped.abort();
      markReceiving();
      await running;
    },
  };
}
