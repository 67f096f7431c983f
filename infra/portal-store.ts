/**
 * What the public portal reads and what units manage for it: published items (only the masked
 * public view), pre-disclosure lists, basis changes, annual statistics. Nothing here returns a
 * column of `disclosures` other than the public view's fields, the id, the unit, the kind and dates.
 */
import type { Pool, PoolClient } from 'pg';
import { COUNT_CAP, PAGE_SIZE, runSearch, type SearchFilters } from './search-index';

export const DISCLOSURE_KINDS = ['penalty', 'permit', 'compulsion', 'levy', 'inspection', 'other'] as const;
export type DisclosureKind = (typeof DISCLOSURE_KINDS)[number];

export const KIND_LABELS: Record<DisclosureKind, string> = {
  penalty: '行政处罚',
  permit: '行政许可',
  compulsion: '行政强制',
  levy: '行政征收',
  inspection: '行政检查',
  other: '其他执法决定',
};

export const TAKEDOWN_LABELS: Record<string, string> = {
  revoked: '执法决定被撤销',
  confirmed_unlawful: '执法决定被确认违法',
  to_be_remade: '执法决定被责令重新作出',
  period_expired: '公示期限届满',
  superseded: '已由变更后的信息替代',
};

/** The public item: the masked view's fields (whitelisted), the id, the unit, the kind and dates. */
export interface PublicItem {
  id: string;
  unit: string;
  kind: string;
  publishedAt: string;
  takedownAt: string | null;
  party: string | null;
  partyKind: string | null;
  actionKind: string | null;
  content: string | null;
  result: string | null;
  unitName: string | null;
  decisionNumber: string | null;
  decisionDate: string | null;
}

const VIEW_FIELDS = ['party', 'partyKind', 'actionKind', 'content', 'result', 'unitName', 'decisionNumber', 'decisionDate'] as const;

interface ItemRow {
  id: string;
  unit_code: string;
  kind: string;
  published_at: Date;
  takedown_at: Date | null;
  public_view: Record<string, unknown> | null;
}

const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));

export function toPublicItem(row: ItemRow): PublicItem {
  const view = row.public_view ?? {};
  const picked = Object.fromEntries(VIEW_FIELDS.map((f) => [f, str(view[f])])) as Record<(typeof VIEW_FIELDS)[number], string | null>;
  return {
    id: row.id,
    unit: row.unit_code,
    kind: row.kind,
    publishedAt: row.published_at.toISOString(),
    takedownAt: row.takedown_at ? row.takedown_at.toISOString() : null,
    ...picked,
  };
}

const ITEM_COLUMNS = 'd.id, d.unit_code, d.kind, d.published_at, d.takedown_at, d.public_view';

export interface SearchResult {
  items: PublicItem[];
  page: number;
  pageSize: number;
  /** matches counted up to COUNT_CAP + 1 */
  total: number;
  /** true: there are more than `COUNT_CAP` matches */
  totalCapped: boolean;
}

export async function searchPublished(pool: Pool, filters: SearchFilters, page = 1, pageSize = PAGE_SIZE): Promise<SearchResult> {
  const { rows, n } = await runSearch<ItemRow>(pool, filters, page, pageSize);
  const items = rows.map(toPublicItem);
  return { items, page, pageSize, total: Math.min(n, COUNT_CAP), totalCapped: n > COUNT_CAP };
}

/** Published items by id, in the given order (a row taken down meanwhile is left out). */
async function itemsByIds(pool: Pool, ids: string[]): Promise<PublicItem[]> {
  if (!ids.length) return [];
  const { rows } = await pool.query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM disclosures d WHERE d.id = ANY($1::uuid[]) AND d.status = 'published'`, [ids]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => (byId.has(id) ? [toPublicItem(byId.get(id)!)] : []));
}

export type PublicLookup =
  | { state: 'published'; item: PublicItem }
  | { state: 'taken_down'; reason: string; reasonLabel: string; explanation: string; takenDownAt: string | null }
  | { state: 'absent' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function lookupPublic(pool: Pool, id: string): Promise<PublicLookup> {
  if (!UUID.test(id)) return { state: 'absent' };
  const { rows } = await pool.query<ItemRow & { status: string; takedown_reason: string | null; takedown_explanation: string | null; taken_down_at: Date | null }>(
    `SELECT ${ITEM_COLUMNS}, d.status, d.takedown_reason, d.takedown_explanation, d.taken_down_at FROM disclosures d WHERE d.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return { state: 'absent' };
  if (row.status === 'published' && row.published_at) return { state: 'published', item: toPublicItem(row) };
  // Taken down: only why, never what (it had been published, so the reason is public).
  if (row.status === 'taken_down' && row.published_at) {
    const reason = row.takedown_reason ?? 'unspecified';
    return {
      state: 'taken_down',
      reason,
      reasonLabel: TAKEDOWN_LABELS[reason] ?? '已撤下',
      explanation: row.takedown_explanation ?? '',
      takenDownAt: row.taken_down_at ? row.taken_down_at.toISOString() : null,
    };
  }
  return { state: 'absent' };
}

