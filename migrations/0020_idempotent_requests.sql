-- Up Migration
-- Issue 14 (faults lose nothing) and the developers' guide (idempotency keys survive resets; a
-- reused key with other content is an error): the answer of every successful (2xx) mutating API
-- request that carried an `Idempotency-Key` header, so a retry with the same key and the same
-- request gets the same answer (status and body) however long after, also when the workflow has
-- ended, was reset or deleted, or Temporal's retention removed it (api/idempotency.ts).
-- A request first CLAIMS its key (a row `in_progress`, inserted ON CONFLICT DO NOTHING: of two
-- concurrent duplicates one executes, the other waits for the answer); a 2xx answer makes the row
-- `done`; any other outcome removes the claim (the request was not accepted; a retry executes).
-- Rows are kept (no purge): a few KB per accepted request, and a late retry must still find them.
CREATE TABLE idempotent_requests (
  -- the principal's unit: keys are per unit, a key never reaches another unit's answers
  unit_code      text NOT NULL,
  -- method and route template, e.g. 'POST /api/enforcements/:id/payments'
  route          text NOT NULL,
  -- the path parameters as canonical JSON ('{}' for none), e.g. '{"id":"…"}'
  resource       text NOT NULL,
  key            text NOT NULL CHECK (key ~ '^[!-~]{1,200}$'),
  -- SHA-256 of the canonical JSON of {body, query, person}: the same key with another request (or
  -- from another person of the unit) is refused, so an answer is only replayed to whom it was given
  request_sha256 text NOT NULL CHECK (request_sha256 ~ '^[0-9a-f]{64}$'),
  -- who sent the request that executed
  person_id      text NOT NULL,
  state          text NOT NULL DEFAULT 'in_progress' CHECK (state IN ('in_progress', 'done')),
  -- the claim of the execution in progress (a claim older than the lease, its API gone, is taken over)
  claim_id       uuid NOT NULL,
  claimed_at     timestamptz NOT NULL DEFAULT now(),
  status         smallint CHECK (status BETWEEN 200 AND 299),
  content_type   text,
  -- the answer's body exactly as sent
  body           text,
  completed_at   timestamptz,
  CHECK ((state = 'done') = (status IS NOT NULL AND completed_at IS NOT NULL)),
  PRIMARY KEY (unit_code, route, resource, key)
);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sanxiang_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON idempotent_requests TO sanxiang_app;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'grants to sanxiang_app skipped (not permitted); ensureAppRole / the default privileges grant them';
END
$$;

-- Down Migration
DROP TABLE idempotent_requests;
