-- Up Migration
-- Issue 14: publishing a calendar year keeps its history. Every publication (or correction) is one
-- row: who, when, the notice it rests on, the arrangement as published and what changed against the
-- arrangement before it. Append-only; the re-timing workflow is started from (and names) the row.
CREATE TABLE calendar_year_history (
  id           bigserial PRIMARY KEY,
  year         integer NOT NULL,
  published_by text NOT NULL,
  published_at timestamptz NOT NULL,
  notice       text,
  -- { holidays: [{date, name}], workdays: [{date, name}] } as published
  arrangement  jsonb NOT NULL,
  -- what changed against the previous arrangement: { added: [{date, kind, name}], removed: [...], renamed: [...] }
  changes      jsonb NOT NULL,
  previous_source text,
  retiming_workflow_id text
);
CREATE INDEX calendar_year_history_year ON calendar_year_history (year, id);

CREATE FUNCTION calendar_year_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'calendar_year_history is append-only' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER calendar_year_history_append_only BEFORE UPDATE OR DELETE ON calendar_year_history
  FOR EACH ROW EXECUTE FUNCTION calendar_year_history_append_only();

-- Down Migration
DROP TABLE calendar_year_history;
DROP FUNCTION calendar_year_history_append_only();
