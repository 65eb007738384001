import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Client, ConnectError } from "@connectrpc/connect";
import type { RunResult } from "@tstr/domain";
import { type LogChunk, type ReportResultsRequest, Run_Result, type RunnerService } from "@tstr/proto";
import type { Clock } from "./clock.js";
import type { RunnerLogger } from "./logger.js";
import { retryTransient } from "./retry.js";
import { describeError, isStaleAttempt, isTransientReport, StaleAttemptError } from "./rpc-errors.js";

/** The calls one attempt makes about itself, each retried until acknowledged. */
export interface RunReports {
  start(startedAt: Date): Promise<void>;
  appendLogs(chunks: LogChunk[], signal: AbortSignal): Promise<{ truncated: boolean }>;
  /**
   * Result data and test cases; for a k6 attempt also its report and mergeable aggregate (see
   * resultsRequest). A refusal (any code but a transient one or a stale attempt; ResourceExhausted
   * included, the request being too large) rejects with the server's ConnectError at once.
   */
  reportResults(request: ReportResultsRequest): Promise<void>;
  finish(finish: { result: RunResult; reason?: string; exitCode?: number; lastLogSeq: bigint }): Promise<void>;
  handBack(reason: string, signal: AbortSignal): Promise<void>;
}

export interface RunReportsOptions {
  client: Client<typeof RunnerService>;
  clock: Clock;
  logger: RunnerLogger;
  runId: string;
  attempt: number;
  /** Abandons the run: pending retries stop. */
  signal: AbortSignal;
}

/**
 * Wraps the RunnerService calls of one attempt. Transient failures are retried with backoff for
 * as long as the run is ours (for ReportResults not ResourceExhausted, a request over the server's
 * size limit: see isTransientReport); FailedPrecondition and NotFound become StaleAttemptError,
 * which tells the run to stop and report nothing more.
 */
export function createRunReports(options: RunReportsOptions): RunReports {
  const { client, clock, logger, runId, attempt } = options;
  const call = async <T>(
    what: string,
    fn: (signal: AbortSignal) => Promise<T>,
    signal = options.signal,
    transient?: (error: unknown) => boolean,
  ): Promise<T> => {
    try {
      return await retryTransient(fn, {
        clock,
        signal,
        what,
        ...(transient ? { transient } : {}),
        onRetry: (error, delayMs) => logger.warn(`${what} failed, retrying`, { error: describeError(error), delayMs }),
      });
    } catch (error) {
      if (isStaleAttempt(error)) throw new StaleAttemptError(runId, attempt, ConnectError.from(error));
      throw error;
    }
  };
  return {
    async start(startedAt) {
      await call("StartRun", (signal) =>
        client.startRun({ runId, attempt, startedAt: timestampFromDate(startedAt) }, { signal }),
      );
    },
    async appendLogs(chunks, signal) {
      const answer = await client.appendLogs({ chunks }, { signal });
      return { truncated: answer.truncated };
    },
    async reportResults(request) {
      await call(
        "ReportResults",
        (signal) => client.reportResults(request, { signal }),
        options.signal,
        isTransientReport,
      );
    },
    async finish(finish) {
      await call("FinishRun", (signal) =>
        client.finishRun(
          {
            runId,
            attempt,
            result: Run_Result[finish.result],
            reason: finish.reason ?? "",
            exitCode: finish.exitCode ?? 0,
            finishedAt: timestampFromDate(clock.now()),
            lastLogSeq: finish.lastLogSeq,
          },
          { signal },
        ),
      );
    },
    async handBack(reason, signal) {
      await call("HandBackRun", (s) => client.handBackRun({ runId, attempt, reason }, { signal: s }), signal);
    },
  };
}
