-- Up Migration
-- 公示 (domain spec §4; 本政办发〔2019〕35号; 锦州 and 潞州 rules by jurisdiction, issue 12).

-- Every unit belongs to one jurisdiction; its disclosure periods come from that jurisdiction's
-- rule table (domain/disclosure/rules.ts). Existing units keep their codes.
ALTER TABLE units ADD COLUMN jurisdiction text;
UPDATE units SET jurisdiction = 'benxi';
INSERT INTO units (code, name, short_name, kind, parent_code, supervisor_code, jurisdiction) VALUES
  ('jinzhou',        '锦州市人民政府',               '锦州市政府',     'government', NULL,      NULL,          'jinzhou'),
  ('jinzhou.sfj',    '锦州市司法局',                 '锦州市司法局',   'department', 'jinzhou', 'jinzhou',     'jinzhou'),
  ('jinzhou.scjgj',  '锦州市市场监督管理局',         '锦州市市场监管局', 'department', 'jinzhou', 'jinzhou.sfj', 'jinzhou'),
  ('jinzhou.ybj',    '锦州市医疗保障局',             '锦州市医保局',   'department', 'jinzhou', 'jinzhou.sfj', 'jinzhou'),
  ('luzhou',         '长治市潞州区人民政府',         '潞州区政府',     'government', NULL,      NULL,          'luzhou'),
  ('luzhou.sfj',     '长治市潞州区司法局',           '潞州区司法局',   'department', 'luzhou',  'luzhou',      'luzhou'),
  ('luzhou.ybj',     '长治市潞州区医疗保障局',       '潞州区医保局',   'department', 'luzhou',  'luzhou.sfj',  'luzhou');
ALTER TABLE units ALTER COLUMN jurisdiction SET NOT NULL;
ALTER TABLE units ADD CONSTRAINT units_jurisdiction_check CHECK (jurisdiction IN ('benxi', 'jinzhou', 'luzhou'));

-- One disclosure item per decision (and per change of it, and per inspection result); workflow
-- disclosure-<unit>-<caseNumber>-<n>. The API inserts the row with its start request; the workflow
-- keeps status, clock columns and view current (newest run wins). public_view is exactly what the
-- portal shows, already masked (第十七条, 第十九条): {party, partyKind, actionKind, content, result,
-- unitName, decisionNumber, decisionDate}. The unmasked party stays in decisions.party.
CREATE TABLE disclosures (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workflow_id          text NOT NULL UNIQUE,
  unit_code            text NOT NULL REFERENCES units(code),
  jurisdiction         text NOT NULL,
  case_number          text NOT NULL,
  n                    integer NOT NULL DEFAULT 1,
  decision_number      text,
  decision_id          uuid REFERENCES decisions(id),
  source               text NOT NULL CHECK (source IN ('decision', 'decision_change', 'inspection')),
  kind                 text NOT NULL CHECK (kind IN ('penalty', 'permit', 'compulsion', 'levy', 'inspection', 'other')),
  party_kind           text CHECK (party_kind IN ('person', 'organisation')),
  decided_at           timestamptz,
  recorded_by          text,
  status               text NOT NULL DEFAULT 'pending_check' CHECK (status IN ('pending_check', 'returned', 'published', 'taken_down')),
  deadline             timestamptz,
  overdue              boolean NOT NULL DEFAULT false,
  warning_level        text NOT NULL DEFAULT 'none' CHECK (warning_level IN ('none', 'yellow', 'red')),
  checked_by           text,
  checked_at           timestamptz,
  check_note           text,
  published_at         timestamptz,
  takedown_at          timestamptz,
  taken_down_at        timestamptz,
  takedown_reason      text CHECK (takedown_reason IN ('revoked', 'confirmed_unlawful', 'to_be_remade', 'period_expired', 'superseded')),
  takedown_explanation text,
  public_view          jsonb,
  -- an item without a decision (an inspection result): {party: {kind, name}, content, result}, the text before masking
  facts                jsonb,
  view                 jsonb,
  revision             integer NOT NULL DEFAULT 0,
  run_id               text,
  run_started_at       timestamptz,
  as_of                timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (unit_code, case_number, n)
);
CREATE INDEX disclosures_unit_status ON disclosures (unit_code, status);
CREATE INDEX disclosures_published_at ON disclosures (published_at);
CREATE INDEX disclosures_overdue ON disclosures (unit_code) WHERE overdue;

-- Corrections (第三十二条): anyone may ask through the portal; the unit verifies and decides.
CREATE TABLE disclosure_corrections (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tracking_code  text NOT NULL UNIQUE,
  disclosure_id  uuid NOT NULL REFERENCES disclosures(id),
  unit_code      text NOT NULL REFERENCES units(code),
  workflow_id    text NOT NULL UNIQUE,
  -- the applicant's request and evidence (personal data stays here, never in a workflow)
  request        text NOT NULL,
  evidence       jsonb NOT NULL,
  contact        text,
  status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'corrected', 'rejected')),
  outcome_reason text,
  decided_by     text,
  decided_at     timestamptz,
  deadline       timestamptz,
  overdue        boolean NOT NULL DEFAULT false,
  warning_level  text NOT NULL DEFAULT 'none' CHECK (warning_level IN ('none', 'yellow', 'red')),
  view           jsonb,
  revision       integer NOT NULL DEFAULT 0,
  run_id         text,
  as_of          timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX disclosure_corrections_unit_status ON disclosure_corrections (unit_code, status);

-- Down Migration
DROP TABLE disclosure_corrections;
DROP TABLE disclosures;
DELETE FROM units WHERE jurisdiction IN ('jinzhou', 'luzhou') AND code NOT IN (SELECT code FROM units WHERE parent_code IS NULL AND jurisdiction = 'benxi');
ALTER TABLE units DROP CONSTRAINT units_jurisdiction_check;
ALTER TABLE units DROP COLUMN jurisdiction;