/** The newest published items (Atom feed). */
export async function newestPublished(pool: Pool, limit: number): Promise<PublicItem[]> {
  const { rows } = await pool.query<{ disclosure_id: string }>(`SELECT disclosure_id FROM portal_items ORDER BY published_at DESC, disclosure_id DESC LIMIT $1`, [limit]);
  return itemsByIds(pool, rows.map((r) => r.disclosure_id));
}

export interface PublicUnit {
  code: string;
  name: string;
  shortName: string;
  jurisdiction: string | null;
}

export async function publicUnits(pool: Pool): Promise<PublicUnit[]> {
  const { rows } = await pool.query<PublicUnit>(
    `SELECT code, name, short_name AS "shortName", jurisdiction FROM units ORDER BY jurisdiction, code`,
  );
  return rows;
}

export async function publicUnit(pool: Pool, code: string): Promise<PublicUnit | null> {
  const { rows } = await pool.query<PublicUnit>(`SELECT code, name, short_name AS "shortName", jurisdiction FROM units WHERE code = $1`, [code]);
  return rows[0] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Pre-disclosure lists (第五至十三条, 第二十三至二十六条)

export interface Officer {
  name: string;
  post: string;
  category: string;
  area: string;
  validFrom: string | null;
  validUntil: string | null;
  certificateNumber: string;
}
export interface Matter {
  title: string;
  basis: string;
  details: Record<string, string>;
}
export interface ComplaintContact {
  channel: string;
  value: string;
  hours: string | null;
}
export interface PreDisclosure {
  unit: string;
  officers: Officer[];
  powers: Matter[];
  randomInspections: Matter[];
  complaintContacts: ComplaintContact[];
  updatedAt: string | null;
  openBasisChanges: BasisChange[];
}

export async function loadPreDisclosure(pool: Pool, unit: string): Promise<PreDisclosure> {
  const [officers, matters, contacts, updated, changes] = await Promise.all([
    pool.query(
      `SELECT name, post, category, area, to_char(valid_from, 'YYYY-MM-DD') AS "validFrom", to_char(valid_until, 'YYYY-MM-DD') AS "validUntil",
              certificate_number AS "certificateNumber" FROM unit_officers WHERE unit_code = $1 ORDER BY position`,
      [unit],
    ),
    pool.query(`SELECT list, title, basis, details FROM unit_matters WHERE unit_code = $1 ORDER BY list, position`, [unit]),
    pool.query(`SELECT channel, value, hours FROM unit_complaint_contacts WHERE unit_code = $1 ORDER BY position`, [unit]),
    pool.query<{ updated_at: Date }>(`SELECT updated_at FROM unit_predisclosure_updates WHERE unit_code = $1`, [unit]),
    listBasisChanges(pool, unit, true),
  ]);
  const matter = (r: { title: string; basis: string; details: Record<string, string> }): Matter => ({ title: r.title, basis: r.basis, details: r.details });
  return {
    unit,
    officers: officers.rows,
    powers: matters.rows.filter((r) => r.list === 'powers').map(matter),
    randomInspections: matters.rows.filter((r) => r.list === 'random_inspection').map(matter),
    complaintContacts: contacts.rows,
    updatedAt: updated.rows[0]?.updated_at.toISOString() ?? null,
    openBasisChanges: changes,
  };
}

export type PreDisclosureList = 'officers' | 'powers' | 'randomInspections' | 'complaintContacts';

/** Replaces one list of the unit as a whole (in one transaction). */
export async function replacePreDisclosureList(client: PoolClient, unit: string, list: PreDisclosureList, entries: unknown[], by: string): Promise<void> {
  if (list === 'officers') {
    await client.query('DELETE FROM unit_officers WHERE unit_code = $1', [unit]);
    let i = 0;
    for (const o of entries as Officer[]) {
      await client.query(
        `INSERT INTO unit_officers (unit_code, position, name, post, category, area, valid_from, valid_until, certificate_number) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
        [unit, i++, o.name, o.post, o.category, o.area, o.validFrom, o.validUntil, o.certificateNumber],
      );
    }
  } else if (list === 'powers' || list === 'randomInspections') {
    const db = list === 'powers' ? 'powers' : 'random_inspection';
    await client.query('DELETE FROM unit_matters WHERE unit_code = $1 AND list = $2', [unit, db]);
    let i = 0;
    for (const m of entries as Matter[]) {
      await client.query(`INSERT INTO unit_matters (unit_code, list, position, title, basis, details) VALUES ($1,$2,$3,$4,$5,$6)`, [unit, db, i++, m.title, m.basis, m.details]);
    }
  } else {
    await client.query('DELETE FROM unit_complaint_contacts WHERE unit_code = $1', [unit]);
    let i = 0;
    for (const c of entries as ComplaintContact[]) {
      await client.query(`INSERT INTO unit_complaint_contacts (unit_code, position, channel, value, hours) VALUES ($1,$2,$3,$4,$5)`, [unit, i++, c.channel, c.value, c.hours]);
    }
  }
  await client.query(
    `INSERT INTO unit_predisclosure_updates (unit_code, updated_by, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (unit_code) DO UPDATE SET updated_by = EXCLUDED.updated_by, updated_at = now()`,
    [unit, by],
  );
}

export interface BasisChange {
  id: string;
  unit: string;
  effectiveOn: string;
  description: string;
  deadline: string;
  lastDay: string;
  provisional: boolean;
  statute: string;
  recordedAt: string;
  completedAt: string | null;
  overdue: boolean;
  /** the clock's level (basisChangeWorkflow): none, yellow, red */
  warningLevel: string;
  escalations: number;
  workflowId: string | null;
}

const BASIS_CHANGE_COLUMNS = `id, unit_code AS unit, to_char(effective_on, 'YYYY-MM-DD') AS "effectiveOn", description, deadline, to_char(last_day, 'YYYY-MM-DD') AS "lastDay",
  provisional, statute, recorded_at AS "recordedAt", completed_at AS "completedAt", (completed_at IS NULL AND (deadline < now() OR warning_level = 'red')) AS overdue,
  warning_level AS "warningLevel", escalations, workflow_id AS "workflowId"`;

const basisChangeOut = (r: any): BasisChange => ({
  ...r,
  deadline: r.deadline.toISOString(),
  recordedAt: r.recordedAt.toISOString(),
  completedAt: r.completedAt ? r.completedAt.toISOString() : null,
});

export async function listBasisChanges(pool: Pool, unit: string, openOnly = false): Promise<BasisChange[]> {
  const { rows } = await pool.query(
    `SELECT ${BASIS_CHANGE_COLUMNS} FROM unit_basis_changes WHERE unit_code = $1 ${openOnly ? 'AND completed_at IS NULL' : ''} ORDER BY deadline, recorded_at`,
    [unit],
  );
  return rows.map(basisChangeOut);
}

export async function insertBasisChange(
  pool: Pick<Pool, 'query'>,
  c: { unit: string; effectiveOn: string; description: string; deadline: string; lastDay: string; provisional: boolean; statute: string; by: string },
): Promise<BasisChange> {
  const { rows } = await pool.query(
    `INSERT INTO unit_basis_changes (unit_code, effective_on, description, deadline, last_day, provisional, statute, recorded_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING ${BASIS_CHANGE_COLUMNS}`,
    [c.unit, c.effectiveOn, c.description, c.deadline, c.lastDay, c.provisional, c.statute, c.by],
  );
  return basisChangeOut(rows[0]);
}

export async function completeBasisChange(pool: Pool, unit: string, id: string, by: string): Promise<BasisChange | null> {
  const { rows } = await pool.query(
    `UPDATE unit_basis_changes SET completed_at = coalesce(completed_at, now()), completed_by = coalesce(completed_by, $3)
      WHERE unit_code = $1 AND id = $2 RETURNING ${BASIS_CHANGE_COLUMNS}`,
    [unit, id, by],
  );
  return rows[0] ? basisChangeOut(rows[0]) : null;
}

// ---------------------------------------------------------------------------------------------
// Annual statistics (锦州 (一)4(5); 潞州 plan 二)

export interface AnnualFigures {
  unit: string;
  year: number;
  decisionsByKind: Record<string, number>;
  penalties: { count: number; fineTotalFen: number };
  reviews: { count: number; overdue: number };
  enforcements: { count: number; byStage: Record<string, number> };
  disclosures: { published: number; onTime: number; late: number; unpublishedOverdue: number };
  corrections: { requested: number; corrected: number; rejected: number; pending: number };
  computedAt: string;
}

/** The year's figures for one unit, from the system's own data (days in Asia/Shanghai). */
export async function computeAnnualFigures(pool: Pool, unit: string, year: number): Promise<AnnualFigures> {
  const range = `BETWEEN make_timestamptz($2, 1, 1, 0, 0, 0, 'Asia/Shanghai') AND make_timestamptz($2 + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai') - interval '1 microsecond'`;
  const args = [unit, year];
  const [decisions, penalties, reviews, enforcements, disclosures, corrections] = await Promise.all([
    pool.query<{ kind: string | null; n: number }>(`SELECT kind, count(*)::int AS n FROM decisions WHERE unit_code = $1 AND decided_at ${range} GROUP BY kind`, args),
    pool.query<{ n: number; fen: string | null }>(
      `SELECT count(*)::int AS n, sum(CASE WHEN obligation->>'kind' = 'fine' THEN (obligation->>'amountFen')::bigint ELSE 0 END)::text AS fen
         FROM decisions WHERE unit_code = $1 AND kind = 'penalty' AND decided_at ${range}`,
      args,
    ),
    pool.query<{ n: number; overdue: number }>(`SELECT count(*)::int AS n, count(*) FILTER (WHERE overdue)::int AS overdue FROM reviews WHERE unit_code = $1 AND submitted_at ${range}`, args),
    pool.query<{ stage: string; n: number }>(`SELECT stage, count(*)::int AS n FROM enforcements WHERE unit_code = $1 AND created_at ${range} GROUP BY stage`, args),
    pool.query<{ published: number; on_time: number; late: number; unpublished_overdue: number }>(
      `SELECT count(*) FILTER (WHERE published_at ${range})::int AS published,
              count(*) FILTER (WHERE published_at ${range} AND (deadline IS NULL OR published_at <= deadline))::int AS on_time,
              count(*) FILTER (WHERE published_at ${range} AND published_at > deadline)::int AS late,
              count(*) FILTER (WHERE published_at IS NULL AND deadline ${range} AND deadline < now())::int AS unpublished_overdue
         FROM disclosures WHERE unit_code = $1`,
      args,
    ),
    pool.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM disclosure_corrections WHERE unit_code = $1 AND created_at ${range} GROUP BY status`, args),
  ]);
  const byKind: Record<string, number> = Object.fromEntries(DISCLOSURE_KINDS.map((k) => [k, 0]));
  for (const r of decisions.rows) byKind[r.kind ?? 'other'] = (byKind[r.kind ?? 'other'] ?? 0) + r.n;
  const byStage = Object.fromEntries(enforcements.rows.map((r) => [r.stage, r.n]));
  const corr = Object.fromEntries(corrections.rows.map((r) => [r.status, r.n])) as Record<string, number>;
  const d = disclosures.rows[0]!;
  return {
    unit,
    year,
    decisionsByKind: byKind,
    penalties: { count: penalties.rows[0]?.n ?? 0, fineTotalFen: Number(penalties.rows[0]?.fen ?? 0) },
    reviews: { count: reviews.rows[0]?.n ?? 0, overdue: reviews.rows[0]?.overdue ?? 0 },
    enforcements: { count: enforcements.rows.reduce((s, r) => s + r.n, 0), byStage },
    disclosures: { published: d.published, onTime: d.on_time, late: d.late, unpublishedOverdue: d.unpublished_overdue },
    corrections: {
      requested: Object.values(corr).reduce((s, n) => s + n, 0),
      corrected: corr.corrected ?? 0,
      rejected: corr.rejected ?? 0,
      pending: corr.pending ?? 0,
    },
    computedAt: new Date().toISOString(),
  };
}

export interface PublishedStatistics {
  unit: string;
  year: number;
  figures: AnnualFigures;
  publishedAt: string;
}

export async function publishStatistics(pool: Pool, figures: AnnualFigures, by: string): Promise<PublishedStatistics> {
  const { rows } = await pool.query<{ published_at: Date }>(
    `INSERT INTO unit_statistics (unit_code, year, figures, published_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (unit_code, year) DO UPDATE SET figures = EXCLUDED.figures, published_by = EXCLUDED.published_by, published_at = now()
     RETURNING published_at`,
    [figures.unit, figures.year, figures, by],
  );
  return { unit: figures.unit, year: figures.year, figures, publishedAt: rows[0]!.published_at.toISOString() };
}

export async function publishedStatistics(pool: Pool, unit: string): Promise<PublishedStatistics[]> {
  const { rows } = await pool.query<{ year: number; figures: AnnualFigures; published_at: Date }>(
    `SELECT year, figures, published_at FROM unit_statistics WHERE unit_code = $1 ORDER BY year DESC`,
    [unit],
  );
  return rows.map((r) => ({ unit, year: r.year, figures: r.figures, publishedAt: r.published_at.toISOString() }));
}
