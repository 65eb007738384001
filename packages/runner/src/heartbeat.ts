import type { Client } from "@connectrpc/connect";
import type { Cancellation, RunLease, RunnerService } from "@tstr/proto";
import { createBackoff } from "./backoff.js";
import type { Clock } from "./clock.js";
import type { RunnerLogger } from "./logger.js";
import { describeError } from "./rpc-errors.js";

export interface HeartbeatDeps {
  client: Client<typeof RunnerService>;
  runnerId: string;
  intervalMs: number;
  clock: Clock;
  logger: RunnerLogger;
  /** The runs held right now; their leases are renewed. */
  leases(): { runId: string; attempt: number }[];
  draining(): boolean;
  onCancellation(cancellation: Cancellation): void;
  /** A run the server no longer assigns to us: stop it and report nothing. */
  onRevoked(lease: RunLease): void;
  /** A held shard whose group is now complete: start it. */
  onReleased(lease: RunLease): void;
}

/** The running heartbeat loop. */
export interface HeartbeatLoop {
  /** Sends a heartbeat now (e.g. to announce draining) instead of at the next tick. */
  beatNow(): void;
  stop(): Promise<void>;
}

/**
 * Heartbeats every `intervalMs` with every held run, renewing their leases, and acts on the
 * answer: cancellations, revoked leases and released shards. A failed heartbeat is retried sooner (jittered,
 * never later than the interval) so a short outage does not cost the leases.
 */
export function startHeartbeat(deps: HeartbeatDeps): HeartbeatLoop {
  const { client, clock, logger, intervalMs } = deps;
  const stopped = new AbortController();
  let wake = new AbortController();
  const backoff = createBackoff({ initialMs: 200, maxMs: intervalMs });

  const loop = async () => {
    let delay = intervalMs;
    while (!stopped.signal.aborted) {
      await clock.sleep(delay, wake.signal);
      if (stopped.signal.aborted) return;
      wake = new AbortController();
      try {
        const answer = await client.heartbeat(
          { runnerId: deps.runnerId, runs: deps.leases(), draining: deps.draining() },
          { signal: stopped.signal, timeoutMs: Math.max(5_000, intervalMs * 2) },
        );
        backoff.reset();
        delay = intervalMs;
        for (const cancellation of answer.cancellations) deps.onCancellation(cancellation);
        for (const lease of answer.revoked) deps.onRevoked(lease);
        for (const lease of answer.released) deps.onReleased(lease);
      } catch (error) {
        if (stopped.signal.aborted) return;
        delay = backoff.next();
        logger.warn("heartbeat failed", { error: describeError(error), retryInMs: delay });
      }
    }
  };
  const running = loop();

  return {
    beatNow: () => wake.abort(),
    async stop() {
      stopped.abort();
      wake.abort();
      await running;
    },
  };
}
