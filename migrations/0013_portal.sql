-- Up Migration
-- The public portal (issue 12): the search index over published disclosure items, the units'
-- pre-disclosure lists (35号 第五至十三条, 第二十三至二十六条), basis changes with their 20-working-day
-- update deadline (第二十六条), and the published annual statistics.

-- Search text: the masked public view's fields, NFKC-normalised and lower-cased (as the query is), one per line (a bigram never spans two
-- fields: grams with white space are skipped).
CREATE FUNCTION portal_search_text(v jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lower(normalize(concat_ws(E'\n', v->>'party', v->>'actionKind', v->>'content', v->>'result', v->>'unitName', v->>'decisionNumber'), NFKC))
$$;

-- Every distinct pair of adjacent characters of t, hashed to int4 (hashtext): the bigram inverted
-- index's keys. A hash collision only adds a candidate, which the substring recheck removes.
CREATE FUNCTION portal_grams(t text) RETURNS int4[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT hashtext(g)), '{}')
    FROM (SELECT substr(t, i, 2) AS g FROM generate_series(1, char_length(t) - 1) AS i) s
   WHERE g !~ '\s'
$$;

-- Published items only: a row exists exactly while its disclosure is published (trigger below), so
-- the public search can never return an unpublished or taken-down item.
CREATE TABLE portal_items (
  disclosure_id uuid PRIMARY KEY REFERENCES disclosures(id) ON DELETE CASCADE,
  unit_code     text NOT NULL,
  kind          text NOT NULL,
  published_at  timestamptz NOT NULL,
  search_text   text NOT NULL,
  grams         int4[] NOT NULL
);
-- The bigram inverted index: serves every query of two or more characters (CJK or not).
CREATE INDEX portal_items_grams ON portal_items USING gin (grams) WITH (fastupdate = off);
CREATE INDEX portal_items_newest ON portal_items (published_at DESC, disclosure_id DESC);
CREATE INDEX portal_items_unit_newest ON portal_items (unit_code, published_at DESC, disclosure_id DESC);
CREATE INDEX portal_items_kind_newest ON portal_items (kind, published_at DESC, disclosure_id DESC);

CREATE FUNCTION portal_items_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'published' AND NEW.public_view IS NOT NULL AND NEW.published_at IS NOT NULL THEN
    INSERT INTO portal_items (disclosure_id, unit_code, kind, published_at, search_text, grams)
    VALUES (NEW.id, NEW.unit_code, NEW.kind, NEW.published_at, portal_search_text(NEW.public_view), portal_grams(portal_search_text(NEW.public_view)))
    ON CONFLICT (disclosure_id) DO UPDATE
      SET unit_code = EXCLUDED.unit_code, kind = EXCLUDED.kind, published_at = EXCLUDED.published_at,
          search_text = EXCLUDED.search_text, grams = EXCLUDED.grams
      WHERE (portal_items.unit_code, portal_items.kind, portal_items.published_at, portal_items.search_text)
            IS DISTINCT FROM (EXCLUDED.unit_code, EXCLUDED.kind, EXCLUDED.published_at, EXCLUDED.search_text);
  ELSE
    DELETE FROM portal_items WHERE disclosure_id = NEW.id;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER disclosures_portal_items AFTER INSERT OR UPDATE OF status, public_view, published_at, unit_code, kind ON disclosures
  FOR EACH ROW EXECUTE FUNCTION portal_items_sync();

-- Pre-disclosure lists (事前公开), per unit, replaced as a whole by the unit's admin.
CREATE TABLE unit_officers (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  unit_code          text NOT NULL REFERENCES units(code),
  position           integer NOT NULL,
  name               text NOT NULL,
  post               text NOT NULL,
  category           text NOT NULL,
  area               text NOT NULL,
  valid_from         date,
  valid_until        date,
  certificate_number text NOT NULL,
  UNIQUE (unit_code, certificate_number)
);
CREATE TABLE unit_matters (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  unit_code  text NOT NULL REFERENCES units(code),
  list       text NOT NULL CHECK (list IN ('powers', 'random_inspection')),
  position   integer NOT NULL,
  title      text NOT NULL,
  basis      text NOT NULL,
  -- powers list: the power's kind, procedure, remedies; random inspection: the object, method, frequency
  details    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX unit_matters_unit ON unit_matters (unit_code, list, position);
CREATE TABLE unit_complaint_contacts (
  id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  unit_code text NOT NULL REFERENCES units(code),
  position  integer NOT NULL,
  channel   text NOT NULL,
  value     text NOT NULL,
  hours     text
);
CREATE TABLE unit_predisclosure_updates (
  unit_code  text PRIMARY KEY REFERENCES units(code),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A law or the unit's functions changed: the affected pre-disclosure items must be updated within
-- 20 working days (第二十六条; statute updatePreDisclosure).
CREATE TABLE unit_basis_changes (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  unit_code    text NOT NULL REFERENCES units(code),
  effective_on date NOT NULL,
  description  text NOT NULL,
  deadline     timestamptz NOT NULL,
  last_day     date NOT NULL,
  provisional  boolean NOT NULL,
  statute      text NOT NULL,
  recorded_by  text NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  completed_by text
);
CREATE INDEX unit_basis_changes_open ON unit_basis_changes (unit_code, deadline) WHERE completed_at IS NULL;

-- Annual statistics (锦州 (一)4(5)): the figures as the unit checked and published them.
CREATE TABLE unit_statistics (
  unit_code    text NOT NULL REFERENCES units(code),
  year         integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  figures      jsonb NOT NULL,
  published_by text NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (unit_code, year)
);

-- Down Migration
DROP TABLE unit_statistics;
DROP TABLE unit_basis_changes;
DROP TABLE unit_predisclosure_updates;
DROP TABLE unit_complaint_contacts;
DROP TABLE unit_matters;
DROP TABLE unit_officers;
DROP TRIGGER disclosures_portal_items ON disclosures;
DROP FUNCTION portal_items_sync();
DROP TABLE portal_items;
DROP FUNCTION portal_grams(text);
DROP FUNCTION portal_search_text(jsonb);
