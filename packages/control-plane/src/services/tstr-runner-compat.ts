import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { requirePrincipal } from "@tstr/auth";
import type { RunnersRepository, RunsRepository } from "@tstr/db";
import {
  LogChunkSchema,
  LogStream,
  NextRunResponseSchema,
  Run_Log_Output,
  Run_Result,
  type RunnerService,
  type SubmitRunRequest,
} from "@tstr/proto";
import { mapErrors } from "../errors.js";
import { isUuid } from "../ids.js";
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
  return {
    nextRun: (req, context) =>
      mapErrors(async () => {
        const principal = requirePrincipal(context);
        const runnerId = principal.runnerId ?? req.id;
        const runner = isUuid(runnerId) ? await deps.runners.getById(runnerId) : undefined;
        if (!runner) throw new ConnectError(`runner "${req.id}" is not registered`, Code.NotFound);
        const held = (await deps.runs.activeForRunner(runner.id)).length;
        const [run] = await deps.dispatcher.claim(runner, principal.namespaceSelectors, held, 1, COMPAT_LEASE_MS);
        if (!run) throw new ConnectError("no run is available", Code.NotFound);
        return create(NextRunResponseSchema, { run: runToProto(run) });
      }),

    submitRun: (requests, context) =>
      mapErrors(async () => {
        const principal = requirePrincipal(context);
        let last: SubmitRunRequest | undefined;
        let seq = 0;
        let attempt = 0;
        for await (const req of requests) {
          if (!last) {
            const run = isUuid(req.runId) ? await deps.runs.getById(req.runId) : undefined;
            if (!run) throw new ConnectError(`run "${req.runId}" not found`, Code.NotFound);
            if (run.runnerId !== (principal.runnerId ?? req.id)) {
              throw new ConnectError(`run ${req.runId} is not assigned to runner ${req.id}`, Code.FailedPrecondition);
            }
            attempt = run.attempt;
            if (run.status === "ASSIGNED") {
              const startedAt = req.startedAt ? timestampDate(req.startedAt) : deps.now();
              await deps.lifecycle.start(run.id, { attempt }, startedAt);
            }
          }
          last = req;
          const chunks = req.logs.map((log) =>
            create(LogChunkSchema, {
              runId: req.runId,
              attempt,
              seq: BigInt(++seq),
              stream: OUTPUT_TO_STREAM[log.outputType] ?? LogStream.STDOUT,
              time: timestampFromDate(Number.isNaN(Date.parse(log.time)) ? deps.now() : new Date(log.time)),
              data: log.data,
            }),
          );
          if (chunks.length) await deps.logs.append(chunks, undefined);
          await deps.runs.mergeResultData(req.runId, req.resultData);
        }
        if (!last) throw new ConnectError("SubmitRun needs at least one message", Code.InvalidArgument);
        const result = RESULT_FROM_PROTO[last.result] ?? "ERROR";
        await deps.lifecycle.finish(
          last.runId,
          { attempt },
          {
            result,
            reason: last.result === Run_Result.UNKNOWN ? "NO_RESULT" : undefined,
          },
        );
        return {};
      }),
  };
}
