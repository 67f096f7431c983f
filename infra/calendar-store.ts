import type { Pool, PoolClient } from 'pg';
import { WorkingCalendar, type YearArrangement } from '../domain/calendar';
import { inTransaction } from './db';

export interface PublishedYear extends YearArrangement {
  source: 'official' | 'published';
  publishedBy: string | null;
  publishedAt: string;
  notice: string | null;
}

/**
 * The working-day calendar as stored in Postgres (seeded from the official data, extended at run
 * time by PUT /api/calendar/years/:year). Cached per process; one cheap query tells whether another
 * process has published since.
 */
export class CalendarStore {
  private cached?: { stamp: string; calendar: WorkingCalendar };

  constructor(private readonly pool: Pool) {}

  async calendar(): Promise<WorkingCalendar> {
    const { rows } = await this.pool.query<{ stamp: string }>(
      `SELECT count(*) || ':' || coalesce(max(extract(epoch FROM published_at))::text, '') AS stamp FROM calendar_years`,
    );
    const stamp = rows[0]?.stamp ?? '';
    if (this.cached?.stamp === stamp) return this.cached.calendar;
    const calendar = new WorkingCalendar(await this.years());
    this.cached = { stamp, calendar };
    return calendar;
  }

  async years(): Promise<PublishedYear[]> {
    const { rows } = await this.pool.query(
      `SELECT y.year, y.source, y.published_by, y.published_at, y.notice,
              coalesce(json_agg(json_build_object('date', to_char(d.date, 'YYYY-MM-DD'), 'kind', d.kind, 'name', d.name) ORDER BY d.date)
                       FILTER (WHERE d.date IS NOT NULL), '[]') AS days
         FROM calendar_years y LEFT JOIN calendar_days d ON d.year = y.year
        GROUP BY y.year ORDER BY y.year`,
    );
    return rows.map(toPublishedYear);
  }

  async year(year: number): Promise<PublishedYear | undefined> {
    return (await this.years()).find((y) => y.year === year);
  }

  /** Stores (or replaces) a year's arrangement; returns whether the year was unpublished before. */
  /** `within` runs in the same transaction with the stored publication time (the API writes its re-timing start there). */
  async publish(
    arrangement: YearArrangement,
    by: string,
    notice: string | null,
    within?: (client: PoolClient, publishedAt: Date) => Promise<void>,
  ): Promise<{ replaced: boolean }> {
    return inTransaction(this.pool, async (client) => {
      const before = await client.query('SELECT 1 FROM calendar_years WHERE year = $1 FOR UPDATE', [arrangement.year]);
      await client.query('DELETE FROM calendar_days WHERE year = $1', [arrangement.year]);
      const published = await client.query<{ published_at: Date }>(
        `INSERT INTO calendar_years (year, source, published_by, published_at, notice) VALUES ($1, 'published', $2, now(), $3)
         ON CONFLICT (year) DO UPDATE SET source = 'published', published_by = $2, published_at = now(), notice = $3 RETURNING published_at`,
        [arrangement.year, by, notice],
      );
      const days = [
        ...arrangement.holidays.map((d) => [d.date, 'holiday', d.name]),
        ...arrangement.workdays.map((d) => [d.date, 'adjusted_workday', d.name]),
      ];
      if (days.length) {
        await client.query(
          `INSERT INTO calendar_days (date, year, kind, name)
           SELECT d::date, $1, k, n FROM unnest($2::text[], $3::text[], $4::text[]) AS t(d, k, n)`,
          [arrangement.year, days.map((d) => d[0]), days.map((d) => d[1]), days.map((d) => d[2])],
        );
      }
      await within?.(client, published.rows[0]!.published_at);
      return { replaced: (before.rowCount ?? 0) > 0 };
    });
  }
}

function toPublishedYear(row: any): PublishedYear {
  const days = row.days as Array<{ date: string; kind: string; name: string }>;
  return {
    year: row.year,
    holidays: days.filter((d) => d.kind === 'holiday').map(({ date, name }) => ({ date, name })),
    workdays: days.filter((d) => d.kind === 'adjusted_workday').map(({ date, name }) => ({ date, name })),
    source: row.source,
    publishedBy: row.published_by,
    publishedAt: new Date(row.published_at).toISOString(),
    notice: row.notice,
  };
}
