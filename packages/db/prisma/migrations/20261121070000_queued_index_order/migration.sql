-- The claim reads queued runs in (scheduled_at, id) order; an index in that order avoids sorting
-- the whole backlog on every claim.
DROP INDEX "runs_queued_idx";
CREATE INDEX "runs_queued_idx" ON "runs"("scheduled_at", "id") WHERE "status" = 'QUEUED';
