-- Up Migration
-- 重大行政执法决定法制审核 (本政办发〔2019〕34号).

-- Who may review (第七条; 本政办发〔2019〕27号): the unit records each reviewer's qualifications.
CREATE TABLE reviewer_profiles (
  person_id                      text PRIMARY KEY,
  unit_code                      text NOT NULL REFERENCES units(code),
  name                           text NOT NULL,
  law_degree                     boolean NOT NULL,            -- 法律专业本科以上学历
  legal_work_years               numeric(4,1) NOT NULL CHECK (legal_work_years >= 0),
  enforcement_years              numeric(4,1) NOT NULL CHECK (enforcement_years >= 0),
  legal_profession_qualification boolean NOT NULL,            -- 国家统一法律职业资格
  reviewed_penalty_before        boolean NOT NULL DEFAULT false,
  updated_by                     text NOT NULL,
  updated_at                     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reviewer_profiles_unit ON reviewer_profiles (unit_code);

-- One review per unit and case: the submission is stored here before its workflow starts (so an
-- accepted submission is never lost), then the workflow keeps the row current on every change, so
-- lists and the decision gate read Postgres, not Temporal visibility.
CREATE TABLE reviews (
  id            uuid PRIMARY KEY,
  workflow_id   text NOT NULL UNIQUE,
  unit_code     text NOT NULL REFERENCES units(code),
  case_number   text NOT NULL,
  title         text NOT NULL,
  decision_kind text NOT NULL,
  procedure     text NOT NULL,
  submission    jsonb NOT NULL,
  submitted_by  text NOT NULL,
  submitted_at  timestamptz NOT NULL,
  -- 'submitted' until the workflow first reports; then the workflow's status.
  status        text NOT NULL DEFAULT 'submitted',
  round         integer NOT NULL DEFAULT 1,
  reviewer_id   text,
  deadline      timestamptz,
  last_day      date,
  warning_level text NOT NULL DEFAULT 'none' CHECK (warning_level IN ('none', 'yellow', 'red')),
  overdue       boolean NOT NULL DEFAULT false,
  extended      boolean NOT NULL DEFAULT false,
  opinion_kind  text,
  flagged       boolean NOT NULL DEFAULT false,
  flag_reason   text,
  -- The workflow's full view (ReviewView) at `revision`; older reports never overwrite newer ones.
  view          jsonb,
  revision      integer NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (unit_code, case_number)
);
CREATE INDEX reviews_unit_status ON reviews (unit_code, status);
CREATE INDEX reviews_overdue ON reviews (unit_code) WHERE overdue;
CREATE INDEX reviews_flagged ON reviews (unit_code) WHERE flagged;

-- Decisions recorded through the gate (第二条, 第十四条): made only after a passed review, or after
-- the head / a collective discussion overruled the opinion (then flagged for supervisors).
CREATE TABLE decisions (
  unit_code         text NOT NULL REFERENCES units(code),
  case_number       text NOT NULL,
  decision_number   text NOT NULL,
  decided_at        timestamptz NOT NULL,
  recorded_by       text NOT NULL,
  recorded_at       timestamptz NOT NULL DEFAULT now(),
  review_id         uuid REFERENCES reviews(id),
  -- review_passed | head_overruled | collective_overruled | review_not_required
  basis             text NOT NULL CHECK (basis IN ('review_passed', 'head_overruled', 'collective_overruled', 'review_not_required')),
  basis_detail      text NOT NULL,
  flagged           boolean NOT NULL DEFAULT false,
  PRIMARY KEY (unit_code, case_number),
  UNIQUE (unit_code, decision_number)
);
CREATE INDEX decisions_flagged ON decisions (unit_code) WHERE flagged;

-- Down Migration
DROP TABLE decisions;
DROP TABLE reviews;
DROP TABLE reviewer_profiles;
