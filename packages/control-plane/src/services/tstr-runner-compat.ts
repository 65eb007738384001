import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { type Principal, requirePrincipal } from "@tstr/auth";
import type { RunnersRepository, RunsRepository } from "@tstr/db";
import { isUuid } from "@tstr/domain";
import {
  LogChunkSchema,
  LogStream,
  NextRunResponseSchema,
  ReportResultsRequestSchema,
  Run_Log_Output,
  Run_Result,
  type RunnerService,
  type SubmitRunRequest,
} from "@tstr/proto";
import { mapErrors } from "../errors.js";
import { RESULT_FROM_PROTO, runToProto } from "../mapping/run-mapping.js";
import type { LogIngest } from "../runs/log-ingest.js";
import type { RunLifecycle } from "../runs/run-lifecycle.js";
import type { WorkDispatcher } from "../runs/work-dispatcher.js";

/** tstr's runner does not heartbeat: its runs hold a lease until their deadline instead. */
const COMPAT_LEASE_MS = 24 * 3600 * 1000;

const OUTPUT_TO_STREAM: Record<Run_Log_Output, LogStream> = {
  [Run_Log_Output.UNKNOWN]: LogStream.STDOUT,
  [Run_Log_Output.STDOUT]: LogStream.STDOUT,
  [Run_Log_Output.STDERR]: LogStream.STDERR,
  [Run_Log_Output.TSTR]: LogStream.SYSTEM,
};

/**
 * tstr's polling protocol, kept for tstr's own runner: NextRun claims one run (NotFound when there
 * is none), SubmitRun streams its logs and result and finishes it.
 */
export function createTstrCompatHandlers(deps: {
  runners: RunnersRepository;
  runs: RunsRepository;
  dispatcher: WorkDispatcher;
  lifecycle: RunLifecycle;
  logs: LogIngest;
  now: () => Date;
}): Pick<ServiceImpl<typeof RunnerService>, "nextRun" | "submitRun"> {
  /** tstr's runner names itself by id; a shared token may act only for runners it registered. */
  async function ownRunner(principal: Principal, runnerId: string) {
    const id = principal.runnerId ?? runnerId;
    const runner = isUuid(id) ? await deps.runners.getById(id) : undefined;
    if (!runner) throw new ConnectError(`runner "${runnerId}" is not registered`, Code.NotFound);
    if (!principal.runnerId && runner.tokenId !== principal.tokenId) {
      throw new ConnectError(`runner ${runner.id} was registered with another token`, Code.PermissionDenied);
    }
    return runner;
  }

  return {
    nextRun: (req, context) =>
      mapErrors(async () => {
        const principal = requirePrincipal(context);
        const runner = await ownRunner(principal, req.id);
        const [run] = await deps.dispatcher.claim(runner, principal.namespaceSelectors, 1, COMPAT_LEASE_MS);
        if (!run) throw new ConnectError("no run is available", Code.NotFound);
        return create(NextRunResponseSchema, { run: runToProto(run) });
      }),

    submitRun: (requests, context) =>
      mapErrors(async () => {
        const principal = requirePrincipal(context);
        // The first message names the run and the runner; every later one must name the same.
        let held: { runId: string; runnerId: string; attempt: number } | undefined;
        let last: SubmitRunRequest | undefined;
        let seq = 0;
        for await (const req of requests) {
          if (!held) {
            const runner = await ownRunner(principal, req.id);
            const run = isUuid(req.runId) ? await deps.runs.getById(req.runId) : undefined;
            if (!run || run.runnerId !== runner.id) {
              throw new ConnectError(
                `run "${req.runId}" is not assigned to runner ${runner.id}`,
                Code.FailedPrecondition,
              );
            }
            held = { runId: run.id, runnerId: runner.id, attempt: run.attempt };
            if (run.status === "ASSIGNED") {
              await deps.lifecycle.start(run.id, { attempt: run.attempt, runnerId: runner.id }, deps.now());
            }
          } else if ((req.runId && req.runId !== held.runId) || (req.id && req.id !== held.runnerId)) {
            throw new ConnectError("every SubmitRun message must name the same run and runner", Code.InvalidArgument);
          }
          last = req;
          const { runId, attempt } = held;
          const chunks = req.logs.map((log) =>
            create(LogChunkSchema, {
              runId,
              attempt,
              seq: BigInt(++seq),
              stream: OUTPUT_TO_STREAM[log.outputType] ?? LogStream.STDOUT,
              time: timestampFromDate(Number.isNaN(Date.parse(log.time)) ? deps.now() : new Date(log.time)),
              data: log.data,
            }),
          );
          if (chunks.length) await deps.logs.append(chunks, held.runnerId);
          if (Object.keys(req.resultData).length) {
            await deps.logs.reportResults(
              create(ReportResultsRequestSchema, { runId, attempt, resultData: req.resultData }),
              held.runnerId,
              { keepTestCases: true },
            );
          }
        }
        if (!held || !last) throw new ConnectError("SubmitRun needs at least one message", Code.InvalidArgument);
        await deps.lifecycle.finish(
          held.runId,
          { attempt: held.attempt, runnerId: held.runnerId },
          {
            result: RESULT_FROM_PROTO[last.result] ?? "ERROR",
            reason: last.result === Run_Result.UNKNOWN ? "NO_RESULT" : undefined,
          },
        );
        return {};
      }),
  };
}
