import type { Pool, PoolClient } from 'pg';
import { describeCalendarBasis, WorkingCalendar, type CalendarBasis, type CalendarPublicationRef, type YearArrangement } from '../domain/calendar';
import { shanghaiDateOf } from '../domain/dates';
import { legalDeadlineSchedule } from '../domain/legal-deadline';
import type { DeadlineRequest, DeadlineSchedule } from '../workflows/shared/deadline-types';
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
  /** 0 = the bundled official data; 1, 2, … = publications. */
  revision: number;
  source: 'official' | 'published';
  contentHash: string;
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

/** The calendar as of one recorded version, with the version of each year it holds. */
export interface CalendarVersion {
  asOf: number;
  calendar: WorkingCalendar;
  versions: ReadonlyMap<number, CalendarPublicationRef>;
}

/** Which recorded calendar to compute from: `asOf` a version (a re-timing names it), else the latest. */
export interface CalendarChoice {
  asOf?: number;
}

/** How many versions a store keeps built (they never change: a cache, never a source). */
const VERSION_CACHE = 8;
/** The one lock that serialises publications, so version ids are in commit order. */
const PUBLICATION_LOCK = 'sanxiang.calendar-publication';

/**
 * The working-day calendar as recorded in Postgres: every version of every year in
 * `calendar_year_history` (seeded from the official data as revision 0, extended at run time by
 * PUT /api/calendar/years/:year); `calendar_years`/`calendar_days` are the latest, for listings.
 * Deadlines are computed from a version: the latest, or exactly the one a re-timing names.
 */
export class CalendarStore {
  private readonly built = new Map<number, CalendarVersion>();

  constructor(private readonly pool: Pool) {}

  /** The latest calendar. */
  async calendar(): Promise<WorkingCalendar> {
    return (await this.version()).calendar;
  }

  /**
   * A legal deadline on the calendar as of `choice.asOf` (default the latest), naming that version:
   * `calendar` lists the versions of the years the computation consulted and the years it found
   * unpublished (counted Monday–Friday: the deadline is provisional), and `basis` ends with it.
   */
  async legalDeadline(request: DeadlineRequest, choice: CalendarChoice = {}): Promise<DeadlineSchedule> {
    if (request.hourLimit) return legalDeadlineSchedule((await this.version(choice.asOf)).calendar, request);
    const { asOf, calendar, versions } = await this.version(choice.asOf);
    const schedule = legalDeadlineSchedule(calendar, request);
    // The days walked run from the start day to the last day before any cap.
    const uncapped = schedule.capped ? legalDeadlineSchedule(calendar, { ...request, capDate: undefined }).lastDay : schedule.lastDay;
    const basis: CalendarBasis = { asOf, years: [], unpublished: [] };
    const first = Math.min(Number(shanghaiDateOf(request.from).slice(0, 4)), Number(schedule.yellowFrom.slice(0, 4)));
    for (let year = first; year <= Number(uncapped.slice(0, 4)); year++) {
      const version = versions.get(year);
      if (version) basis.years.push(version);
      else basis.unpublished.push(year);
    }
    return { ...schedule, basis: `${schedule.basis}；${describeCalendarBasis(basis)}`, calendar: basis };
  }

