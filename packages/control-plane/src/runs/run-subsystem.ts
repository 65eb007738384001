import {
  createRunLogsRepository,
  createRunnersRepository,
  createRunsRepository,
  createTestCasesRepository,
  type Database,
} from "@tstr/db";
import type { K6RunHooks } from "../k6/k6-run-hooks.js";
import type { Logger } from "../logging/logger.js";
import { type CronLoop, type CronLoopOptions, startCronLoop } from "../scheduling/cron-loop.js";
import { createControlRunHandlers } from "../services/control-run-handlers.js";
import { createDataRunHandlers } from "../services/data-run-handlers.js";
import { createRunnerAdminHandlers } from "../services/runner-admin-handlers.js";
import { createRunnerHandlers } from "../services/runner-handlers.js";
import type { ExecutorLookup, TestCatalog } from "../tests/test-catalog.js";
import type { TokenService } from "../tokens/token-service.js";
import { createLogIngest } from "./log-ingest.js";
import { startReaper } from "./reaper.js";
import { createRunEvents } from "./run-events.js";
import { createRunLifecycle } from "./run-lifecycle.js";
import { createRunScheduler } from "./run-scheduler.js";
import { createRunnerRegistry } from "./runner-registry.js";
import { createWorkDispatcher } from "./work-dispatcher.js";

/** Timing of leases, heartbeats and the reaper; shorter values make fault tests fast. */
export interface RunTimings {
  /** A runner that stops heartbeating loses its runs after this long (default 30 s). */
  leaseMs: number;
  /** Heartbeat interval told to runners (default lease / 6). */
  heartbeatIntervalMs: number;
  /** How often each replica looks for overdue runs (default 1 s). */
  reaperIntervalMs: number;
  /** Per-run log cap (default 10 MiB). */
  logCapBytes: number;
  /**
   * How long past timeout + grace the server waits before timing a run out itself (a wedged or
   * silent runner); the runner enforces the timeout first (default 30 s).
   */
  deadlineSlackMs: number;
  /**
   * How long shards of a distributed run may wait for the rest of their group to be placed
   * before the whole group ends ERROR (SHARDS_UNPLACED) and frees its runners (default 5 min).
   */
  shardPlacementTimeoutMs: number;
}

export const DEFAULT_RUN_TIMINGS: RunTimings = {
  leaseMs: 30_000,
  heartbeatIntervalMs: 5_000,
  reaperIntervalMs: 1_000,
  logCapBytes: 10 * 1024 * 1024,
  deadlineSlackMs: 30_000,
  shardPlacementTimeoutMs: 5 * 60_000,
};

/**
 * Everything about runs: scheduling, placement and pushed dispatch, leases and the reaper, logs
 * and results, and the RPC handlers over them.
 */
export function createRunSubsystem(deps: {
  db: Database;
  logger: Logger;
  now: () => Date;
  catalog: TestCatalog;
  /** Resolves the executor a test names, so its runs get the executor's image and command. */
  executors?: ExecutorLookup;
  tokens: TokenService;
  timings: RunTimings;
  /** The cron scheduler's options; false runs no cron scheduler in this process. */
  cron?: CronLoopOptions | false;
  /** k6 results ingest and the merge of distributed k6 runs when they finish. */
  k6?: K6RunHooks;
}) {
  const { db, logger, now, timings } = deps;
  let reaper: ReturnType<typeof startReaper> | undefined;
  const runs = createRunsRepository(db.pool);
  const runners = createRunnersRepository(db.pool);
  const logsRepo = createRunLogsRepository(db.pool);
  const testCases = createTestCasesRepository(db.pool);
  // Losing the LISTEN connection means the database was unreachable: runners could not renew
  // their leases either, so the reaper gives them one more lease period.
  const events = createRunEvents(db.url, logger, () => reaper?.holdLeases());
  const lifecycle = createRunLifecycle({
    pool: db.pool,
    runs,
    now,
    deadlineSlackMs: timings.deadlineSlackMs,
    onFinished: deps.k6?.onRunFinished,
  });
  const dispatcher = createWorkDispatcher({
    pool: db.pool,
    runs,
    events,
    leaseMs: timings.leaseMs,
    startAllowanceMs: 10 * 60_000,
    deadlineSlackMs: timings.deadlineSlackMs,
    recheckMs: 2_000,
    keepaliveMs: 15_000,
    now,
  });
  const scheduler = createRunScheduler({ pool: db.pool, runs, lifecycle, executors: deps.executors });
  const logs = createLogIngest({ runs, logs: logsRepo, testCases, capBytes: timings.logCapBytes, k6: deps.k6 });
  const registry = createRunnerRegistry({ pool: db.pool, runners, tokens: deps.tokens, leaseMs: timings.leaseMs });
  const cron: CronLoop | undefined =
    deps.cron === false ? undefined : startCronLoop({ pool: db.pool, scheduler, logger }, deps.cron);
  reaper = startReaper({
    pool: db.pool,
    lifecycle,
    logger,
    intervalMs: timings.reaperIntervalMs,
    leaseMs: timings.leaseMs,
    shardPlacementTimeoutMs: timings.shardPlacementTimeoutMs,
  });
  return {
    ready: events.ready,
    control: createControlRunHandlers({ catalog: deps.catalog, scheduler, lifecycle, runs }),
    admin: createRunnerAdminHandlers({ runners, lifecycle }),
    data: createDataRunHandlers({
      pool: db.pool,
      runs,
      logs: logsRepo,
      testCases,
      runners,
      events,
      onlineWithinMs: timings.leaseMs,
      now,
    }),
    runner: createRunnerHandlers({
      registry,
      runners,
      runs,
      dispatcher,
      lifecycle,
      logs,
      heartbeatIntervalMs: timings.heartbeatIntervalMs,
      leaseMs: timings.leaseMs,
      now,
    }),
    scheduler,
    async stop() {
      await cron?.stop();
      reaper.stop();
      await events.close();
    },
  };
}
