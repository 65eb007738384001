-- Webhooks: per-namespace subscriptions to run events, the run_events outbox a trigger on runs
-- fills (so every code path that changes a run's status is seen, in the same transaction), the
-- delivery log with retries, and each test's health for test.became_failing/passing.

CREATE TABLE "webhooks" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "test_selector" TEXT NOT NULL DEFAULT '',
    "results" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "secret" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "webhooks_namespace_name_key" ON "webhooks"("namespace", "name");

-- The outbox: one row per status change of a run, with the fields that change snapshotted (the
-- rest is read from the run when the row is fanned out). Rows are deleted once fanned out.
CREATE TABLE "run_events" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "event" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "result" TEXT,
    "result_reason" TEXT,
    "attempt" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(6),
    "finished_at" TIMESTAMPTZ(6),
    "occurred_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "run_events_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "seq" BIGSERIAL NOT NULL,
    "webhook_id" UUID NOT NULL,
    "event" TEXT NOT NULL,
    "run_id" UUID NOT NULL,
    "test_id" UUID,
    "payload" JSONB NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "next_attempt_at" TIMESTAMPTZ(6) DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(6),

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- The send queue, and the per-test order check (an earlier pending delivery holds later ones).
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries"("next_attempt_at") WHERE "state" = 'pending';
CREATE INDEX "webhook_deliveries_pending_order_idx" ON "webhook_deliveries"("webhook_id", "test_id", "seq") WHERE "state" = 'pending';
CREATE INDEX "webhook_deliveries_webhook_id_seq_idx" ON "webhook_deliveries"("webhook_id", "seq" DESC);
CREATE INDEX "webhook_deliveries_created_at_idx" ON "webhook_deliveries"("created_at");

ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "test_health" (
    "test_id" UUID NOT NULL,
    "labels_key" TEXT NOT NULL,
    "health" TEXT NOT NULL,
    "last_run_id" UUID NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "test_health_pkey" PRIMARY KEY ("test_id", "labels_key")
);

-- Captures run status changes into the outbox. Kept cheap (it runs inside run transitions): one
-- insert and a NOTIFY that PostgreSQL folds into one per transaction; matching webhooks is left to
-- the fan-out worker. The triggers' WHEN clauses keep it off the claim path (QUEUED → ASSIGNED).
CREATE FUNCTION "runs_capture_run_event"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind TEXT := CASE NEW.status
        WHEN 'QUEUED' THEN 'run.queued'
        WHEN 'RUNNING' THEN 'run.started'
        WHEN 'FINISHED' THEN 'run.finished'
    END;
BEGIN
    IF kind IS NOT NULL THEN
        INSERT INTO run_events (run_id, event, status, result, result_reason, attempt, started_at, finished_at, occurred_at)
        VALUES (NEW.id, kind, NEW.status, NEW.result, NEW.result_reason, NEW.attempt, NEW.started_at, NEW.finished_at,
                clock_timestamp());
        PERFORM pg_notify('tstr_run_event', '');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER "runs_run_event_on_insert" AFTER INSERT ON "runs"
    FOR EACH ROW WHEN (NEW."status" IN ('QUEUED', 'RUNNING', 'FINISHED'))
    EXECUTE FUNCTION "runs_capture_run_event"();

CREATE TRIGGER "runs_run_event_on_status" AFTER UPDATE OF "status" ON "runs"
    FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" AND NEW."status" IN ('QUEUED', 'RUNNING', 'FINISHED'))
    EXECUTE FUNCTION "runs_capture_run_event"();