  /**
   * The calendar as of version `asOf` (default: the latest): for each year, its highest revision
   * among the versions <= asOf. Versions are immutable, so the same `asOf` always gives the same
   * calendar, whatever was published since. A version that does not exist (yet) is an error.
   */
  async version(asOf?: number): Promise<CalendarVersion> {
    const latest = Number((await this.pool.query<{ id: string }>('SELECT coalesce(max(id), 0) AS id FROM calendar_year_history')).rows[0]!.id);
    const id = asOf ?? latest;
    if (!Number.isSafeInteger(id) || id < 0 || id > latest) throw new Error(`calendar version #${id} does not exist (latest #${latest})`);
    const cached = this.built.get(id);
    if (cached) return cached;
    const { rows } = await this.pool.query(
      `SELECT DISTINCT ON (year) id, year, revision, content_hash, notice, arrangement
         FROM calendar_year_history WHERE id <= $1 OR revision = 0 ORDER BY year, revision DESC`,
      [id],
    );
    const version: CalendarVersion = {
      asOf: id,
      calendar: new WorkingCalendar(rows.map((r) => ({ year: r.year, holidays: r.arrangement.holidays, workdays: r.arrangement.workdays }))),
      versions: new Map(rows.map((r) => [r.year, { publicationId: Number(r.id), year: r.year, revision: r.revision, contentHash: r.content_hash, notice: r.notice }])),
    };
    if (this.built.size >= VERSION_CACHE) this.built.delete(this.built.keys().next().value!);
    this.built.set(id, version);
    return version;
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

  /**
   * Records a new version of a year's arrangement (and makes it the latest). Publications are
   * serialised (an advisory lock), so version ids follow commit order. The same arrangement on the
   * same notice as the year's latest version records nothing (`unchanged`: a repeated request).
   * `within` runs in the same transaction with the new version (the API writes its re-timing start there).
   */
  async publish(
    arrangement: YearArrangement,
    by: string,
    notice: string | null,
    within?: (client: PoolClient, publication: CalendarPublicationRef & { publishedAt: Date }) => Promise<string | void>,
  ): Promise<{ replaced: boolean; historyId: number; publication: CalendarPublicationRef & { publishedAt: string }; unchanged: boolean; retimingWorkflowId: string | null }> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [PUBLICATION_LOCK]);
      const arranged = JSON.stringify({ holidays: arrangement.holidays, workdays: arrangement.workdays });
      const latest = await client.query(
        `SELECT id, revision, content_hash, notice, published_at, retiming_workflow_id, calendar_content_hash($1, $2::jsonb) AS new_hash
           FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT * FROM calendar_year_history WHERE year = $1 ORDER BY revision DESC LIMIT 1) h ON true`,
        [arrangement.year, arranged],
      );
      const last = latest.rows[0]!;
      if (last.id !== null && last.content_hash === last.new_hash && last.notice === notice && last.revision > 0) {
        return {
          replaced: true,
          historyId: Number(last.id),
          publication: { publicationId: Number(last.id), year: arrangement.year, revision: last.revision, contentHash: last.content_hash, notice, publishedAt: new Date(last.published_at).toISOString() },
          unchanged: true,
          retimingWorkflowId: last.retiming_workflow_id,
        };
      }
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
      // The version: its id comes first (the re-timing names it), the row follows in this transaction.
      const publishedAt = published.rows[0]!.published_at;
      const id = Number((await client.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('calendar_year_history', 'id')) AS id`)).rows[0]!.id);
      const publication = { publicationId: id, year: arrangement.year, revision: (last.revision ?? 0) + 1, contentHash: last.new_hash as string, notice };
      const retiming = await within?.(client, { ...publication, publishedAt });
      // The history: who, when, on which notice, and what changed (append-only, migration 0017).
      const next = new Map(days.map((d) => [d[0]!, { date: d[0]!, kind: d[1] as CalendarChange['kind'], name: d[2]! }]));
      const prev = new Map(previous.rows.map((d) => [d.date, d]));
      const changes = {
        added: [...next.values()].filter((d) => !prev.has(d.date) || prev.get(d.date)!.kind !== d.kind),
        removed: [...prev.values()].filter((d) => !next.has(d.date) || next.get(d.date)!.kind !== d.kind),
        renamed: [...next.values()].filter((d) => prev.get(d.date)?.kind === d.kind && prev.get(d.date)!.name !== d.name).map((d) => ({ ...d, was: prev.get(d.date)!.name })),
      };
      await client.query(
        `INSERT INTO calendar_year_history (id, year, source, revision, content_hash, published_by, published_at, notice, arrangement, changes, previous_source, retiming_workflow_id)
         VALUES ($1, $2, 'published', $3, calendar_content_hash($2, $4::jsonb), $5, $6, $7, $4::jsonb, $8, $9, $10)`,
        [id, arrangement.year, publication.revision, arranged, by, publishedAt, notice, JSON.stringify(changes), before.rows[0]?.source ?? null, retiming || null],
      );
      return {
        replaced: (before.rowCount ?? 0) > 0,
        historyId: id,
        publication: { ...publication, publishedAt: publishedAt.toISOString() },
        unchanged: false,
        retimingWorkflowId: retiming || null,
      };
    });
  }
}

/** A year's publications, oldest first. */
export async function calendarHistory(pool: Pool, year: number): Promise<CalendarHistoryEntry[]> {
  const { rows } = await pool.query(`SELECT * FROM calendar_year_history WHERE year = $1 ORDER BY id`, [year]);
  return rows.map((r) => ({
    id: Number(r.id),
    year: r.year,
    revision: r.revision,
    source: r.source,
    contentHash: r.content_hash,
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
