import { create } from "@bufbuild/protobuf";
import { durationMs, timestampDate } from "@bufbuild/protobuf/wkt";
import type { LogChunkRecord, RunLogsRepository, RunRecord, RunsRepository, TestCasesRepository } from "@tstr/db";
import { isUuid, ValidationError } from "@tstr/domain";
import { AppendLogsResponseSchema, type LogChunk, type ReportResultsRequest } from "@tstr/proto";
import { NotFoundError } from "../errors.js";
import type { K6RunHooks } from "../k6/k6-run-hooks.js";
import { CASE_STATUS_FROM_PROTO, STREAM_FROM_PROTO } from "../mapping/run-mapping.js";
import { StaleAttemptError } from "./run-lifecycle.js";

const MAX_CHUNK_BYTES = 1024 * 1024;
const MAX_CHUNKS_PER_CALL = 1000;

/**
 * Accepts what runners send about a run besides its state: log chunks (idempotent on run,
 * attempt and seq; capped per run) and results (result data, test cases). Reports for an attempt
 * other than the current one, or from a runner that does not hold the run, are refused.
 */
export function createLogIngest(deps: {
  runs: RunsRepository;
  logs: RunLogsRepository;
  testCases: TestCasesRepository;
  capBytes: number;
  /** Checks and stores k6 results (before anything else, so a malformed payload stores nothing). */
  k6?: Pick<K6RunHooks, "ingest">;
}) {
  async function holder(runId: string, attempt: number, runnerId: string): Promise<RunRecord> {
    const run = isUuid(runId) ? await deps.runs.getById(runId) : undefined;
    if (!run) throw new NotFoundError(`run "${runId}" not found`);
    if (run.attempt !== attempt) {
      throw new StaleAttemptError(`run ${runId}: attempt ${attempt} is stale (current attempt ${run.attempt})`);
    }
    if (run.runnerId !== runnerId) throw new StaleAttemptError(`run ${runId} is not assigned to this runner`);
    if (run.status !== "ASSIGNED" && run.status !== "RUNNING" && run.status !== "CANCELLING") {
      throw new StaleAttemptError(`run ${runId} is ${run.status.toLowerCase()}; it takes no more reports`);
    }
    return run;
  }

  return {
    async append(chunks: LogChunk[], runnerId: string) {
      if (chunks.length > MAX_CHUNKS_PER_CALL) {
        throw new ValidationError([{ path: "chunks", message: `at most ${MAX_CHUNKS_PER_CALL} chunks per call` }]);
      }
      const byRun = new Map<string, LogChunkRecord[]>();
      chunks.forEach((chunk, i) => {
        const stream = STREAM_FROM_PROTO[chunk.stream];
        if (!stream)
          throw new ValidationError([{ path: `chunks[${i}].stream`, message: "must be stdout, stderr or system" }]);
        if (chunk.data.length > MAX_CHUNK_BYTES) {
          throw new ValidationError([
            { path: `chunks[${i}].data`, message: `must be at most ${MAX_CHUNK_BYTES} bytes` },
          ]);
        }
        if (chunk.seq < 1n || chunk.seq >= 2_147_483_647n) {
          throw new ValidationError([{ path: `chunks[${i}].seq`, message: "must be between 1 and 2147483646" }]);
        }
        const list = byRun.get(chunk.runId) ?? [];
        list.push({
          runId: chunk.runId,
          attempt: chunk.attempt,
          seq: Number(chunk.seq),
          stream,
          time: chunk.time ? timestampDate(chunk.time) : new Date(),
          data: chunk.data,
        });
        byRun.set(chunk.runId, list);
      });
      let stored = 0;
      let truncated = false;
      for (const [runId, list] of byRun) {
        for (const attempt of new Set(list.map((c) => c.attempt))) await holder(runId, attempt, runnerId);
        const result = await deps.logs.append(runId, list, deps.capBytes);
        stored += result.stored;
        truncated ||= result.truncated;
      }
      return create(AppendLogsResponseSchema, { stored, truncated });
    },

    /** k6 results, result data (merged) and test cases (replacing the attempt's, unless `keepTestCases`). */
    async reportResults(req: ReportResultsRequest, runnerId: string, opts: { keepTestCases?: boolean } = {}) {
      const run = await holder(req.runId, req.attempt, runnerId);
      await deps.k6?.ingest(run, req);
      await deps.runs.mergeResultData(req.runId, req.resultData);
      if (opts.keepTestCases) return;
      await deps.testCases.replace(
        req.runId,
        req.attempt,
        req.testCases.map((c) => ({
          attempt: req.attempt,
          suite: c.suite,
          className: c.className,
          name: c.name,
          durationMs: c.duration ? durationMs(c.duration) : 0,
          status: CASE_STATUS_FROM_PROTO[c.status] ?? "error",
          message: c.message || undefined,
          details: c.details || undefined,
          systemOut: c.systemOut || undefined,
        })),
      );
    },
  };
}

export type LogIngest = ReturnType<typeof createLogIngest>;
