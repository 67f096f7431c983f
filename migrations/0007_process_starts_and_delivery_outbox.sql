-- Up Migration
-- Postgres decides whether a process exists. Every process start is written here in the same
-- transaction as its business row (a review, a case, a published calendar year) and a reconciler
-- (in the worker, and tried at once by the API after commit) starts the workflow from the STORED
-- input. A row with started_at set is never started again, whatever Temporal still retains.
CREATE TABLE process_starts (
  workflow_id     text PRIMARY KEY,
  kind            text NOT NULL,
  workflow_type   text NOT NULL,
  task_queue      text NOT NULL,
  input           jsonb NOT NULL,
  unit_code       text,
  case_number     text,
  initial_status  text,
  summary         text,
  details         text,
  requested_at    timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  run_id          text,
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  next_attempt_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX process_starts_pending ON process_starts (next_attempt_at) WHERE started_at IS NULL;

-- Notification delivery outbox: the notify activity only stores; a dispatcher in the worker
-- delivers each pending webhook/email row with its own backoff, and gives up ('failed') after a
-- bounded number of attempts. A row whose last attempt failed is 'failed' at once (visible with
-- ?status=failed); next_attempt_at says when it is tried again, NULL when no longer (given up or
-- delivered). locked_until keeps two dispatchers from sending the same delivery at once.
ALTER TABLE notification_deliveries ADD COLUMN next_attempt_at timestamptz;
ALTER TABLE notification_deliveries ADD COLUMN locked_until timestamptz;
UPDATE notification_deliveries SET next_attempt_at = now() WHERE status <> 'delivered';
CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE status <> 'delivered' AND next_attempt_at IS NOT NULL;

-- Down Migration
DROP INDEX notification_deliveries_due;
ALTER TABLE notification_deliveries DROP COLUMN locked_until;
ALTER TABLE notification_deliveries DROP COLUMN next_attempt_at;
DROP TABLE process_starts;
