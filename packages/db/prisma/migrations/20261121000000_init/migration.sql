-- CreateTable
CREATE TABLE "tests" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "labels" JSONB NOT NULL DEFAULT '{}',
    "run_config" JSONB NOT NULL,
    "cron_schedule" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "schedule_paused" BOOLEAN NOT NULL DEFAULT false,
    "next_run_at" TIMESTAMPTZ(6),
    "matrix" JSONB,
    "executor" TEXT,
    "retry" JSONB NOT NULL,
    "concurrency_policy" TEXT NOT NULL DEFAULT 'allow',
    "resources" JSONB NOT NULL DEFAULT '{}',
    "source" TEXT,
    "run_config_version" INTEGER NOT NULL DEFAULT 1,
    "registered_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "archived_at" TIMESTAMPTZ(6),

    CONSTRAINT "tests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "suites" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "labels" JSONB NOT NULL DEFAULT '{}',
    "test_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "selector" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "archived_at" TIMESTAMPTZ(6),

    CONSTRAINT "suites_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "suite_runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "suite_id" UUID NOT NULL,
    "namespace" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),
    "status" TEXT NOT NULL DEFAULT 'RUNNING',

    CONSTRAINT "suite_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "executors" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "namespace" TEXT,
    "name" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "builtin" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "executors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "namespace" TEXT NOT NULL,
    "test_id" UUID,
    "test_name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "run_config" JSONB NOT NULL,
    "executor" TEXT,
    "matrix_id" UUID,
    "suite_run_id" UUID,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "result" TEXT,
    "result_reason" TEXT,
    "exit_code" INTEGER,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 1,
    "retry" JSONB NOT NULL DEFAULT '{}',
    "runner_id" UUID,
    "lease_expires_at" TIMESTAMPTZ(6),
    "deadline_at" TIMESTAMPTZ(6),
    "cancel_requested_at" TIMESTAMPTZ(6),
    "not_before" TIMESTAMPTZ(6),
    "scheduled_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "assigned_at" TIMESTAMPTZ(6),
    "started_at" TIMESTAMPTZ(6),
    "finished_at" TIMESTAMPTZ(6),
    "result_data" JSONB NOT NULL DEFAULT '{}',
    "external" BOOLEAN NOT NULL DEFAULT false,
    "run_number" BIGINT,
    "resources_factor" DOUBLE PRECISION,
    "location" TEXT,
    "priority" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_attempts" (
    "run_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "runner_id" UUID,
    "assigned_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(6),
    "finished_at" TIMESTAMPTZ(6),
    "result" TEXT,
    "reason" TEXT,

    CONSTRAINT "run_attempts_pkey" PRIMARY KEY ("run_id","attempt")
);

-- CreateTable
CREATE TABLE "run_log_chunks" (
    "run_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "stream" TEXT NOT NULL,
    "ts" TIMESTAMPTZ(6) NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "run_log_chunks_pkey" PRIMARY KEY ("run_id","attempt","seq")
);

-- CreateTable
CREATE TABLE "run_log_stats" (
    "run_id" UUID NOT NULL,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "truncated" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "run_log_stats_pkey" PRIMARY KEY ("run_id")
);

-- CreateTable
CREATE TABLE "run_test_cases" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "suite" TEXT NOT NULL DEFAULT '',
    "class_name" TEXT NOT NULL DEFAULT '',
    "name" TEXT NOT NULL,
    "duration_ms" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL,
    "message" TEXT,
    "details" TEXT,
    "system_out" TEXT,

    CONSTRAINT "run_test_cases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "runners" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "namespace_selectors" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "labels" JSONB NOT NULL DEFAULT '{}',
    "accept_selectors" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "reject_selectors" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "capacity" INTEGER NOT NULL DEFAULT 1,
    "executors" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "version" TEXT NOT NULL DEFAULT '',
    "token_id" UUID,
    "registered_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "approved_at" TIMESTAMPTZ(6),
    "last_heartbeat_at" TIMESTAMPTZ(6),
    "draining" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "runners_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "access_tokens" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "namespace_selectors" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "runner_id" UUID,
    "issued_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(6),
    "revoked_at" TIMESTAMPTZ(6),
    "issued_by" UUID,

    CONSTRAINT "access_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signing_keys" (
    "kid" TEXT NOT NULL,
    "alg" TEXT NOT NULL,
    "private_jwk" JSONB NOT NULL,
    "public_jwk" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(6),

    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("kid")
);

-- CreateTable
CREATE TABLE "server_state" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "server_state_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "k6_summaries" (
    "run_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "verdict" TEXT NOT NULL,
    "metrics" JSONB NOT NULL DEFAULT '{}',
    "thresholds" JSONB NOT NULL DEFAULT '{}',
    "checks" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "k6_summaries_pkey" PRIMARY KEY ("run_id","attempt")
);

