-- Up Migration
-- 法制审核 (issue 10), remaining parts.

-- A remade decision (重新作出) after a new review is recorded as the case's next decision: decisions
-- are keyed by (unit, case, decision sequence); a later one names the decision it supersedes.
ALTER TABLE decisions ADD COLUMN decision_seq integer NOT NULL DEFAULT 1 CHECK (decision_seq >= 1),
                      ADD COLUMN supersedes   text;
ALTER TABLE decisions DROP CONSTRAINT decisions_pkey;
ALTER TABLE decisions ADD CONSTRAINT decisions_pkey PRIMARY KEY (unit_code, case_number, decision_seq);
-- One decision per review submission (a remade decision needs its own review).
CREATE UNIQUE INDEX decisions_one_per_review ON decisions (review_id) WHERE review_id IS NOT NULL;

-- Notices addressed to a role in the unit (head, legal_office, reviewer, …) rather than to everyone:
-- the inbox shows a person what is addressed to them, to their roles, and unaddressed unit notices.
ALTER TABLE notifications ADD COLUMN recipient_role text;
CREATE INDEX notifications_inbox_role ON notifications (unit_code, recipient_role, created_at DESC);

-- Down Migration
DROP INDEX notifications_inbox_role;
ALTER TABLE notifications DROP COLUMN recipient_role;
DROP INDEX decisions_one_per_review;
ALTER TABLE decisions DROP CONSTRAINT decisions_pkey;
ALTER TABLE decisions ADD CONSTRAINT decisions_pkey PRIMARY KEY (unit_code, case_number);
ALTER TABLE decisions DROP COLUMN supersedes, DROP COLUMN decision_seq;
