import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { clone, create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate, timestampNow } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import {
  type AcquireWorkRequest,
  type Assignment,
  AssignmentSchema,
  type Cancellation,
  CancellationSchema,
  type FinishRunRequest,
  type HandBackRunRequest,
  type HeartbeatRequest,
  type LogChunk,
  type ReceiveWorkRequest,
  type ReceiveWorkResponse,
  ReceiveWorkResponseSchema,
  type RegisterRunnerRequest,
  type ReportResultsRequest,
  ReportResultsRequestSchema,
  type Run,
  type RunLease,
  RunLeaseSchema,
  RunnerService,
  RunSchema,
  type StartRunRequest,
  Test_RunConfigSchema,
} from "@tstr/proto";

/** A run to hand out, in the shape tests find convenient. */
export interface FakeRunInit {
  id: string;
  testName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  executor?: string;
  runConfig?: MessageInitShape<typeof Test_RunConfigSchema>;
  attempt?: number;
  deadlineAt?: Date;
  /** A shard of a distributed run, sent held (it must not start until released). */
  hold?: boolean;
  shardIndex?: number;
  shardCount?: number;
}

interface OpenStream {
  queue: ReceiveWorkResponse[];
  wake?: () => void;
  failure?: ConnectError;
}

interface PollWaiter {
  freeSlots: number;
  resolve(): void;
}

/**
 * TEST DOUBLE: an in-memory RunnerService served over a real HTTP/2 socket on port 0. It stands
 * in for the control plane so agent tests can script dispatch, cancellations, revocations and
 * faults (broken streams, failing AppendLogs, stale attempts) and record every call in order.
 */
export class FakeRunnerService {
  readonly registrations: RegisterRunnerRequest[] = [];
  readonly heartbeats: HeartbeatRequest[] = [];
  readonly starts: StartRunRequest[] = [];
  /** Every AppendLogs request as received, failed ones included. */
  readonly appendCalls: LogChunk[][] = [];
  /** Accepted ReportResults requests. */
  readonly reports: ReportResultsRequest[] = [];
  /** Every ReportResults request as received, refused ones included. */
  readonly reportCalls: ReportResultsRequest[] = [];
  readonly finishes: FinishRunRequest[] = [];
  readonly handBacks: HandBackRunRequest[] = [];
  readonly receiveWorkCalls: ReceiveWorkRequest[] = [];
  readonly acquireWorkCalls: AcquireWorkRequest[] = [];
  readonly authorizations: string[] = [];
  /** "Method runId" in the order calls were answered successfully. */
  readonly calls: string[] = [];

  heartbeatIntervalMs = 1_000;
  capacity = 1;
  /** Push assignments even when the runner has no free slot (a racy server). */
  ignoreFreeSlots = false;
  /** Answer ReceiveWork with Unimplemented (a proxy without streaming). */
  streamUnimplemented = false;
  /** Refuse RegisterRunner with this code (a revoked token, invalid selectors). */
  registrationFailure: Code | undefined;
  /** Fail every ReceiveWork at once with this code (a server that is down behind a proxy). */
  streamFailure: Code | undefined;
  /** Refuse ReportResults with this code this many more times (a report the server finds invalid). */
  reportFailures = { remaining: 0, code: Code.InvalidArgument };
  /** Refuse a ReportResults larger than this with ResourceExhausted, as the server's read limit does. */
  reportMaxBytes: number | undefined;
  /** Answer AppendLogs with this code this many more times. */
  appendFailures = { remaining: 0, code: Code.Unavailable, storeAnyway: false };

  private readonly stored = new Map<string, Map<bigint, LogChunk>>();
  private readonly pending: Assignment[] = [];
  private readonly active = new Set<string>();
  private readonly stale = new Set<string>();
  private readonly streams = new Set<OpenStream>();
  private readonly pollWaiters = new Set<PollWaiter>();
  private readonly heartbeatCancellations: Cancellation[] = [];
  private readonly pollCancellations: Cancellation[] = [];
  private readonly revoked: RunLease[] = [];
  private readonly releasedLeases: RunLease[] = [];
  private readonly sessions = new Set<http2.Http2Session>();
  private server?: http2.Http2Server;
  url = "";

