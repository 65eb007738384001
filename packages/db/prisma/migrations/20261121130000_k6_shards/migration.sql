-- Distributed k6: a test can be sharded into N runs (k6 execution segments) that start together.
ALTER TABLE "tests" ADD COLUMN "shards" INTEGER NOT NULL DEFAULT 1;

-- The runs of one sharded schedule share a group id; a shard is held (assigned but not started)
-- until every shard of its group is placed, then all are released at once.
ALTER TABLE "runs" ADD COLUMN "shard_group_id" UUID;
ALTER TABLE "runs" ADD COLUMN "shard_index" INTEGER;
ALTER TABLE "runs" ADD COLUMN "shard_count" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "runs" ADD COLUMN "released_at" TIMESTAMPTZ(6);
CREATE INDEX "runs_shard_group_id_idx" ON "runs"("shard_group_id");

-- The shards of one cron tick share their labels: the tick's key includes the shard index.
DROP INDEX "runs_cron_tick_key";
CREATE UNIQUE INDEX "runs_cron_tick_key" ON "runs"("test_id", "cron_fire_at", md5("labels"::text), COALESCE("shard_index", 0)) WHERE "cron_fire_at" IS NOT NULL;
