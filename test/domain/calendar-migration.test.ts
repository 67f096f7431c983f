/** migrations/0002_calendar.cjs seeds exactly the official data that domain/official-calendar.ts reads. */
import { officialArrangements, OFFICIAL_PUBLISHER } from '../../domain/official-calendar';
import { freshDatabase } from '../helpers/database';

let db: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
});

it('seeds every official year and special day', async () => {
  const years = await db.pool.query(`SELECT year, source, published_by FROM calendar_years WHERE source = 'official' ORDER BY year`);
  const official = officialArrangements();
  expect(years.rows).toEqual(official.map(({ year }) => ({ year, source: 'official', published_by: OFFICIAL_PUBLISHER })));

  const days = await db.pool.query(
    `SELECT to_char(d.date, 'YYYY-MM-DD') AS date, d.kind, d.name FROM calendar_days d
       JOIN calendar_years y USING (year) WHERE y.source = 'official' ORDER BY d.date`,
  );
  const expected = official
    .flatMap((a) => [...a.holidays.map((d) => ({ ...d, kind: 'holiday' })), ...a.workdays.map((d) => ({ ...d, kind: 'adjusted_workday' }))])
    .sort((a, b) => (a.date < b.date ? -1 : 1));
  expect(days.rows).toEqual(expected);
});

it('refuses a day of an unknown year, or of an unknown kind', async () => {
  await expect(db.pool.query(`INSERT INTO calendar_days VALUES ('2099-01-01', 2099, 'holiday', '元旦')`)).rejects.toThrow(/foreign key/);
  await expect(db.pool.query(`INSERT INTO calendar_days VALUES ('2025-03-03', 2025, 'workday', 'x')`)).rejects.toThrow(/check constraint/);
});
