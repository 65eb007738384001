-- External executions (RegisterExecution): tests run outside tstr and tracked here. Their
-- metadata (repo, stream, test, type, environment, triggered by, dashboard URL, location, factor,
-- timeout) is kept as given, beside the columns every run has.
ALTER TABLE "runs" ADD COLUMN "execution" JSONB;

-- `QueryRuns(stream: "release/%")`: a case-insensitive LIKE on the stream; text_pattern_ops lets
-- a prefix pattern use the index whatever the database's collation.
CREATE INDEX "runs_execution_stream_idx" ON "runs"("namespace", lower("execution"->>'stream') text_pattern_ops) WHERE "external";

-- Run numbers are handed out per namespace from execution_counters; never twice.
CREATE UNIQUE INDEX "runs_namespace_run_number_key" ON "runs"("namespace", "run_number") WHERE "run_number" IS NOT NULL;

-- The reaper's look for running executions past their deadline (no lease: nobody renews one).
CREATE INDEX "runs_execution_deadline_idx" ON "runs"("deadline_at") WHERE "external" AND "status" = 'RUNNING';
