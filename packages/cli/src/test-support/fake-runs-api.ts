import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import {
  CancelRunResponseSchema,
  ControlService,
  DataService,
  GetRunnerResponseSchema,
  GetRunResponseSchema,
  GetTestResponseSchema,
  ListTestCasesResponseSchema,
  type LogChunk,
  LogChunkSchema,
  type LogStream,
  QueryRunnersResponseSchema,
  QueryRunsResponseSchema,
  type Run,
  Run_Result,
  type Runner,
  RunnerSchema,
  RunSchema,
  RunStatus,
  type ScheduleRunRequest,
  ScheduleRunResponseSchema,
  TailLogsResponseSchema,
  type Test,
  type TestCase,
  TestCaseSchema,
  TestSchema,
} from "@tstr/proto";
import { sleep } from "../runs/sleep.js";
import type { FakeApiServer } from "./fake-api-server.js";

type RunInit = MessageInitShape<typeof RunSchema>;

/** A run the fake serves, with its stored log and how it ends. */
export interface FakeRun {
  run: Run;
  chunks: LogChunk[];
  /** Laid over the run (status FINISHED) when it finishes; without it the run never finishes. */
  final?: RunInit;
  /** The run finishes on this QueryRuns poll (matrix waits); else once TailLogs -f drained its log. */
  finishOnPoll?: number;
  polls: number;
  /** What ListTestCases answers for the run. */
  testCases: TestCase[];
}

/**
 * How one TailLogs call misbehaves, after delivering `afterMessages` messages: "drop" cuts every
 * connection (a crash), "unavailable" ends the stream with Unavailable (a restart), "denied" with
 * PermissionDenied (not worth retrying), "resend" ignores the client's cursor and replays the log
 * from the start (a sloppy server).
 */
export interface TailFault {
  kind: "drop" | "unavailable" | "denied" | "resend";
  afterMessages: number;
}

/**
 * An in-memory tstr with the run RPCs the CLI uses (ScheduleRun, CancelRun, GetRun, QueryRuns,
 * TailLogs, ListTestCases, GetTest, GetRunner, QueryRunners), mirroring the real server's semantics: TailLogs
 * resumes after the (attempt, after_seq) cursor, sends stored chunks in batches, then with follow
 * waits for more until the run finishes, and ends with end_of_logs.
 */
export interface FakeRunsApi {
  runs: Map<string, FakeRun>;
  tests: Test[];
  runners: Runner[];
  /** Consumed one per TailLogs call, in order. */
  tailFaults: TailFault[];
  /** Chunks per TailLogs message. */
  batchSize: number;
  /** QueryRuns returns at most this many runs per page, whatever the page size asked for. */
  maxPageSize: number;
  /** What ScheduleRun creates; by default one run of the named test. */
  onSchedule(request: ScheduleRunRequest): { runs: FakeRunInit[]; matrixId?: string; skippedReason?: string };
  addRun(init: FakeRunInit): FakeRun;
  routes(router: ConnectRouter): void;
  /** Gives the fake its server, so "drop" faults can cut connections. */
  attach(server: FakeApiServer): void;
}

/** A run to add: the run itself, its log as (stream, text) pairs or chunks, and how it ends. */
export interface FakeRunInit {
  run: RunInit;
  log?: readonly (readonly [LogStream, string | Uint8Array, number?])[];
  final?: RunInit;
  finishOnPoll?: number;
  testCases?: MessageInitShape<typeof TestCaseSchema>[];
}