  /** Starts serving on 127.0.0.1 and a free port (or `port`, to come back after close()). */
  async listen(port = 0): Promise<this> {
    const handler = connectNodeAdapter({ routes: (router) => router.service(RunnerService, this.impl()) });
    const server = http2.createServer(handler);
    server.on("session", (session) => {
      this.sessions.add(session);
      session.on("close", () => this.sessions.delete(session));
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const stream of this.streams) this.fail(stream, new ConnectError("server closing", Code.Unavailable));
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Queues a run; it is pushed to the runner as soon as it has a free slot. */
  assign(init: FakeRunInit): Assignment {
    const attempt = init.attempt ?? 1;
    const run = create(RunSchema, {
      id: init.id,
      testName: init.testName ?? `test-${init.id}`,
      namespace: init.namespace ?? "default",
      labels: init.labels ?? {},
      executor: init.executor ?? "",
      attempt,
      shardIndex: init.shardIndex ?? 0,
      shardCount: init.shardCount ?? 0,
      testRunConfig: create(Test_RunConfigSchema, {
        containerImage: "example/test:1",
        ...init.runConfig,
      }),
    }) as Run;
    const assignment = create(AssignmentSchema, {
      run,
      attempt,
      leaseExpiresAt: timestampFromDate(new Date(Date.now() + 30_000)),
      ...(init.deadlineAt ? { deadlineAt: timestampFromDate(init.deadlineAt) } : {}),
      hold: init.hold ?? false,
    });
    this.pending.push(assignment);
    this.dispatch();
    return assignment;
  }

  /** Cancels a run through the stream (or poll), the heartbeat, or both. */
  cancel(runId: string, via: "stream" | "heartbeat", reason = "cancelled by a test", attempt = 0): void {
    const cancellation = create(CancellationSchema, { runId, attempt, reason });
    if (via === "heartbeat") {
      this.heartbeatCancellations.push(cancellation);
      return;
    }
    for (const stream of this.streams) this.push(stream, { case: "cancellation", value: cancellation });
    this.pollCancellations.push(cancellation);
    for (const waiter of this.pollWaiters) waiter.resolve();
  }

  /**
   * Releases a held shard: sends its assignment again with hold = false (on the open streams and
   * to the next poll), or lists it in the next heartbeat answer's `released`.
   */
  releaseShard(assignment: Assignment, via: "stream" | "heartbeat"): void {
    const runId = assignment.run?.id ?? "";
    if (via === "heartbeat") {
      this.releasedLeases.push(create(RunLeaseSchema, { runId, attempt: assignment.attempt }));
      return;
    }
    const released = clone(AssignmentSchema, assignment);
    released.hold = false;
    for (const stream of this.streams) this.push(stream, { case: "assignment", value: released });
    this.pollAssigned.push(released);
    for (const waiter of this.pollWaiters) waiter.resolve();
  }

  /** The next heartbeat answer revokes this lease. */
  revoke(runId: string, attempt = 1): void {
    this.revoked.push(create(RunLeaseSchema, { runId, attempt }));
  }

  /** From now on, every report about the run is refused as stale (FailedPrecondition). */
  markStale(runId: string): void {
    this.stale.add(runId);
  }

  /** Breaks every open ReceiveWork stream with Unavailable (a restart, a proxy timeout). */
  breakStreams(): void {
    for (const stream of this.streams) this.fail(stream, new ConnectError("stream broken by test", Code.Unavailable));
  }

  /** The stored log of one attempt, in seq order, duplicates removed. */
  log(runId: string, attempt = 1): LogChunk[] {
    const chunks = [...(this.stored.get(`${runId}/${attempt}`)?.values() ?? [])];
    return chunks.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  }

  /** The stored log text of one attempt, all streams interleaved by seq. */
  logText(runId: string, attempt = 1): string {
    const decoder = new TextDecoder();
    return this.log(runId, attempt)
      .map((chunk) => decoder.decode(chunk.data))
      .join("");
  }

  get openStreams(): number {
    return this.streams.size;
  }

  private dispatch(): void {
    while (this.pending.length > 0) {
      const free = this.capacity - this.active.size;
      if (free <= 0 && !this.ignoreFreeSlots) return;
      const stream = [...this.streams].at(-1);
      const waiter = [...this.pollWaiters].find((w) => w.freeSlots > 0 || this.ignoreFreeSlots);
      if (!stream && !waiter) return;
      const assignment = this.pending.shift() as Assignment;
      this.active.add(assignment.run?.id ?? "");
      if (stream) this.push(stream, { case: "assignment", value: assignment });
      else {
        this.pollAssigned.push(assignment);
        waiter?.resolve();
      }
    }
  }

  private readonly pollAssigned: Assignment[] = [];

  private push(stream: OpenStream, event: ReceiveWorkResponse["event"]): void {
    stream.queue.push(create(ReceiveWorkResponseSchema, { event }));
    stream.wake?.();
  }

  private fail(stream: OpenStream, error: ConnectError): void {
    stream.failure = error;
    stream.wake?.();
  }

  private release(runId: string): void {
    this.active.delete(runId);
    this.dispatch();
  }

  private refuseStale(runId: string): void {
    if (this.stale.has(runId)) throw new ConnectError(`run ${runId}: attempt is stale`, Code.FailedPrecondition);
  }

  private impl(): ServiceImpl<typeof RunnerService> {
    const record = (method: string, runId: string) => this.calls.push(`${method} ${runId}`);
    return {
      registerRunner: (req, ctx) => {
        this.registrations.push(req);
        this.authorizations.push(ctx.requestHeader.get("authorization") ?? "");
        if (this.registrationFailure !== undefined) {
          throw new ConnectError("registration refused by test", this.registrationFailure);
        }
        if (req.capacity > 0) this.capacity = req.capacity;
        return {
          runner: { id: `runner-${req.name}`, name: req.name },
          heartbeatInterval: durationFromMs(this.heartbeatIntervalMs),
        };
      },
      nextRun: () => {
        throw new ConnectError("not in the fake", Code.Unimplemented);
      },
      submitRun: () => {
        throw new ConnectError("not in the fake", Code.Unimplemented);
      },
      receiveWork: (req, ctx) => this.receiveWork(req, ctx.signal),
      acquireWork: async (req, ctx) => {
        this.acquireWorkCalls.push(req);
        const waiter: PollWaiter = { freeSlots: req.freeSlots, resolve: () => {} };
        const woken = new Promise<void>((resolve) => {
          waiter.resolve = resolve;
        });
        this.pollWaiters.add(waiter);
        this.dispatch();
        const waitMs = req.wait ? Number(req.wait.seconds) * 1000 + req.wait.nanos / 1e6 : 0;
        if (this.pollAssigned.length === 0 && this.pollCancellations.length === 0) {
          const timer = setTimeout(waiter.resolve, waitMs);
          ctx.signal.addEventListener("abort", waiter.resolve);
          await woken;
          clearTimeout(timer);
        }
        this.pollWaiters.delete(waiter);
        return {
          assignments: this.pollAssigned.splice(0),
          cancellations: this.pollCancellations.splice(0),
        };
      },
      heartbeat: (req) => {
        this.heartbeats.push(req);
        return {
          cancellations: this.heartbeatCancellations.splice(0),
          revoked: this.revoked.splice(0),
          released: this.releasedLeases.splice(0),
          leaseExpiresAt: timestampNow(),
        };
      },
      startRun: (req) => {
        this.refuseStale(req.runId);
        this.starts.push(req);
        record("StartRun", req.runId);
        return {};
      },
      appendLogs: (req) => {
        this.appendCalls.push(req.chunks);
        const failure = this.appendFailures;
        for (const chunk of req.chunks) this.refuseStale(chunk.runId);
        if (failure.remaining > 0 && !failure.storeAnyway) {
          failure.remaining--;
          throw new ConnectError("AppendLogs failure injected by test", failure.code);
        }
        let stored = 0;
        for (const chunk of req.chunks) {
          const key = `${chunk.runId}/${chunk.attempt}`;
          const log = this.stored.get(key) ?? new Map<bigint, LogChunk>();
          this.stored.set(key, log);
          if (!log.has(chunk.seq)) stored++;
          log.set(chunk.seq, chunk);
          record("AppendLogs", chunk.runId);
        }
        if (failure.remaining > 0) {
          failure.remaining--;
          throw new ConnectError("AppendLogs answer lost (injected by test)", failure.code);
        }
        return { stored, truncated: false };
      },
      reportResults: (req) => {
        this.refuseStale(req.runId);
        this.reportCalls.push(req);
        const size = toBinary(ReportResultsRequestSchema, req).byteLength;
        if (this.reportMaxBytes !== undefined && size > this.reportMaxBytes) {
          throw new ConnectError(`message size ${size} is larger than configured readMaxBytes`, Code.ResourceExhausted);
        }
        if (this.reportFailures.remaining > 0) {
          this.reportFailures.remaining--;
          throw new ConnectError("k6.metrics[0].name: refused by test", this.reportFailures.code);
        }
        this.reports.push(req);
        record("ReportResults", req.runId);
        return {};
      },
      finishRun: (req) => {
        this.refuseStale(req.runId);
        this.finishes.push(req);
        record("FinishRun", req.runId);
        this.release(req.runId);
        return {};
      },
      handBackRun: (req) => {
        this.handBacks.push(req);
        record("HandBackRun", req.runId);
        this.release(req.runId);
        return {};
      },
    };
  }

  private async *receiveWork(req: ReceiveWorkRequest, signal: AbortSignal): AsyncGenerator<ReceiveWorkResponse> {
    this.receiveWorkCalls.push(req);
    if (this.streamUnimplemented) throw new ConnectError("no streams here", Code.Unimplemented);
    if (this.streamFailure !== undefined) throw new ConnectError("stream refused by test", this.streamFailure);
    const stream: OpenStream = { queue: [] };
    const wake = () => stream.wake?.();
    signal.addEventListener("abort", wake);
    this.streams.add(stream);
    try {
      yield create(ReceiveWorkResponseSchema, { event: { case: "keepalive", value: timestampNow() } });
      this.dispatch();
      for (;;) {
        if (stream.failure) throw stream.failure;
        if (signal.aborted) return;
        const event = stream.queue.shift();
        if (event) {
          yield event;
          continue;
        }
        await new Promise<void>((resolve) => {
          stream.wake = resolve;
        });
        stream.wake = undefined;
      }
    } finally {
      this.streams.delete(stream);
      signal.removeEventListener("abort", wake);
      for (const event of stream.queue) {
        if (event.event.case === "assignment") {
          this.active.delete(event.event.value.run?.id ?? "");
          this.pending.unshift(event.event.value);
        }
      }
    }
  }
}
