-- Up Migration
-- The projection follows the newest run of a review's workflow. After a `temporal workflow reset`
-- the new run's revisions start lower than the old run's, so a report from another run than the
-- stored one wins when that run is the workflow's current run (asked of Temporal), and within one
-- run the higher revision wins.
ALTER TABLE reviews ADD COLUMN run_id text;

-- Down Migration
ALTER TABLE reviews DROP COLUMN run_id;
