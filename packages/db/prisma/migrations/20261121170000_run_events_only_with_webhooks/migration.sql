-- The runs outbox costs nothing where nobody listens: a run's status change is recorded only when
-- its namespace has a webhook (enabled or not: a disabled one keeps its events for later), and
-- bulk inserts (a cron tick queueing thousands of runs) are recorded by one statement-level
-- INSERT … SELECT instead of one trigger call per row. Status updates stay row-level: their WHEN
-- clause filters in C, and most updates of runs (claims, lease renewals) never reach the function.

DROP TRIGGER "runs_run_event_on_insert" ON "runs";
DROP TRIGGER "runs_run_event_on_status" ON "runs";
DROP FUNCTION "runs_capture_run_event"();

CREATE FUNCTION "runs_capture_run_event"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind TEXT := CASE NEW.status
        WHEN 'QUEUED' THEN 'run.queued'
        WHEN 'RUNNING' THEN 'run.started'
        WHEN 'FINISHED' THEN 'run.finished'
    END;
BEGIN
    IF kind IS NOT NULL AND EXISTS (SELECT 1 FROM webhooks WHERE namespace = NEW.namespace) THEN
        INSERT INTO run_events (run_id, event, status, result, result_reason, attempt, started_at, finished_at, occurred_at)
        VALUES (NEW.id, kind, NEW.status, NEW.result, NEW.result_reason, NEW.attempt, NEW.started_at, NEW.finished_at,
                clock_timestamp());
        PERFORM pg_notify('tstr_run_event', '');
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION "runs_capture_inserted_run_events"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO run_events (run_id, event, status, result, result_reason, attempt, started_at, finished_at, occurred_at)
    SELECT n.id,
           CASE n.status WHEN 'QUEUED' THEN 'run.queued' WHEN 'RUNNING' THEN 'run.started' ELSE 'run.finished' END,
           n.status, n.result, n.result_reason, n.attempt, n.started_at, n.finished_at, clock_timestamp()
    FROM inserted_runs n
    WHERE n.status IN ('QUEUED', 'RUNNING', 'FINISHED')
      AND n.namespace IN (SELECT namespace FROM webhooks)
    ORDER BY n.scheduled_at, n.id;
    IF FOUND THEN
        PERFORM pg_notify('tstr_run_event', '');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER "runs_run_event_on_insert" AFTER INSERT ON "runs"
    REFERENCING NEW TABLE AS inserted_runs
    FOR EACH STATEMENT EXECUTE FUNCTION "runs_capture_inserted_run_events"();

CREATE TRIGGER "runs_run_event_on_status" AFTER UPDATE OF "status" ON "runs"
    FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" AND NEW."status" IN ('QUEUED', 'RUNNING', 'FINISHED'))
    EXECUTE FUNCTION "runs_capture_run_event"();
