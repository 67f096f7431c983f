-- Up Migration
-- The case file's projection (全过程记录, 本政办发〔2019〕33号): the `cases` row is written by the API once
-- (the business key, the start) and from then on kept current by the case-file workflow itself, so
-- GET /api/cases/:n and the lists read Postgres, with Temporal down or the workflow deleted.
ALTER TABLE cases
  -- The workflow's full state (CaseFileState) at `revision`.
  ADD COLUMN view           jsonb,
  ADD COLUMN revision       integer NOT NULL DEFAULT 0,
  -- The run that wrote the row, when it started, and the workflow time the view was taken at.
  -- Newest wins by (as_of, revision): after continue-as-new or a reset the new run's reports are
  -- later in workflow time, so the projection follows the newest run even when its revision restarted.
  ADD COLUMN run_id         text,
  ADD COLUMN run_started_at timestamptz,
  ADD COLUMN as_of          timestamptz,
  ADD COLUMN updated_at     timestamptz NOT NULL DEFAULT now(),
  -- For lists: the clock that runs now (urgent approval or archiving), its level and deadline.
  ADD COLUMN deadline       timestamptz,
  ADD COLUMN deadline_kind  text CHECK (deadline_kind IN ('urgent_approval', 'archive')),
  ADD COLUMN warning_level  text NOT NULL DEFAULT 'none' CHECK (warning_level IN ('none', 'yellow', 'red')),
  ADD COLUMN overdue        boolean NOT NULL DEFAULT false,
  -- AV records registered and still waiting to be stored (第三十二条: 24 hours each).
  ADD COLUMN av_pending     integer NOT NULL DEFAULT 0,
  ADD COLUMN av_overdue     integer NOT NULL DEFAULT 0,
  ADD COLUMN archived_at    timestamptz;
ALTER TABLE cases ADD CONSTRAINT cases_status_check CHECK (status IN ('open', 'enforcement_ended', 'archived'));
CREATE INDEX cases_unit_status ON cases (unit_code, status);
CREATE INDEX cases_overdue ON cases (unit_code) WHERE overdue OR av_overdue > 0;

-- Down Migration
DROP INDEX cases_overdue;
DROP INDEX cases_unit_status;
ALTER TABLE cases DROP CONSTRAINT cases_status_check;
ALTER TABLE cases
  DROP COLUMN archived_at,
  DROP COLUMN av_overdue,
  DROP COLUMN av_pending,
  DROP COLUMN overdue,
  DROP COLUMN warning_level,
  DROP COLUMN deadline_kind,
  DROP COLUMN deadline,
  DROP COLUMN updated_at,
  DROP COLUMN as_of,
  DROP COLUMN run_started_at,
  DROP COLUMN run_id,
  DROP COLUMN revision,
  DROP COLUMN view;
