-- Up Migration
-- Annual statistics tasks (锦政办发〔2019〕23号 (一)4(5); 潞州 plan 二): every 1 January one task per
-- unit to publish last year's figures by 31 January; workflow statistics-<unit>-<year> keeps this
-- row current (newest revision wins).
CREATE TABLE statistics_tasks (
  unit_code     text NOT NULL REFERENCES units(code),
  year          integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  workflow_id   text NOT NULL UNIQUE,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published')),
  deadline      timestamptz,
  last_day      date,
  warning_level text NOT NULL DEFAULT 'none' CHECK (warning_level IN ('none', 'yellow', 'red')),
  overdue       boolean NOT NULL DEFAULT false,
  escalations   integer NOT NULL DEFAULT 0,
  published_at  timestamptz,
  published_by  text,
  published_late boolean,
  -- the units the published figures were sent to (government, superior department)
  sent_to       text[] NOT NULL DEFAULT '{}',
  revision      integer NOT NULL DEFAULT 0,
  run_id        text,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (unit_code, year)
);
CREATE INDEX statistics_tasks_open ON statistics_tasks (year, unit_code) WHERE status = 'pending';

-- Basis changes (第二十六条) get a clock: workflow basis-change-<unit>-<id> with reminders and one
-- escalation; the row shows its warning level and whether it was escalated.
ALTER TABLE unit_basis_changes
  ADD COLUMN workflow_id   text UNIQUE,
  ADD COLUMN warning_level text NOT NULL DEFAULT 'none' CHECK (warning_level IN ('none', 'yellow', 'red')),
  ADD COLUMN escalations   integer NOT NULL DEFAULT 0,
  ADD COLUMN revision      integer NOT NULL DEFAULT 0;

-- Down Migration
ALTER TABLE unit_basis_changes DROP COLUMN revision, DROP COLUMN escalations, DROP COLUMN warning_level, DROP COLUMN workflow_id;
DROP TABLE statistics_tasks;
