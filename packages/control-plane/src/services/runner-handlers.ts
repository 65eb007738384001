import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { type Principal, requirePrincipal } from "@tstr/auth";
import { isHeldShard, type RunnerRecord, type RunnersRepository, type RunRecord, type RunsRepository } from "@tstr/db";
import { isUuid } from "@tstr/domain";
import {
  AcquireWorkResponseSchema,
  AssignmentSchema,
  CancellationSchema,
  FinishRunResponseSchema,
  HeartbeatResponseSchema,
  ReceiveWorkResponseSchema,
  RegisterRunnerResponseSchema,
  type RunnerService,
} from "@tstr/proto";
import { mapErrors, mapStreamErrors } from "../errors.js";
import { RESULT_FROM_PROTO, runnerToProto, runToProto } from "../mapping/run-mapping.js";
import type { LogIngest } from "../runs/log-ingest.js";
import type { RunLifecycle } from "../runs/run-lifecycle.js";
import type { RunnerRegistry } from "../runs/runner-registry.js";
import type { WorkDispatcher } from "../runs/work-dispatcher.js";
import { createTstrCompatHandlers } from "./tstr-runner-compat.js";

export interface RunnerHandlerDeps {
  registry: RunnerRegistry;
  runners: RunnersRepository;
  runs: RunsRepository;
  dispatcher: WorkDispatcher;
  lifecycle: RunLifecycle;
  logs: LogIngest;
  heartbeatIntervalMs: number;
  leaseMs: number;
  now: () => Date;
}

/**
 * The caller of the leased protocol: a token bound to one runner (RegisterRunner hands it out).
 * Shared runner tokens may only register (and use tstr's NextRun/SubmitRun).
 */
function boundPrincipal(context: HandlerContext): Principal & { runnerId: string } {
  const principal = requirePrincipal(context);
  if (!principal.runnerId) {
    throw new ConnectError(
      "this call needs the runner token returned by RegisterRunner (a shared runner token may only register)",
      Code.PermissionDenied,
    );
  }
  return principal as Principal & { runnerId: string };
}

const assignment = (run: RunRecord) =>
  create(AssignmentSchema, {
    run: runToProto(run),
    attempt: run.attempt,
    leaseExpiresAt: run.leaseExpiresAt ? timestampFromDate(run.leaseExpiresAt) : undefined,
    deadlineAt: run.deadlineAt ? timestampFromDate(run.deadlineAt) : undefined,
    hold: isHeldShard(run),
  });
const cancellation = (run: RunRecord) =>
  create(CancellationSchema, { runId: run.id, attempt: run.attempt, reason: run.resultReason || "cancelled" });