-- CreateTable
CREATE TABLE "k6_series" (
    "run_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "ts" TIMESTAMPTZ(6) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "failed_requests" INTEGER NOT NULL DEFAULT 0,
    "vus" INTEGER NOT NULL DEFAULT 0,
    "latency_p50" DOUBLE PRECISION,
    "latency_p90" DOUBLE PRECISION,
    "latency_p95" DOUBLE PRECISION,
    "latency_p99" DOUBLE PRECISION,
    "data_sent" BIGINT NOT NULL DEFAULT 0,
    "data_received" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "k6_series_pkey" PRIMARY KEY ("run_id","attempt","ts")
);

-- CreateTable
CREATE TABLE "k6_findings" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "recommendation" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "k6_findings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "execution_counters" (
    "namespace" TEXT NOT NULL,
    "next" BIGINT NOT NULL DEFAULT 1,

    CONSTRAINT "execution_counters_pkey" PRIMARY KEY ("namespace")
);

-- CreateIndex
CREATE INDEX "tests_namespace_name_id_idx" ON "tests"("namespace", "name", "id");

-- CreateIndex
CREATE INDEX "tests_due_idx" ON "tests"("next_run_at") WHERE NOT "schedule_paused" AND "archived_at" IS NULL;

-- CreateIndex
CREATE INDEX "suites_namespace_name_idx" ON "suites"("namespace", "name");

-- CreateIndex
CREATE INDEX "suite_runs_suite_id_created_at_idx" ON "suite_runs"("suite_id", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "executors_namespace_name_key" ON "executors"("namespace", "name") NULLS NOT DISTINCT;

-- CreateIndex
CREATE INDEX "runs_queued_idx" ON "runs"("status", "scheduled_at") WHERE "status" = 'QUEUED';

-- CreateIndex
CREATE INDEX "runs_test_id_scheduled_at_idx" ON "runs"("test_id", "scheduled_at" DESC);

-- CreateIndex
CREATE INDEX "runs_runner_active_idx" ON "runs"("runner_id") WHERE "status" IN ('ASSIGNED', 'RUNNING', 'CANCELLING');

-- CreateIndex
CREATE INDEX "runs_lease_active_idx" ON "runs"("lease_expires_at") WHERE "status" IN ('ASSIGNED', 'RUNNING', 'CANCELLING');

-- CreateIndex
CREATE INDEX "runs_matrix_id_idx" ON "runs"("matrix_id");

-- CreateIndex
CREATE INDEX "runs_suite_run_id_idx" ON "runs"("suite_run_id");

-- CreateIndex
CREATE INDEX "runs_namespace_scheduled_at_idx" ON "runs"("namespace", "scheduled_at" DESC);

-- CreateIndex
CREATE INDEX "run_test_cases_run_id_attempt_idx" ON "run_test_cases"("run_id", "attempt");

-- CreateIndex
CREATE UNIQUE INDEX "runners_name_key" ON "runners"("name");

-- CreateIndex
CREATE INDEX "access_tokens_revoked_at_idx" ON "access_tokens"("revoked_at");

-- CreateIndex
CREATE INDEX "k6_findings_run_id_attempt_idx" ON "k6_findings"("run_id", "attempt");

-- AddForeignKey
ALTER TABLE "suite_runs" ADD CONSTRAINT "suite_runs_suite_id_fkey" FOREIGN KEY ("suite_id") REFERENCES "suites"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_test_id_fkey" FOREIGN KEY ("test_id") REFERENCES "tests"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_suite_run_id_fkey" FOREIGN KEY ("suite_run_id") REFERENCES "suite_runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_runner_id_fkey" FOREIGN KEY ("runner_id") REFERENCES "runners"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_attempts" ADD CONSTRAINT "run_attempts_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_log_chunks" ADD CONSTRAINT "run_log_chunks_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_log_stats" ADD CONSTRAINT "run_log_stats_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_test_cases" ADD CONSTRAINT "run_test_cases_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "k6_summaries" ADD CONSTRAINT "k6_summaries_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "k6_series" ADD CONSTRAINT "k6_series_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "k6_findings" ADD CONSTRAINT "k6_findings_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- SQL-only (Prisma cannot express partial unique indexes): names are unique among live rows,
-- so an archived test or suite frees its name.
CREATE UNIQUE INDEX "tests_namespace_name_active_key" ON "tests"("namespace", "name") WHERE "archived_at" IS NULL;

-- SQL-only
CREATE UNIQUE INDEX "suites_namespace_name_active_key" ON "suites"("namespace", "name") WHERE "archived_at" IS NULL;
