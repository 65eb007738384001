-- Cron runs record the tick they were created for; the unique index makes a double-scheduled
-- tick impossible even if two replicas disagreed about who claimed a test.
ALTER TABLE "runs" ADD COLUMN "cron_fire_at" TIMESTAMPTZ(6);
CREATE UNIQUE INDEX "runs_test_id_cron_fire_at_key" ON "runs"("test_id", "cron_fire_at");

-- Factored runs count against their location's budget while active.
CREATE INDEX "runs_location_active_idx" ON "runs"("location") WHERE "status" IN ('ASSIGNED', 'RUNNING', 'CANCELLING') AND "resources_factor" IS NOT NULL;

-- Active runs of a test, for concurrency policies (forbid/replace).
CREATE INDEX "runs_test_active_idx" ON "runs"("test_id") WHERE "status" IN ('QUEUED', 'ASSIGNED', 'RUNNING', 'CANCELLING');

-- Suites name members by test name as well as by id.
ALTER TABLE "suites" ADD COLUMN "test_names" TEXT[] DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "suites" ADD COLUMN "source" TEXT;