/** RunnerService: registration, pushed and long-polled work, leases, logs, results, finishing. */
export function createRunnerHandlers(deps: RunnerHandlerDeps): ServiceImpl<typeof RunnerService> {
  const { registry, dispatcher, lifecycle, now } = deps;

  /** The runner a call acts for; a runner-bound token may act only for its own runner. */
  async function callerRunner(
    context: HandlerContext,
    runnerId: string,
  ): Promise<{ principal: Principal; runner: RunnerRecord }> {
    const principal = boundPrincipal(context);
    const id = principal.runnerId;
    if (runnerId && runnerId !== principal.runnerId) {
      throw new ConnectError(
        `this token belongs to runner ${principal.runnerId}, not ${runnerId}`,
        Code.PermissionDenied,
      );
    }
    const runner = isUuid(id) ? await deps.runners.getById(id) : undefined;
    if (!runner) throw new ConnectError(`runner "${id}" is not registered; call RegisterRunner first`, Code.NotFound);
    return { principal, runner };
  }

  /** Guard for run-level reports: this attempt, held by the runner the token is bound to. */
  const guard = (context: HandlerContext, attempt: number) => ({ attempt, runnerId: boundPrincipal(context).runnerId });

  return {
    ...createTstrCompatHandlers(deps),

    registerRunner: (req, context) =>
      mapErrors(async () => {
        const { runner, runnerToken } = await registry.register(requirePrincipal(context), req);
        return create(RegisterRunnerResponseSchema, {
          runner: runnerToProto(runner, now(), deps.leaseMs),
          heartbeatInterval: durationFromMs(deps.heartbeatIntervalMs),
          runnerToken: runnerToken ?? "",
        });
      }),

    async *receiveWork(req, context) {
      const { principal, runner } = await mapErrors(() => callerRunner(context, req.runnerId));
      for await (const event of mapStreamErrors(
        dispatcher.stream(runner, principal.namespaceSelectors, context.signal),
      )) {
        if (event.kind === "assignment") {
          yield create(ReceiveWorkResponseSchema, { event: { case: "assignment", value: assignment(event.run) } });
        } else if (event.kind === "cancellation") {
          yield create(ReceiveWorkResponseSchema, { event: { case: "cancellation", value: cancellation(event.run) } });
        } else {
          yield create(ReceiveWorkResponseSchema, { event: { case: "keepalive", value: timestampFromDate(now()) } });
        }
      }
    },

    acquireWork: (req, context) =>
      mapErrors(async () => {
        const { principal, runner } = await callerRunner(context, req.runnerId);
        const waitMs = Math.min(req.wait ? Number(req.wait.seconds) * 1000 : 20_000, 60_000);
        const work = await dispatcher.acquire(
          runner,
          principal.namespaceSelectors,
          req.freeSlots,
          waitMs,
          context.signal,
        );
        return create(AcquireWorkResponseSchema, {
          assignments: work.assignments.map(assignment),
          cancellations: work.cancellations.map(cancellation),
        });
      }),

    heartbeat: (req, context) =>
      mapErrors(async () => {
        const { runner } = await callerRunner(context, req.runnerId);
        const held = req.runs.map((r) => ({ runId: r.runId, attempt: r.attempt }));
        const renewed = await registry.heartbeat(runner, held, req.draining);
        const alive = new Set(renewed.map((r) => `${r.id}:${r.attempt}`));
        return create(HeartbeatResponseSchema, {
          cancellations: renewed.filter((r) => r.status === "CANCELLING").map(cancellation),
          revoked: held.filter((h) => !alive.has(`${h.runId}:${h.attempt}`)),
          released: renewed
            .filter((r) => r.status === "ASSIGNED" && r.shardCount > 1 && !isHeldShard(r))
            .map((r) => ({ runId: r.id, attempt: r.attempt })),
          leaseExpiresAt: timestampFromDate(new Date(now().getTime() + deps.leaseMs)),
        });
      }),

    startRun: (req, context) =>
      mapErrors(async () => {
        await lifecycle.start(
          req.runId,
          guard(context, req.attempt),
          req.startedAt ? timestampDate(req.startedAt) : now(),
        );
        return {};
      }),

    appendLogs: (req, context) =>
      mapErrors(async () => {
        return deps.logs.append(req.chunks, boundPrincipal(context).runnerId);
      }),

    reportResults: (req, context) =>
      mapErrors(async () => {
        await deps.logs.reportResults(req, boundPrincipal(context).runnerId);
        return {};
      }),

    finishRun: (req, context) =>
      mapErrors(async () => {
        const result = RESULT_FROM_PROTO[req.result];
        if (!result) throw new ConnectError(`result: ${req.result} is not a final result`, Code.InvalidArgument);
        const run = await lifecycle.finish(req.runId, guard(context, req.attempt), {
          result,
          reason: req.reason || undefined,
          exitCode: req.exitCode,
        });
        return create(FinishRunResponseSchema, { run: runToProto(run) });
      }),

    handBackRun: (req, context) =>
      mapErrors(async () => {
        await lifecycle.handBack(req.runId, guard(context, req.attempt), req.reason || "HANDED_BACK");
        return {};
      }),
  };
}
