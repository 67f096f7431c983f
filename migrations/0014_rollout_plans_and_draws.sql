-- Up Migration
-- Rollout plans (domain spec §6, issue 13) and 双随机 random inspections (§7).

-- Units the 锦州 template names besides those migration 0012 seeded.
INSERT INTO units (code, name, short_name, kind, parent_code, supervisor_code, jurisdiction) VALUES
  ('jinzhou.xqzf', '锦州市各县(市)区人民政府(管委会)', '各县(市)区政府', 'district_governments', 'jinzhou', 'jinzhou', 'jinzhou')
ON CONFLICT DO NOTHING;

-- One row per plan: written by the API with the start outbox row, kept current by the plan workflow
-- (view = the workflow's state; the newest run and revision win).
CREATE TABLE plans (
  id            text PRIMARY KEY,
  template      text NOT NULL,
  title         text NOT NULL,
  office_unit   text NOT NULL REFERENCES units(code),
  starts_on     date NOT NULL,
  workflow_id   text NOT NULL UNIQUE,
  input         jsonb NOT NULL,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  status        text NOT NULL DEFAULT 'starting',
  view          jsonb,
  revision      integer NOT NULL DEFAULT -1,
  run_id        text,
  as_of         timestamptz,
  updated_at    timestamptz
);
CREATE INDEX plans_office ON plans (office_unit);

-- Per unit: the random-inspection matters (随机抽查事项清单: 依据、主体、对象、内容、比例、方式、频次).
CREATE TABLE inspection_matters (
  unit_code   text NOT NULL REFERENCES units(code),
  matter      text NOT NULL,
  basis       text NOT NULL,
  subject     text NOT NULL,
  object_kind text NOT NULL,
  content     text NOT NULL,
  ratio       numeric NOT NULL CHECK (ratio > 0 AND ratio <= 1),
  method      text NOT NULL,
  frequency   text NOT NULL,
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (unit_code, matter)
);

-- The directory of market entities in scope (检查对象名录库) and of qualified inspectors (执法检查人员名录库).
CREATE TABLE inspection_entities (
  unit_code  text NOT NULL REFERENCES units(code),
  entity_id  text NOT NULL,
  name       text NOT NULL,
  kind       text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (unit_code, entity_id)
);
CREATE TABLE inspection_inspectors (
  unit_code      text NOT NULL REFERENCES units(code),
  person_id      text NOT NULL,
  name           text NOT NULL,
  certificate_no text NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (unit_code, person_id)
);
-- Conflicts of interest: this inspector must never inspect this entity (回避).
CREATE TABLE inspection_conflicts (
  unit_code  text NOT NULL REFERENCES units(code),
  person_id  text NOT NULL,
  entity_id  text NOT NULL,
  reason     text NOT NULL,
  PRIMARY KEY (unit_code, person_id, entity_id)
);

-- Every draw, never changed or deleted: a repeat is a NEW draw naming the one it replaces and why.
CREATE TABLE draws (
  id                 uuid PRIMARY KEY,
  unit_code          text NOT NULL REFERENCES units(code),
  matter             text NOT NULL,
  drawn_by           text NOT NULL,
  drawn_at           timestamptz NOT NULL,
  seed               text NOT NULL CHECK (seed ~ '^[0-9a-f]{64}$'),
  algorithm          text NOT NULL,
  count              integer NOT NULL CHECK (count >= 1),
  inspectors_per_entity integer NOT NULL CHECK (inspectors_per_entity >= 2),
  entities_snapshot  jsonb NOT NULL,
  entities_hash      text NOT NULL,
  inspectors_snapshot jsonb NOT NULL,
  inspectors_hash    text NOT NULL,
  result             jsonb NOT NULL,
  replaces           uuid REFERENCES draws(id),
  replace_reason     text,
  record_seq         integer,
  CHECK ((replaces IS NULL) = (replace_reason IS NULL)),
  FOREIGN KEY (unit_code, matter) REFERENCES inspection_matters(unit_code, matter)
);
CREATE INDEX draws_matter ON draws (unit_code, matter, drawn_at);
CREATE TRIGGER draws_append_only BEFORE UPDATE OR DELETE ON draws FOR EACH ROW EXECUTE FUNCTION refuse_record_change();

CREATE TABLE draw_results (
  draw_id     uuid NOT NULL REFERENCES draws(id),
  entity_id   text NOT NULL,
  finished_at timestamptz NOT NULL,
  normal      boolean NOT NULL,
  findings    text NOT NULL,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  follow_up   jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (draw_id, entity_id)
);

-- Down Migration
DROP TABLE draw_results;
DROP TABLE draws;
DROP TABLE inspection_conflicts;
DROP TABLE inspection_inspectors;
DROP TABLE inspection_entities;
DROP TABLE inspection_matters;
DROP TABLE plans;
DELETE FROM units WHERE code = 'jinzhou.xqzf';
