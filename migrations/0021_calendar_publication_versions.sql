-- Up Migration
-- Issue 14: every publication of a calendar year is a recorded, immutable VERSION that re-timings
-- compute from. A row of calendar_year_history is one version: its id (global, in commit order:
-- publications are serialised by an advisory lock), its revision within the year (0 = the bundled
-- official data, 1… = publications), the SHA-256 of its content, who, when and the basis document
-- (`notice`). "The calendar as of version N" = for each year, its highest revision among the rows
-- with id <= N (the official revision 0 always counts): what a re-timing naming N computes from,
-- whatever is published later.

ALTER TABLE calendar_year_history
  ADD COLUMN source text NOT NULL DEFAULT 'published' CHECK (source IN ('official', 'published')),
  ADD COLUMN revision integer,
  ADD COLUMN content_hash text;

-- The content hash: SHA-256 (hex) of the UTF-8 text
--   "<year>\n" + one line per special day "<kind> <YYYY-MM-DD> <name>", sorted bytewise, joined by "\n"
-- with kind `holiday` or `adjusted_workday`. Anyone holding the arrangement can recompute it.
CREATE FUNCTION calendar_content_hash(y integer, arrangement jsonb) RETURNS text IMMUTABLE LANGUAGE sql AS $$
  SELECT encode(sha256(convert_to(y::text || E'\n' || coalesce(string_agg(line, E'\n' ORDER BY line COLLATE "C"), ''), 'UTF8')), 'hex')
    FROM (SELECT 'holiday ' || (d->>'date') || ' ' || (d->>'name') AS line FROM jsonb_array_elements(arrangement->'holidays') d
          UNION ALL
          SELECT 'adjusted_workday ' || (d->>'date') || ' ' || (d->>'name') FROM jsonb_array_elements(arrangement->'workdays') d) days
$$;

-- Existing publications (rows written since 0017) get their revision and hash, once.
ALTER TABLE calendar_year_history DISABLE TRIGGER calendar_year_history_append_only;
UPDATE calendar_year_history h
   SET revision = r.n, content_hash = calendar_content_hash(h.year, h.arrangement)
  FROM (SELECT id, row_number() OVER (PARTITION BY year ORDER BY id) AS n FROM calendar_year_history) r
 WHERE r.id = h.id;
ALTER TABLE calendar_year_history ENABLE TRIGGER calendar_year_history_append_only;

-- Every stored year without a history row gets its version: the bundled official years revision 0,
-- a year published before 0017 (only old development databases) revision 1.
INSERT INTO calendar_year_history (year, source, revision, published_by, published_at, notice, arrangement, changes, content_hash)
SELECT y.year, y.source, CASE WHEN y.source = 'official' THEN 0 ELSE 1 END, coalesce(y.published_by, 'unknown'), y.published_at, y.notice,
       a.arrangement, '{"added": [], "removed": [], "renamed": []}'::jsonb, calendar_content_hash(y.year, a.arrangement)
  FROM calendar_years y
  CROSS JOIN LATERAL (
    SELECT jsonb_build_object(
             'holidays', coalesce(jsonb_agg(jsonb_build_object('date', to_char(d.date, 'YYYY-MM-DD'), 'name', d.name) ORDER BY d.date) FILTER (WHERE d.kind = 'holiday'), '[]'::jsonb),
             'workdays', coalesce(jsonb_agg(jsonb_build_object('date', to_char(d.date, 'YYYY-MM-DD'), 'name', d.name) ORDER BY d.date) FILTER (WHERE d.kind = 'adjusted_workday'), '[]'::jsonb)
           ) AS arrangement
      FROM calendar_days d WHERE d.year = y.year
  ) a
 WHERE NOT EXISTS (SELECT 1 FROM calendar_year_history h WHERE h.year = y.year)
 ORDER BY y.year;

ALTER TABLE calendar_year_history ALTER COLUMN revision SET NOT NULL, ALTER COLUMN content_hash SET NOT NULL;
CREATE UNIQUE INDEX calendar_year_history_revision ON calendar_year_history (year, revision);

-- Immutable for the running service too: with refuse_record_change the table is one of the
-- append-only tables whose UPDATE/DELETE/TRUNCATE the least-privileged role never gets (infra/db.ts).
CREATE TRIGGER calendar_year_history_immutable BEFORE UPDATE OR DELETE ON calendar_year_history
  FOR EACH ROW EXECUTE FUNCTION refuse_record_change();
CREATE TRIGGER calendar_year_history_no_truncate BEFORE TRUNCATE ON calendar_year_history
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_record_change();

-- Down Migration
DROP TRIGGER calendar_year_history_no_truncate ON calendar_year_history;
DROP TRIGGER calendar_year_history_immutable ON calendar_year_history;
DROP INDEX calendar_year_history_revision;
ALTER TABLE calendar_year_history DISABLE TRIGGER calendar_year_history_append_only;
DELETE FROM calendar_year_history WHERE revision = 0;
ALTER TABLE calendar_year_history ENABLE TRIGGER calendar_year_history_append_only;
ALTER TABLE calendar_year_history DROP COLUMN content_hash, DROP COLUMN revision, DROP COLUMN source;
DROP FUNCTION calendar_content_hash(integer, jsonb);
