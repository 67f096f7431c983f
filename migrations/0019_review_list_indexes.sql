-- Up Migration
-- Issue 15 (read paths): GET /api/reviews orders by (deadline NULLS LAST, submitted_at) and pages
-- 100 at a time. Without an index in that order a supervisor's list (every unit under it: most of
-- the table) sorted all rows (~52 ms at 100,000 reviews). With it the list walks the index in
-- order and stops after a page; a single unit's list walks its own slice.
CREATE INDEX reviews_list_order ON reviews (deadline, submitted_at);
CREATE INDEX reviews_unit_list_order ON reviews (unit_code, deadline, submitted_at);

-- Down Migration
DROP INDEX reviews_unit_list_order;
DROP INDEX reviews_list_order;
