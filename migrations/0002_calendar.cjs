/**
 * The working-day calendar: one row per published year (the State Council's yearly holiday notice)
 * and one per special day (holiday, or weekend made a working day: 调休上班). Ordinary days are not
 * stored: a published year's other days follow the weekday.
 *
 * Seeded with 2004–2026 from the `chinese-days` package, the same data as domain/official-calendar.ts
 * (which migrations cannot import: they are plain JavaScript loaded at run time).
 */

const SOURCE_PUBLISHER = '国务院办公厅 (chinese-days package)';

/** A SQL string literal. */
const literal = (text) => `'${String(text).replace(/'/g, "''")}'`;

/** [{ date, year, kind, name }] from the package's { 'YYYY-MM-DD': "English,中文,n" } maps. */
function officialDays() {
  const data = require('chinese-days/dist/chinese-days.json');
  const days = [];
  for (const [map, kind] of [[data.holidays, 'holiday'], [data.workdays, 'adjusted_workday']]) {
    for (const [date, label] of Object.entries(map)) {
      const parts = label.split(',');
      days.push({ date, year: Number(date.slice(0, 4)), kind, name: parts[parts.length - 2].trim() });
    }
  }
  return days.sort((a, b) => (a.date < b.date ? -1 : 1));
}

exports.up = (pgm) => {
  pgm.createTable('calendar_years', {
    year: { type: 'integer', primaryKey: true },
    source: { type: 'text', notNull: true, check: "source IN ('official', 'published')" },
    published_by: { type: 'text' },
    published_at: { type: 'timestamptz', notNull: true, default: pgm.func('now()') },
    notice: { type: 'text' },
  });
  pgm.createTable('calendar_days', {
    date: { type: 'date', primaryKey: true },
    year: { type: 'integer', notNull: true, references: 'calendar_years', onDelete: 'CASCADE' },
    kind: { type: 'text', notNull: true, check: "kind IN ('holiday', 'adjusted_workday')" },
    name: { type: 'text', notNull: true },
  });
  pgm.createIndex('calendar_days', 'year');

  const days = officialDays();
  const years = [...new Set(days.map((d) => d.year))];
  pgm.sql(
    `INSERT INTO calendar_years (year, source, published_by) VALUES\n${years
      .map((year) => `  (${year}, 'official', ${literal(SOURCE_PUBLISHER)})`)
      .join(',\n')}`,
  );
  pgm.sql(
    `INSERT INTO calendar_days (date, year, kind, name) VALUES\n${days
      .map((d) => `  (${literal(d.date)}, ${d.year}, ${literal(d.kind)}, ${literal(d.name)})`)
      .join(',\n')}`,
  );
};

exports.down = (pgm) => {
  pgm.dropTable('calendar_days');
  pgm.dropTable('calendar_years');
};
