import type { Pool, PoolClient } from 'pg';
import { WorkingCalendar, type YearArrangement } from '../domain/calendar';
import { inTransaction } from './db';

export interface CalendarChange {
  date: string;
  kind: 'holiday' | 'adjusted_workday';
  name: string;
  /** for a renamed day: its name before */
  was?: string;
}

export interface CalendarHistoryEntry {
  id: number;
  year: number;
  publishedBy: string;
  publishedAt: string;
  notice: string | null;
  previousSource: string | null;
  retimingWorkflowId: string | null;
  changes: { added: CalendarChange[]; removed: CalendarChange[]; renamed: CalendarChange[] };
  arrangement: { holidays: Array<{ date: string; name: string }>; workdays: Array<{ date: string; name: string }> };
}

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
    within?: (client: PoolClient, publishedAt: Date) => Promise<string | void>,
  ): Promise<{ replaced: boolean; historyId: number }> {
    return inTransaction(this.pool, async (client) => {
      const before = await client.query<{ source: string }>('SELECT source FROM calendar_years WHERE year = $1 FOR UPDATE', [arrangement.year]);
      const previous = await client.query<{ date: string; kind: CalendarChange['kind']; name: string }>(
        `SELECT to_char(date, 'YYYY-MM-DD') AS date, kind, name FROM calendar_days WHERE year = $1 ORDER BY date`,
        [arrangement.year],
      );
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
      const retiming = await within?.(client, published.rows[0]!.published_at);
      // The history: who, when, on which notice, and what changed (append-only, migration 0017).
      const next = new Map(days.map((d) => [d[0]!, { date: d[0]!, kind: d[1] as CalendarChange['kind'], name: d[2]! }]));
      const prev = new Map(previous.rows.map((d) => [d.date, d]));
      const changes = {
        added: [...next.values()].filter((d) => !prev.has(d.date) || prev.get(d.date)!.kind !== d.kind),
        removed: [...prev.values()].filter((d) => !next.has(d.date) || next.get(d.date)!.kind !== d.kind),
        renamed: [...next.values()].filter((d) => prev.get(d.date)?.kind === d.kind && prev.get(d.date)!.name !== d.name).map((d) => ({ ...d, was: prev.get(d.date)!.name })),
      };
      const history = await client.query<{ id: string }>(
        `INSERT INTO calendar_year_history (year, published_by, published_at, notice, arrangement, changes, previous_source, retiming_workflow_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [arrangement.year, by, published.rows[0]!.published_at, notice, JSON.stringify({ holidays: arrangement.holidays, workdays: arrangement.workdays }), JSON.stringify(changes), before.rows[0]?.source ?? null, retiming || null],
      );
      return { replaced: (before.rowCount ?? 0) > 0, historyId: Number(history.rows[0]!.id) };
    });
  }
}

/** A year's publications, oldest first. */
export async function calendarHistory(pool: Pool, year: number): Promise<CalendarHistoryEntry[]> {
  const { rows } = await pool.query(`SELECT * FROM calendar_year_history WHERE year = $1 ORDER BY id`, [year]);
  return rows.map((r) => ({
    id: Number(r.id),
    year: r.year,
    publishedBy: r.published_by,
    publishedAt: new Date(r.published_at).toISOString(),
    notice: r.notice,
    previousSource: r.previous_source,
    retimingWorkflowId: r.retiming_workflow_id,
    changes: r.changes,
    arrangement: r.arrangement,
  }));
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
