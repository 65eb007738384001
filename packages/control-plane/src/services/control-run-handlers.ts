import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { RunsRepository } from "@tstr/db";
import { isUuid } from "@tstr/domain";
import {
  type CancelRunResponse,
  CancelRunResponseSchema,
  type ControlService,
  ScheduleRunResponseSchema,
} from "@tstr/proto";
import { mapErrors, NotFoundError } from "../errors.js";
import { runToProto } from "../mapping/run-mapping.js";
import { matrixFromProto } from "../mapping/test-mapping.js";
import type { RunLifecycle } from "../runs/run-lifecycle.js";
import type { RunScheduler } from "../runs/run-scheduler.js";
import type { TestCatalog } from "../tests/test-catalog.js";
import { callScope } from "./call-context.js";

/** ControlService handlers for runs: schedule now, cancel. */
export function createControlRunHandlers(deps: {
  catalog: TestCatalog;
  scheduler: RunScheduler;
  lifecycle: RunLifecycle;
  runs: RunsRepository;
}): Pick<ServiceImpl<typeof ControlService>, "scheduleRun" | "cancelRun"> {
  return {
    scheduleRun: (req, context) =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        const test = await deps.catalog.find(namespace, { id: req.testId, name: req.testName });
        const { runs, matrixId, skippedReason } = await deps.scheduler.schedule(test, {
          labels: req.labels,
          matrix: req.testMatrix ? matrixFromProto(req.testMatrix) : undefined,
        });
        return create(ScheduleRunResponseSchema, {
          runs: runs.map((r) => runToProto(r)),
          matrixId: matrixId ?? "",
          skippedReason: skippedReason ?? "",
        });
      }),

    cancelRun: (req, context): Promise<CancelRunResponse> =>
      mapErrors(async () => {
        const { namespace } = callScope(context, req.namespace);
        const run = isUuid(req.runId) ? await deps.runs.getById(req.runId) : undefined;
        if (!run || run.namespace !== namespace) {
          throw new NotFoundError(`run "${req.runId}" not found in namespace "${namespace}"`);
        }
        if (run.status === "FINISHED") return create(CancelRunResponseSchema, { run: runToProto(run) });
        // A distributed run is one run to the user: cancelling a shard cancels its whole group.
        if (run.shardGroupId) {
          for (const id of await deps.runs.unfinishedOfShardGroup(run.shardGroupId)) {
            // A shard that finished meanwhile has nothing left to cancel.
            if (id !== run.id) await deps.lifecycle.cancel(id).catch(() => undefined);
          }
        }
        try {
          return create(CancelRunResponseSchema, { run: runToProto(await deps.lifecycle.cancel(run.id)) });
        } catch (error) {
          // It finished between the read and the cancel: nothing to cancel, report how it ended.
          const now = await deps.runs.getById(run.id);
          if (now?.status === "FINISHED") return create(CancelRunResponseSchema, { run: runToProto(now) });
          throw error;
        }
      }),
  };
}
