-- Up Migration
-- 执法全过程记录 (本政办发〔2019〕33号): one append-only, hash-chained record per case, and the
-- documents the processes generate. 第三十七条 forbids deleting or altering records, so the
-- database itself refuses UPDATE, DELETE and TRUNCATE on both tables (the hash chain then shows
-- any change made by someone who switched the trigger off).

CREATE TABLE case_documents (
  id              uuid PRIMARY KEY,
  unit_code       text NOT NULL REFERENCES units(code),
  case_number     text NOT NULL,
  kind            text NOT NULL,
  title           text NOT NULL,
  content_type    text NOT NULL,
  content         bytea NOT NULL,
  sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  idempotency_key text NOT NULL UNIQUE,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_documents_case ON case_documents (unit_code, case_number);

CREATE TABLE case_record (
  unit_code       text NOT NULL REFERENCES units(code),
  case_number     text NOT NULL,
  seq             integer NOT NULL CHECK (seq >= 1),
  stage           text NOT NULL CHECK (stage IN ('start', 'investigation', 'review', 'decision', 'service', 'performance', 'enforcement', 'archive', 'other')),
  actor           text NOT NULL,
  action          text NOT NULL,
  summary         text NOT NULL,
  occurred_at     timestamptz NOT NULL,
  recorded_at     timestamptz NOT NULL,
  documents       jsonb NOT NULL DEFAULT '[]',
  payload         jsonb NOT NULL DEFAULT '{}',
  idempotency_key text NOT NULL UNIQUE,
  prev_hash       text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash            text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (unit_code, case_number, seq)
);

CREATE FUNCTION refuse_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on % refused: 执法全过程记录不得删除、修改 (本政办发〔2019〕33号 第三十七条)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE TRIGGER case_record_append_only BEFORE UPDATE OR DELETE ON case_record
  FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER case_record_no_truncate BEFORE TRUNCATE ON case_record
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER case_documents_append_only BEFORE UPDATE OR DELETE ON case_documents
  FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER case_documents_no_truncate BEFORE TRUNCATE ON case_documents
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();

-- A second line of defence for deployments that connect as a non-owner role: sanxiang_app may
-- read and append, never change. Creating a role needs CREATEROLE; without it this is skipped
-- (the triggers above still hold).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sanxiang_app') THEN
    CREATE ROLE sanxiang_app NOLOGIN;
  END IF;
  GRANT SELECT, INSERT ON case_record, case_documents TO sanxiang_app;
  REVOKE UPDATE, DELETE, TRUNCATE ON case_record, case_documents FROM sanxiang_app;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'role sanxiang_app not created (no CREATEROLE); the append-only triggers still apply';
END
$$;

-- Down Migration
DROP TABLE case_record;
DROP TABLE case_documents;
DROP FUNCTION refuse_record_change();