export function createFakeRunsApi(): FakeRunsApi {
  let server: FakeApiServer | undefined;
  const api: FakeRunsApi = {
    runs: new Map(),
    tests: [],
    runners: [],
    tailFaults: [],
    batchSize: 2,
    maxPageSize: 1000,
    onSchedule: (req) => ({ runs: [{ run: { testName: req.testName, testId: req.testId } }] }),
    addRun(init) {
      const run = create(RunSchema, { status: RunStatus.QUEUED, namespace: "default", ...init.run });
      const seqs = new Map<number, bigint>();
      const chunks = (init.log ?? []).map(([stream, data, attempt = 1]) => {
        const seq = (seqs.get(attempt) ?? 0n) + 1n;
        seqs.set(attempt, seq);
        const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
        return create(LogChunkSchema, { runId: run.id, attempt, seq, stream, data: bytes });
      });
      const testCases = (init.testCases ?? []).map((c) => create(TestCaseSchema, c));
      const fake: FakeRun = { run, chunks, polls: 0, testCases, ...pick(init) };
      api.runs.set(run.id, fake);
      return fake;
    },
    attach(attached) {
      server = attached;
    },
    routes(router) {
      router.service(ControlService, {
        scheduleRun: (req) => {
          const planned = api.onSchedule(req);
          return create(ScheduleRunResponseSchema, {
            runs: planned.runs.map((init) => api.addRun(init).run),
            matrixId: planned.matrixId ?? "",
            skippedReason: planned.skippedReason ?? "",
          });
        },
        cancelRun: (req) => {
          const { run } = find(api, req.runId);
          if (run.status === RunStatus.QUEUED)
            Object.assign(run, { status: RunStatus.FINISHED, result: Run_Result.CANCELLED });
          else if (run.status !== RunStatus.FINISHED) run.status = RunStatus.CANCELLING;
          return create(CancelRunResponseSchema, { run });
        },
      });
      router.service(DataService, {
        getTest: (req) => {
          const test = api.tests.find((t) => (req.id ? t.id === req.id : t.name === req.name));
          if (!test) throw new ConnectError(`test "${req.namespace}/${req.name || req.id}" not found`, Code.NotFound);
          return create(GetTestResponseSchema, { test });
        },
        getRun: (req) => create(GetRunResponseSchema, { run: find(api, req.id).run }),
        listTestCases: (req) => create(ListTestCasesResponseSchema, { testCases: find(api, req.runId).testCases }),
        queryRuns: (req) => {
          const matching = [...api.runs.values()].filter((fake) => {
            const run = fake.run;
            if (req.ids.length && !req.ids.includes(run.id)) return false;
            fake.polls++;
            if (fake.finishOnPoll !== undefined && fake.polls >= fake.finishOnPoll) finish(fake);
            if (req.testIds.length && !req.testIds.includes(run.testId)) return false;
            if (req.statuses.length && !req.statuses.includes(run.status)) return false;
            if (req.results.length && !req.results.includes(run.result)) return false;
            return !req.matrixId || run.testMatrixId === req.matrixId;
          });
          const offset = Number(req.pageToken || "0");
          const size = Math.min(req.pageSize || 100, api.maxPageSize);
          return create(QueryRunsResponseSchema, {
            runs: matching.slice(offset, offset + size).map((fake) => fake.run),
            nextPageToken: offset + size < matching.length ? String(offset + size) : "",
          });
        },
        async *tailLogs(req, context) {
          const fake = find(api, req.runId);
          const fault = api.tailFaults.shift();
          let cursor = fault?.kind === "resend" ? { attempt: 0, seq: 0n } : { attempt: req.attempt, seq: req.afterSeq };
          let sent = 0;
          const misbehave = async () => {
            if (!fault || fault.kind === "resend" || sent !== fault.afterMessages) return false;
            if (fault.kind === "unavailable") throw new ConnectError("server is restarting", Code.Unavailable);
            if (fault.kind === "denied") throw new ConnectError('scope "data:read" required', Code.PermissionDenied);
            await sleep(20);
            server?.dropConnections();
            return true;
          };
          for (;;) {
            const batch = fake.chunks.filter((c) => isAfter(c, cursor)).slice(0, api.batchSize);
            if (await misbehave()) return;
            if (batch.length) {
              yield create(TailLogsResponseSchema, { chunks: batch });
              sent++;
              const last = batch[batch.length - 1] as LogChunk;
              cursor = { attempt: last.attempt, seq: last.seq };
              continue;
            }
            if (fake.run.status === RunStatus.FINISHED) {
              yield create(TailLogsResponseSchema, { endOfLogs: true, status: RunStatus.FINISHED });
              return;
            }
            if (!req.follow) {
              yield create(TailLogsResponseSchema, { status: fake.run.status });
              return;
            }
            if (fake.final && fake.finishOnPoll === undefined) finish(fake);
            else await sleep(10, context.signal);
            if (context.signal.aborted) return;
          }
        },
        queryRunners: (req) =>
          create(QueryRunnersResponseSchema, {
            runners: api.runners.filter((r) => req.ids.length === 0 || req.ids.includes(r.id)),
          }),
        getRunner: (req) => {
          const runner = api.runners.find((r) => r.id === req.id);
          if (!runner) throw new ConnectError(`runner "${req.id}" not found`, Code.NotFound);
          return create(GetRunnerResponseSchema, { runner });
        },
      });
    },
  };
  return api;
}

/** A test for `api.tests`. */
export function fakeTest(id: string, name: string): Test {
  return create(TestSchema, { id, name, namespace: "default" });
}

/** A runner for `api.runners`. */
export function fakeRunner(init: MessageInitShape<typeof RunnerSchema>): Runner {
  return create(RunnerSchema, init);
}

function find(api: FakeRunsApi, id: string): FakeRun {
  const fake = api.runs.get(id);
  if (!fake) throw new ConnectError(`run "${id}" not found in namespace "default"`, Code.NotFound);
  return fake;
}

function finish(fake: FakeRun): void {
  if (fake.run.status === RunStatus.FINISHED || !fake.final) return;
  const changes = create(RunSchema, fake.final) as unknown as Record<string, unknown>;
  const next = { ...fake.run, status: RunStatus.FINISHED } as unknown as Record<string, unknown>;
  for (const key of Object.keys(fake.final)) next[key] = changes[key];
  fake.run = next as unknown as Run;
}

function isAfter(chunk: LogChunk, cursor: { attempt: number; seq: bigint }): boolean {
  return chunk.attempt > cursor.attempt || (chunk.attempt === cursor.attempt && chunk.seq > cursor.seq);
}

function pick(init: FakeRunInit): Pick<FakeRun, "final" | "finishOnPoll"> {
  return {
    ...(init.final ? { final: init.final } : {}),
    ...(init.finishOnPoll === undefined ? {} : { finishOnPoll: init.finishOnPoll }),
  };
}
