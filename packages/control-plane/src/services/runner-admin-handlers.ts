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
 * AdminService.DeleteRunner: removes the runner and revokes its tokens, then hands back the runs
 * it held — queued again for another runner (a cancelling one ends CANCELLED). A run that ended
 * meanwhile is left as it is.
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
        for (const run of heldRuns) {
          await deps.lifecycle.handBack(run.id, { attempt: run.attempt }, RUNNER_DELETED).catch((error: unknown) => {
            if (!(error instanceof StaleAttemptError)) throw error;
          });
        }
        return create(DeleteRunnerResponseSchema);
      }),
  };
}
