-- k6 reports: everything ReportResults brings for a k6 run attempt, and the merged report of a
-- distributed run's shard group (thresholds judged once on the merged data).

-- The verdict's reason, the numbers searches filter on (read from the metrics once, at ingest),
-- the mergeable aggregate a shard group is merged from, and the optional LLM summary.
ALTER TABLE "k6_summaries" ADD COLUMN "reason" TEXT;
ALTER TABLE "k6_summaries" ADD COLUMN "duration_ms" DOUBLE PRECISION;
ALTER TABLE "k6_summaries" ADD COLUMN "p95_ms" DOUBLE PRECISION;
ALTER TABLE "k6_summaries" ADD COLUMN "error_rate" DOUBLE PRECISION;
ALTER TABLE "k6_summaries" ADD COLUMN "rps" DOUBLE PRECISION;
ALTER TABLE "k6_summaries" ADD COLUMN "shards" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "k6_summaries" ADD COLUMN "aggregate" JSONB;
ALTER TABLE "k6_summaries" ADD COLUMN "llm_summary" TEXT;

ALTER TABLE "k6_series" ADD COLUMN "checks_passed" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "k6_series" ADD COLUMN "checks_failed" INTEGER NOT NULL DEFAULT 0;

-- One merged report per shard group, written once when the group's last shard finished. It hangs
-- off the group's first shard (run_id), so it goes when that run goes.
CREATE TABLE "k6_group_reports" (
    "shard_group_id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "shards" INTEGER NOT NULL,
    "missing_shards" JSONB NOT NULL DEFAULT '[]',
    "verdict" TEXT NOT NULL,
    "reason" TEXT,
    "metrics" JSONB NOT NULL DEFAULT '[]',
    "thresholds" JSONB NOT NULL DEFAULT '[]',
    "checks" JSONB NOT NULL DEFAULT '[]',
    "series" JSONB NOT NULL DEFAULT '[]',
    "findings" JSONB NOT NULL DEFAULT '[]',
    "aggregate" JSONB,
    "duration_ms" DOUBLE PRECISION,
    "p95_ms" DOUBLE PRECISION,
    "error_rate" DOUBLE PRECISION,
    "rps" DOUBLE PRECISION,
    "llm_summary" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "k6_group_reports_pkey" PRIMARY KEY ("shard_group_id")
);

CREATE INDEX "k6_group_reports_run_id_idx" ON "k6_group_reports"("run_id");

ALTER TABLE "k6_group_reports" ADD CONSTRAINT "k6_group_reports_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
