-- Up Migration
-- 催告 → 强制执行 (domain spec §3; 本政办发〔2019〕33号 第二十三至三十一条). Personal data of the party
-- (name, id number, phone, address) lives here, in Postgres, and never travels in workflow inputs,
-- results, search attributes or summaries: those carry ids and case numbers only.
ALTER TABLE decisions
  ADD COLUMN id                uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  ADD COLUMN kind              text CHECK (kind IN ('penalty', 'permit', 'compulsion', 'levy', 'inspection', 'other')),
  -- {kind: person|organisation, name, idNumber?, phone?, address?}
  ADD COLUMN party             jsonb,
  -- {kind: fine, amountFen} | {kind: correction, description, dueDate} | {kind: other, description, dueDate}
  ADD COLUMN obligation        jsonb,
  ADD COLUMN enforcement_power text CHECK (enforcement_power IN ('own', 'court'));

-- Every attempt to serve a decision (第二十三至二十七条), failed ones included.
CREATE TABLE decision_services (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  decision_id    uuid NOT NULL REFERENCES decisions(id),
  n              integer NOT NULL,
  method         text NOT NULL CHECK (method IN ('direct', 'registered_mail', 'left_at_residence', 'entrusted', 'forwarded', 'announcement')),
  served_at      timestamptz NOT NULL,
  -- when the service takes effect (an announcement: 30 days after it was issued, 民事诉讼法 第九十五条)
  effective_at   timestamptz,
  proof          jsonb NOT NULL,
  failed         boolean NOT NULL DEFAULT false,
  failure_reason text,
  recorded_by    text NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  idempotency_key text UNIQUE,
  UNIQUE (decision_id, n)
);

-- One enforcement process per decision with an obligation; workflow enforcement-<unit>-<caseNumber>.
-- The API inserts the row with its start request; the workflow keeps view and the list columns current.
CREATE TABLE enforcements (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  decision_id     uuid NOT NULL UNIQUE REFERENCES decisions(id),
  unit_code       text NOT NULL REFERENCES units(code),
  case_number     text NOT NULL,
  workflow_id     text NOT NULL UNIQUE,
  stage           text NOT NULL DEFAULT 'awaiting_performance',
  view            jsonb,
  revision        integer NOT NULL DEFAULT 0,
  run_id          text,
  run_started_at  timestamptz,
  as_of           timestamptz,
  deadline        timestamptz,
  warning_level   text NOT NULL DEFAULT 'none' CHECK (warning_level IN ('none', 'yellow', 'red')),
  overdue         boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (unit_code, case_number)
);
CREATE INDEX enforcements_unit_stage ON enforcements (unit_code, stage);
CREATE INDEX enforcements_overdue ON enforcements (unit_code) WHERE overdue;

-- Down Migration
DROP TABLE enforcements;
DROP TABLE decision_services;
ALTER TABLE decisions DROP COLUMN enforcement_power, DROP COLUMN obligation, DROP COLUMN party, DROP COLUMN kind, DROP COLUMN id;
