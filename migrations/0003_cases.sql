-- Up Migration
-- A case (案件) of a unit; its workflow is case-<unit>-<caseNumber>.
CREATE TABLE cases (
  unit_code   text NOT NULL REFERENCES units(code),
  case_number text NOT NULL,
  title       text NOT NULL,
  urgent      boolean NOT NULL DEFAULT false,
  opened_by   text NOT NULL,
  opened_at   timestamptz NOT NULL,
  workflow_id text NOT NULL UNIQUE,
  status      text NOT NULL DEFAULT 'open',
  PRIMARY KEY (unit_code, case_number)
);

-- Down Migration
DROP TABLE cases;
