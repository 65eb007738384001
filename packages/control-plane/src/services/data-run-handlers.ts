import { create } from "@bufbuild/protobuf";
import { durationFromMs, durationMs, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { requirePrincipal } from "@tstr/auth";
import {
  queryRuns,
  type RunLogsRepository,
  type RunnersRepository,
  type RunRecord,
  type RunsRepository,
  runAttempts,
  summarizeRuns,
  type TestCasesRepository,
} from "@tstr/db";
import {
  isUuid,
  namespaceMatcher,
  type RunResult,
  type RunStatus,
  selectorMatches,
  streamLikePattern,
  throwIfViolations,
  ValidationError,
  validateStreamPattern,
} from "@tstr/domain";
import {
  type DataService,
  GetRunLogsResponseSchema,
  GetRunnerResponseSchema,
  GetRunResponseSchema,
  SummarizeRunsRequest_Interval as Interval,
  ListTestCasesResponseSchema,
  QueryRunnersResponseSchema,
  QueryRunsResponseSchema,
  Run_Result,
  SummarizeRunsResponseSchema,
  TailLogsResponseSchema,
} from "@tstr/proto";
import type pg from "pg";
import { mapErrors, mapStreamErrors, NotFoundError } from "../errors.js";
import {
  logChunkToProto,
  RESULT_FROM_PROTO,
  RESULT_TO_PROTO,
  runnerToProto,
  runToProto,
  STATUS_FROM_PROTO,
  STATUS_TO_PROTO,
  testCaseToProto,
} from "../mapping/run-mapping.js";
import { parseSelectorField } from "../mapping/selector-field.js";
import { loadMatrixSummaries } from "../runs/matrix-summaries.js";
import type { RunEvents } from "../runs/run-events.js";
import { callScope } from "./call-context.js";

const BUCKETS = { [Interval.HOUR]: "hour", [Interval.DAY]: "day", [Interval.WEEK]: "week" } as const;
const DAY_MS = 24 * 3600 * 1000;

/** DataService handlers for runs, logs, test cases and runners. */
export function createDataRunHandlers(deps: {
  pool: pg.Pool;
  runs: RunsRepository;
  logs: RunLogsRepository;
  testCases: TestCasesRepository;
  runners: RunnersRepository;
  events: RunEvents;
  onlineWithinMs: number;
  now: () => Date;
}): Partial<ServiceImpl<typeof DataService>> {
  const { runs, logs, now } = deps;

  /** Runners are shared infrastructure; the runs they hold are shown only in the caller's namespaces. */
  async function visibleActiveRuns(context: HandlerContext, runnerId: string): Promise<RunRecord[]> {
    const visible = namespaceMatcher(requirePrincipal(context).namespaceSelectors);
    return (await runs.activeForRunner(runnerId)).filter((run) => visible(run.namespace));
  }

  async function findRun(namespace: string, id: string): Promise<RunRecord> {
    const run = isUuid(id) ? await runs.getById(id) : undefined;
    if (!run || run.namespace !== namespace)
      throw new NotFoundError(`run "${id}" not found in namespace "${namespace}"`);
    return run;
  }

  return {
    getRun: (req, context) =>
      mapErrors(async () => {
        const run = await findRun(callScope(context, req.namespace).namespace, req.id);
        return create(GetRunResponseSchema, { run: runToProto(run, await runAttempts(deps.pool, run.id)) });
      }),

    queryRuns: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        const selector = parseSelectorField(req.selector, "selector");
        for (const [path, ids] of [
          ["ids", req.ids],
          ["test_ids", req.testIds],
          ["runner_ids", req.runnerIds],
        ] as const) {
          const bad = ids.findIndex((id) => !isUuid(id));
          if (bad >= 0)
            throw new ValidationError([{ path: `${path}[${bad}]`, message: `"${ids[bad]}" is not a UUID` }]);
        }
        throwIfViolations(validateStreamPattern(req.stream));
        const date = (t: typeof req.scheduledAfter) => (t ? timestampDate(t) : undefined);
        const page = await queryRuns(deps.pool, {
          namespaces: [namespace],
          ids: req.ids.filter(isUuid),
          testIds: req.testIds.filter(isUuid),
          runnerIds: req.runnerIds.filter(isUuid),
          results: req.results.map((r) => RESULT_FROM_PROTO[r]).filter((r): r is RunResult => r !== undefined),
          statuses: req.statuses.map((s) => STATUS_FROM_PROTO[s]).filter((s): s is RunStatus => s !== undefined),
          matrixId: req.matrixId && isUuid(req.matrixId) ? req.matrixId : undefined,
          suiteRunId: req.suiteRunId && isUuid(req.suiteRunId) ? req.suiteRunId : undefined,
          external: req.external,
          streamLike: req.stream ? streamLikePattern(req.stream) : undefined,
          scheduledAfter: date(req.scheduledAfter),
          scheduledBefore: date(req.scheduledBefore),
          startedAfter: date(req.startedAfter),
          startedBefore: date(req.startedBefore),
          finishedAfter: date(req.finishedAfter),
          finishedBefore: date(req.finishedBefore),
          pageSize: req.pageSize,
          pageToken: req.pageToken || undefined,
        });
        // Like QueryTests, the selector applies per page: pages may be short; follow next_page_token.
        const shown = page.runs.filter((r) => selectorMatches(selector, r.labels));
        return create(QueryRunsResponseSchema, {
          runs: shown.map((r) => runToProto(r)),
          nextPageToken: page.nextPageToken ?? "",
          matrixSummaries: await loadMatrixSummaries(
            deps.pool,
            namespace,
            shown.map((r) => r.matrixId),
          ),
        });
      }),

    summarizeRuns: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        const window = req.window ? durationMs(req.window) : 7 * DAY_MS;
        const from = req.scheduledAfter ? timestampDate(req.scheduledAfter) : new Date(now().getTime() - window);
        const bucket = BUCKETS[req.interval as keyof typeof BUCKETS] ?? "day";
        const rows = await summarizeRuns(deps.pool, {
          namespaces: [namespace],
          from,
          to: new Date(from.getTime() + window),
          bucket,
          testIds: req.testIds.filter(isUuid),
        });
        const buckets = new Map<number, typeof rows>();
        for (const row of rows) buckets.set(row.bucket.getTime(), [...(buckets.get(row.bucket.getTime()) ?? []), row]);
        const bucketMs = { hour: 3600_000, day: DAY_MS, week: 7 * DAY_MS }[bucket];
        return create(SummarizeRunsResponseSchema, {
          intervalStats: [...buckets.entries()].map(([start, group]) => {
            const byResult = new Map<Run_Result, number>();
            const byTest = new Map<string, { name: string; counts: Map<Run_Result, number> }>();
            for (const row of group) {
              const result = row.result ? RESULT_TO_PROTO[row.result] : Run_Result.UNKNOWN;
              byResult.set(result, (byResult.get(result) ?? 0) + row.count);
              const test = byTest.get(row.testId ?? row.testName) ?? { name: row.testName, counts: new Map() };
              test.counts.set(result, (test.counts.get(result) ?? 0) + row.count);
              byTest.set(row.testId ?? row.testName, test);
            }
            const counts = (m: Map<Run_Result, number>) => [...m].map(([result, count]) => ({ result, count }));
            return {
              startTime: timestampFromDate(new Date(start)),
              duration: durationFromMs(bucketMs),
              resultCount: counts(byResult),
              testCount: [...byTest].map(([testId, t]) => ({
                testId,
                testName: t.name,
                resultCount: counts(t.counts),
              })),
            };
          }),
        });
      }),

    getRunLogs: (req, context) =>
      mapErrors(async () => {
        const run = await findRun(callScope(context, req.namespace).namespace, req.runId);
        const limit = Math.min(req.limit || 500, 5000);
        const chunks = await logs.after(run.id, { attempt: req.attempt, seq: Number(req.afterSeq) }, limit + 1);
        return create(GetRunLogsResponseSchema, {
          chunks: chunks.slice(0, limit).map(logChunkToProto),
          truncated: await logs.isTruncated(run.id),
          more: chunks.length > limit,
        });
      }),

    async *tailLogs(req, context) {
      const run = await mapErrors(() => findRun(callScope(context, req.namespace).namespace, req.runId));
      yield* mapStreamErrors(tail(run.id, req, context.signal));
    },

    listTestCases: (req, context) =>
      mapErrors(async () => {
        const run = await findRun(callScope(context, req.namespace).namespace, req.runId);
        return create(ListTestCasesResponseSchema, {
          testCases: (await deps.testCases.list(run.id)).map(testCaseToProto),
        });
      }),

    getRunner: (req, context) =>
      mapErrors(async () => {
        const runner = isUuid(req.id) ? await deps.runners.getById(req.id) : undefined;
        if (!runner) throw new NotFoundError(`runner "${req.id}" not found`);
        const active = await visibleActiveRuns(context, runner.id);
        return create(GetRunnerResponseSchema, {
          runner: runnerToProto(
            runner,
            now(),
            deps.onlineWithinMs,
            active.map((r) => r.id),
          ),
        });
      }),

    queryRunners: (req, context) =>
      mapErrors(async () => {
        const within = req.lastHeartbeatWithin ? durationMs(req.lastHeartbeatWithin) : undefined;
        const list = await deps.runners.list({
          ids: req.ids.filter(isUuid),
          heartbeatSince: within ? new Date(now().getTime() - within) : undefined,
        });
        return create(QueryRunnersResponseSchema, {
          runners: await Promise.all(
            list.map(async (runner) =>
              runnerToProto(
                runner,
                now(),
                deps.onlineWithinMs,
                (await visibleActiveRuns(context, runner.id)).map((r) => r.id),
              ),
            ),
          ),
        });
      }),
  };

  /** Stored chunks after the cursor, then (with follow) live ones until the run has finished. */
  async function* tail(
    runId: string,
    req: { attempt: number; afterSeq: bigint; follow: boolean },
    signal: AbortSignal,
  ) {
    const run = { id: runId };
    let cursor = { attempt: req.attempt, seq: Number(req.afterSeq) };
    for (;;) {
      const chunks = await logs.after(run.id, cursor, 500);
      if (chunks.length) {
        const last = chunks[chunks.length - 1];
        if (last) cursor = { attempt: last.attempt, seq: last.seq };
        yield create(TailLogsResponseSchema, { chunks: chunks.map(logChunkToProto) });
        continue;
      }
      const current = await runs.getById(run.id);
      const status = STATUS_TO_PROTO[current?.status ?? "FINISHED"];
      if (current?.status === "FINISHED") {
        // Logs are sent before a run finishes; one more read after seeing FINISHED catches the last ones.
        const tail = await logs.after(run.id, cursor, 500);
        if (tail.length) continue;
        yield create(TailLogsResponseSchema, { endOfLogs: true, status });
        return;
      }
      if (!req.follow) {
        yield create(TailLogsResponseSchema, { status });
        return;
      }
      await deps.events.next((kind, payload) => kind === "progress" && payload === run.id, signal, 5000);
      if (signal.aborted) return;
    }
  }
}
