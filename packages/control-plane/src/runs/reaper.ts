import {
  endStaleExecutions,
  lockOverdueRuns,
  notifyBackoffEnded,
  unplacedShardRuns,
  withPgTransaction,
} from "@tstr/db";
import type pg from "pg";
import type { Logger } from "../logging/logger.js";
import type { RunLifecycle } from "./run-lifecycle.js";

/** Reason of the runs of a shard group that could not all be placed in time. */
export const SHARDS_UNPLACED = "SHARDS_UNPLACED";

/**
 * Settles runs whose runner stopped renewing the lease (re-queued as RUNNER_LOST while retries
 * remain, else ERROR) or that ran past their deadline (TIMED_OUT), and external executions
 * nobody completed within their timeout (ERROR, EXECUTION_STALE). Every replica runs one; each
 * run is re-locked and re-checked in its own transaction, so two reapers never settle it twice.
 * It also wakes waiting runners when a retried run's backoff ends.
 */
export function startReaper(deps: {
  pool: pg.Pool;
  lifecycle: RunLifecycle;
  logger: Logger;
  intervalMs: number;
  leaseMs: number;
  /** How long a shard may be held waiting for the rest of its group before the group ends ERROR. */
  shardPlacementTimeoutMs: number;
}) {
  let stopped = false;
  // Runners cannot renew leases while this server or its database is down. After a start or a
  // failed pass, lost leases are not enforced for one lease period, giving runners time to
  // heartbeat again; deadlines are always enforced.
  let leasesEnforcedFrom = Date.now() + deps.leaseMs;
  let timer: NodeJS.Timeout | undefined;
  let backoffCheckedUntil = new Date();
  const tick = async () => {
    try {
      // Retried runs whose backoff just ended are claimable now: wake the runners waiting for work.
      backoffCheckedUntil = await notifyBackoffEnded(deps.pool, backoffCheckedUntil);
      await endUnplacedShardGroups();
      for (const run of await endStaleExecutions(deps.pool)) {
        deps.logger.warn("external execution not completed in time; ended ERROR", {
          runId: run.id,
          runNumber: run.runNumber,
          test: `${run.namespace}/${run.testName}`,
          reason: run.resultReason,
        });
      }
      const enforceLeases = Date.now() >= leasesEnforcedFrom;
      const overdue = await withPgTransaction(deps.pool, (client) => lockOverdueRuns(client, 100, enforceLeases));
      for (const run of overdue) {
        const settled = await deps.lifecycle.expire(run).catch((error: Error) => {
          deps.logger.debug("reaper skipped a run", { runId: run.id, error: error.message });
          return undefined;
        });
        if (settled) {
          deps.logger.info("run overdue", {
            runId: run.id,
            attempt: run.attempt,
            status: settled.status,
            result: settled.result,
            reason: settled.resultReason,
          });
        }
      }
    } catch (error) {
      leasesEnforcedFrom = Date.now() + deps.leaseMs;
      deps.logger.warn("reaper pass failed", { error });
    } finally {
      if (!stopped) timer = setTimeout(tick, deps.intervalMs);
    }
  };
  /** Ends every unfinished shard of groups that could not all be placed in time (logged once per group). */
  async function endUnplacedShardGroups() {
    const stalled = await unplacedShardRuns(deps.pool, deps.shardPlacementTimeoutMs);
    const groups = new Set<string>();
    for (const run of stalled) {
      const ended = await deps.lifecycle
        .abandon(run.id, SHARDS_UNPLACED, { unlessReleased: true })
        .catch((error: Error) => {
          deps.logger.debug("reaper left a shard alone", { runId: run.id, error: error.message });
          return undefined;
        });
      if (ended && run.shardGroupId && !groups.has(run.shardGroupId)) {
        groups.add(run.shardGroupId);
        const placed = stalled.filter((r) => r.shardGroupId === run.shardGroupId && r.status !== "QUEUED").length;
        deps.logger.warn("shard group could not be placed in time; its runs end ERROR", {
          shardGroupId: run.shardGroupId,
          test: `${run.namespace}/${run.testName}`,
          placed,
          shards: run.shardCount,
          waitedMs: deps.shardPlacementTimeoutMs,
        });
      }
    }
  }

  timer = setTimeout(tick, deps.intervalMs);
  return {
    /** Suspends lease expiry for one lease period (the database was unreachable for a while). */
    holdLeases() {
      leasesEnforcedFrom = Math.max(leasesEnforcedFrom, Date.now() + deps.leaseMs);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
