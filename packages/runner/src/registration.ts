import { durationMs } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import type { RunnerService } from "@tstr/proto";
import type { Clock } from "./clock.js";
import type { RunnerLogger } from "./logger.js";
import { retryTransient } from "./retry.js";
import { describeError } from "./rpc-errors.js";

/** What the runner tells the server about itself. */
export interface RunnerIdentity {
  name: string;
  labels: Record<string, string>;
  acceptSelectors: string[];
  rejectSelectors: string[];
  namespaceSelectors: string[];
  capacity: number;
  executors: string[];
  version: string;
}

/** What the server answered: who we are and how often it wants to hear from us. */
export interface Registration {
  runnerId: string;
  heartbeatIntervalMs: number;
  /** A token bound to this runner, to use for every later call (empty when the server has none). */
  runnerToken: string;
}

/** Used when the server does not say; leases last a few heartbeats. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * Registers with RegisterRunner, waiting out a server that is not up yet (transient errors are
 * retried) but failing at once on refused credentials or invalid selectors, which need a human.
 * Re-registering with the same name reuses the server's runner row.
 */
export async function registerRunner(
  client: Client<typeof RunnerService>,
  identity: RunnerIdentity,
  deps: { clock: Clock; logger: RunnerLogger; signal: AbortSignal },
): Promise<Registration> {
  const answer = await retryTransient(
    (signal) =>
      client.registerRunner(
        {
          name: identity.name,
          namespaceSelectors: identity.namespaceSelectors,
          labels: identity.labels,
          acceptSelectors: identity.acceptSelectors,
          rejectSelectors: identity.rejectSelectors,
          capacity: identity.capacity,
          executors: identity.executors,
          version: identity.version,
        },
        { signal },
      ),
    {
      clock: deps.clock,
      signal: deps.signal,
      what: "RegisterRunner",
      onRetry: (error, delayMs) =>
        deps.logger.warn("registration failed, retrying", { error: describeError(error), delayMs }),
    },
  );
  const runnerId = answer.runner?.id;
  if (!runnerId) throw new Error("RegisterRunner answered without a runner id");
  const interval = answer.heartbeatInterval ? durationMs(answer.heartbeatInterval) : 0;
  return {
    runnerId,
    heartbeatIntervalMs: interval > 0 ? interval : DEFAULT_HEARTBEAT_INTERVAL_MS,
    runnerToken: answer.runnerToken,
  };
}
