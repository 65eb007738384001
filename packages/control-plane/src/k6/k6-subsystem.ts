import { createK6ReportsRepository, createRunsRepository, type Database } from "@tstr/db";
import type { Logger } from "../logging/logger.js";
import { createK6Analysis, DEFAULT_BASELINE_RUNS } from "./k6-analysis.js";
import { createK6DataHandlers } from "./k6-data-handlers.js";
import { createK6Ingest } from "./k6-ingest.js";
import type { K6RunHooks } from "./k6-run-hooks.js";
import type { LlmOptions } from "./llm-client.js";
import { createLlmSummaries } from "./llm-summaries.js";
import { createShardGroupMerge } from "./shard-group-merge.js";

/** Options of k6 report handling; every one has a default. */
export interface K6Options {
  /** OpenAI-compatible model that summarises stored reports; none by default. */
  llm?: LlmOptions;
  /** Earlier passing runs a run's regressions are judged against (default 20). */
  baselineRuns?: number;
  /**
   * How often each replica looks for shard groups that finished but were never merged (a server
   * stopped between a shard's finish and its merge); default 30 s.
   */
  mergeSweepMs?: number;
}

/** Groups finished longer ago than this are no longer looked for by the merge sweep. */
const SWEEP_WINDOW_MS = 24 * 3600 * 1000;

/**
 * k6 reports: ingest of what runners report, the merge of distributed runs when their last shard
 * finishes (plus a periodic sweep for merges a stopped server missed), the DataService queries,
 * and optional LLM summaries.
 */
export function createK6Subsystem(deps: { db: Database; logger: Logger; now: () => Date }, options: K6Options = {}) {
  const { db, now } = deps;
  const logger = deps.logger.child({ component: "k6" });
  const reports = createK6ReportsRepository(db.pool);
  const analyze = createK6Analysis({ reports, baselineRuns: options.baselineRuns ?? DEFAULT_BASELINE_RUNS });
  const summaries = createLlmSummaries({ options: options.llm, logger });
  const mergeShardGroup = createShardGroupMerge({ reports, analyze, summaries, logger });

  const mergeQuietly = (shardGroupId: string) =>
    mergeShardGroup(shardGroupId).catch((error: unknown) => {
      logger.error("could not merge a k6 shard group", { shardGroupId, error });
      return undefined;
    });

  const hooks: K6RunHooks = {
    ingest: createK6Ingest({ reports, analyze, summaries }),
    async onRunFinished(run) {
      if (run.shardGroupId && run.shardCount > 1) await mergeQuietly(run.shardGroupId);
    },
  };

  let sweep: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;
  async function sweepOnce() {
    const groups = await reports.unmergedGroups(new Date(now().getTime() - SWEEP_WINDOW_MS), 50);
    for (const group of groups) await mergeQuietly(group);
  }

  return {
    hooks,
    data: createK6DataHandlers({ pool: db.pool, runs: createRunsRepository(db.pool), reports, now }),
    /** Resolves when every LLM summary asked for so far is stored or given up (tests). */
    summariesSettled: () => summaries.settled(),
    start() {
      sweep = setInterval(() => {
        sweeping ??= sweepOnce()
          .catch((error: unknown) => logger.warn("k6 merge sweep failed", { error }))
          .finally(() => {
            sweeping = undefined;
          });
      }, options.mergeSweepMs ?? 30_000);
      sweep.unref();
    },
    async stop() {
      clearInterval(sweep);
      await sweeping;
      await summaries.stop();
    },
  };
}

export type K6Subsystem = ReturnType<typeof createK6Subsystem>;
