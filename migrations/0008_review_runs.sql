-- Up Migration
-- The projection follows the newest run of a review's workflow: after a `temporal workflow reset`
-- the new run's revisions start lower than the old run's, so "newer" is (run_started_at, revision).
ALTER TABLE reviews ADD COLUMN run_started_at timestamptz;

-- Down Migration
ALTER TABLE reviews DROP COLUMN run_started_at;
