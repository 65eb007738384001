import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { RunnersRepository } from "@tstr/db";
import { isUuid, ValidationError } from "@tstr/domain";
import { type AdminService, DeleteRunnerResponseSchema } from "@tstr/proto";
import { mapErrors, NotFoundError } from "../errors.js";
import { type RunLifecycle, StaleAttemptError } from "../runs/run-lifecycle.js";

/** Why runs go back to the queue when an admin deletes their runner. */
export const RUNNER_DELETED = "RUNNER_DELETED";

/**
 * AdminService.DeleteRunner: removes the runner and revokes its tokens. Runs it was given but had
 * not started go back to the queue at once; runs it already started are left to their leases (the
 * reaper re-queues them as RUNNER_LOST under the retry policy once the lease runs out), since a
 * runner that is still alive may be running them and must not race a second attempt at once.
 */
export function createRunnerAdminHandlers(deps: {
  runners: RunnersRepository;
  lifecycle: RunLifecycle;
}): Partial<ServiceImpl<typeof AdminService>> {
  return {
    deleteRunner: (req) =>
      mapErrors(async () => {
        if (!isUuid(req.id)) throw new ValidationError([{ path: "id", message: `"${req.id}" is not a runner id` }]);
        const { deleted, heldRuns } = await deps.runners.delete(req.id);
        if (!deleted) throw new NotFoundError(`runner "${req.id}" not found`);
        for (const run of heldRuns.filter((r) => r.status === "ASSIGNED")) {
          await deps.lifecycle.handBack(run.id, { attempt: run.attempt }, RUNNER_DELETED).catch((error: unknown) => {
            if (!(error instanceof StaleAttemptError)) throw error;
          });
        }
        return create(DeleteRunnerResponseSchema);
      }),
  };
}
