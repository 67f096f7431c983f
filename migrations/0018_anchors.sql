-- Up Migration
-- Tamper evidence anchored outside the database (issue 14): every day a Merkle root over all case
-- record heads, draws and disclosure publications is published on the public portal and sent to
-- the supervising units. `anchor_leaves` keeps, per anchor, the leaves that changed since the one
-- before (a case's head: its last seq and hash), so `verify` can check a case against the last
-- published root: a removed tail or a rewritten chain no longer matches its anchored head.
-- Both tables are append-only like the case record.
CREATE TABLE anchors (
  anchor_date  date PRIMARY KEY,
  root         text NOT NULL CHECK (root ~ '^[0-9a-f]{64}$'),
  leaf_count   integer NOT NULL CHECK (leaf_count >= 0),
  cases        integer NOT NULL,
  draws        integer NOT NULL,
  disclosures  integer NOT NULL,
  -- Heads anchored before that are now shorter or gone: found while publishing, told to supervisors.
  discrepancies jsonb NOT NULL DEFAULT '[]',
  published_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE anchor_leaves (
  anchor_date date NOT NULL REFERENCES anchors(anchor_date),
  kind        text NOT NULL CHECK (kind IN ('case', 'draw', 'disclosure')),
  -- case: <unit>|<caseNumber>; draw and disclosure: the row's id
  key         text NOT NULL,
  -- case: the head's seq (null for the others)
  seq         integer,
  -- case: the head's hash; draw and disclosure: SHA-256 of the published content (canonical JSON)
  value       text NOT NULL CHECK (value ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (anchor_date, kind, key)
);
CREATE INDEX anchor_leaves_latest ON anchor_leaves (kind, key, anchor_date DESC);

CREATE TRIGGER anchors_append_only BEFORE UPDATE OR DELETE ON anchors FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER anchors_no_truncate BEFORE TRUNCATE ON anchors FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER anchor_leaves_append_only BEFORE UPDATE OR DELETE ON anchor_leaves FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER anchor_leaves_no_truncate BEFORE TRUNCATE ON anchor_leaves FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sanxiang_app') THEN
    GRANT SELECT, INSERT ON anchors, anchor_leaves TO sanxiang_app;
    REVOKE UPDATE, DELETE, TRUNCATE ON anchors, anchor_leaves FROM sanxiang_app;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'grants to sanxiang_app skipped (not permitted); the append-only triggers still apply';
END
$$;

-- Down Migration
DROP TABLE anchor_leaves;
DROP TABLE anchors;
