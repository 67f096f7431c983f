-- Up Migration
-- Units (执法主体 and the plan's departments). parent_code: the organisational parent;
-- supervisor_code: the unit that supervises its enforcement (司法行政部门 / 上级机关).
CREATE TABLE units (
  code            text PRIMARY KEY CHECK (code ~ '^[a-z0-9]+(\.[a-z0-9]+)*$'),
  name            text NOT NULL,
  short_name      text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('government', 'department', 'institution', 'district_governments')),
  parent_code     text REFERENCES units(code),
  supervisor_code text REFERENCES units(code),
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- From the source documents: 本政发〔2019〕8号 (医保整合 lead, responsible and supervising units),
-- 本政办发〔2019〕33/34/35号 (司法局 supervises enforcement). 各县区政府 is one entry.
INSERT INTO units (code, name, short_name, kind, parent_code, supervisor_code) VALUES
  ('benxi',        '本溪市人民政府',                     '市政府',         'government',           NULL,        NULL),
  ('benxi.sfj',    '本溪市司法局',                       '市司法局',       'department',           'benxi',     'benxi'),
  ('benxi.ybj',    '本溪市医疗保障局',                   '市医保局',       'department',           'benxi',     'benxi.sfj'),
  ('benxi.ybfwzx', '本溪市医疗保障服务中心',             '市医保服务中心', 'institution',          'benxi.ybj', 'benxi.sfj'),
  ('benxi.czj',    '本溪市财政局',                       '市财政局',       'department',           'benxi',     'benxi.sfj'),
  ('benxi.wjw',    '本溪市卫生健康委员会',               '市卫生健康委',   'department',           'benxi',     'benxi.sfj'),
  ('benxi.swj',    '国家税务总局本溪市税务局',           '市税务局',       'department',           'benxi',     'benxi.sfj'),
  ('benxi.mzj',    '本溪市民政局',                       '市民政局',       'department',           'benxi',     'benxi.sfj'),
  ('benxi.bb',     '中共本溪市委机构编制委员会办公室',   '市委编办',       'department',           'benxi',     NULL),
  ('benxi.rsj',    '本溪市人力资源和社会保障局',         '市人力资源社会保障局', 'department',     'benxi',     'benxi.sfj'),
  ('benxi.sjj',    '本溪市审计局',                       '市审计局',       'department',           'benxi',     'benxi.sfj'),
  ('benxi.gaj',    '本溪市公安局',                       '市公安局',       'department',           'benxi',     'benxi.sfj'),
  ('benxi.fpb',    '本溪市扶贫开发办公室',               '市扶贫办',       'department',           'benxi',     'benxi.sfj'),
  ('benxi.jyj',    '本溪市教育局',                       '市教育局',       'department',           'benxi',     'benxi.sfj'),
  ('benxi.xqzf',   '本溪市各县区人民政府',               '各县区政府',     'district_governments', 'benxi',     'benxi');

-- Down Migration
DROP TABLE units;
