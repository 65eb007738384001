-- Every matrix combination of a cron tick gets its own run: the tick's key includes the run's
-- labels (one combination = one label set), so only a second run of the same combination for
-- the same tick is refused.
DROP INDEX "runs_test_id_cron_fire_at_key";
CREATE UNIQUE INDEX "runs_cron_tick_key" ON "runs"("test_id", "cron_fire_at", md5("labels"::text)) WHERE "cron_fire_at" IS NOT NULL;
