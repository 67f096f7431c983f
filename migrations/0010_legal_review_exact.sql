-- Up Migration
-- 法制审核, legally exact (issue 10).

-- A case may be submitted again (after a withdrawal, or for a remade decision 重新作出): one review
-- per (unit, case, submission number); earlier submissions are kept.
ALTER TABLE reviews ADD COLUMN submission_no integer NOT NULL DEFAULT 1 CHECK (submission_no >= 1);
ALTER TABLE reviews DROP CONSTRAINT reviews_unit_code_case_number_key;
ALTER TABLE reviews ADD CONSTRAINT reviews_unit_case_submission_key UNIQUE (unit_code, case_number, submission_no);

-- The decision gate keeps what it checked: the draft's hash the recorded decision quotes (第二条),
-- which submission's review it rests on, and, for a decision without review, the classification
-- the unit stated and the catalogue version it was checked against (第十八条), for supervisors.
ALTER TABLE decisions
  ADD COLUMN draft_sha256         text,
  ADD COLUMN review_submission_no integer,
  ADD COLUMN classification       jsonb,
  ADD COLUMN catalogue_version    integer;

-- 第十八条 重大行政执法决定法制审核目录清单: data per unit, every version kept (who set it, when, why).
CREATE TABLE review_catalogue_versions (
  unit_code  text NOT NULL REFERENCES units(code),
  version    integer NOT NULL CHECK (version >= 1),
  -- [{decisionKind, matter?, description}]: a decision of that kind (and matter, when given) needs review.
  items      jsonb NOT NULL,
  note       text NOT NULL,
  set_by     text NOT NULL,
  set_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (unit_code, version)
);

-- Reviewer qualifications have a history (第七条; who changed what, when).
CREATE TABLE reviewer_profile_history (
  id          bigserial PRIMARY KEY,
  person_id   text NOT NULL,
  unit_code   text NOT NULL,
  changed_by  text NOT NULL,
  changed_at  timestamptz NOT NULL DEFAULT now(),
  before      jsonb,
  after       jsonb NOT NULL
);
CREATE INDEX reviewer_profile_history_person ON reviewer_profile_history (person_id, id);

-- Staffing target (reviewers ≥ 5% of the unit's enforcement officers, 本政办发〔2019〕27号): the
-- number of enforcement officers a unit reports, with who reported it and when.
ALTER TABLE units ADD COLUMN enforcement_officers integer CHECK (enforcement_officers >= 0),
                  ADD COLUMN enforcement_officers_set_by text,
                  ADD COLUMN enforcement_officers_set_at timestamptz;

-- Down Migration
ALTER TABLE units DROP COLUMN enforcement_officers_set_at, DROP COLUMN enforcement_officers_set_by, DROP COLUMN enforcement_officers;
DROP TABLE reviewer_profile_history;
DROP TABLE review_catalogue_versions;
ALTER TABLE decisions DROP COLUMN catalogue_version, DROP COLUMN classification, DROP COLUMN review_submission_no, DROP COLUMN draft_sha256;
ALTER TABLE reviews DROP CONSTRAINT reviews_unit_case_submission_key;
ALTER TABLE reviews ADD CONSTRAINT reviews_unit_code_case_number_key UNIQUE (unit_code, case_number);
ALTER TABLE reviews DROP COLUMN submission_no;
