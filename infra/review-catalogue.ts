import type { Pool } from 'pg';
import type { DecisionKind } from '../domain/review-rules';

/**
 * 第十八条 重大行政执法决定法制审核目录清单: per unit, as data, every version kept (who set it,
 * when, why). A version replaces the whole list; older versions stay readable for supervisors and
 * for decisions checked against them (`decisions.catalogue_version`).
 */
export interface CatalogueItem {
  decisionKind: DecisionKind;
  /** The matter (事项) within the kind, e.g. 吊销定点医药机构服务协议; absent: every decision of the kind. */
  matter?: string;
  description: string;
}

export interface CatalogueVersion {
  unit: string;
  version: number;
  items: CatalogueItem[];
  note: string;
  setBy: string;
  setAt: string;
}

type Q = Pick<Pool, 'query'>;

const present = (r: { unit_code: string; version: number; items: CatalogueItem[]; note: string; set_by: string; set_at: Date }): CatalogueVersion => ({
  unit: r.unit_code,
  version: r.version,
  items: r.items,
  note: r.note,
  setBy: r.set_by,
  setAt: r.set_at.toISOString(),
});

export async function currentCatalogue(pool: Q, unit: string): Promise<CatalogueVersion | null> {
  const { rows } = await pool.query('SELECT * FROM review_catalogue_versions WHERE unit_code = $1 ORDER BY version DESC LIMIT 1', [unit]);
  return rows[0] ? present(rows[0]) : null;
}

export async function catalogueHistory(pool: Q, unit: string): Promise<CatalogueVersion[]> {
  const { rows } = await pool.query('SELECT * FROM review_catalogue_versions WHERE unit_code = $1 ORDER BY version DESC', [unit]);
  return rows.map(present);
}

/** Stores the next version (the unit's advisory lock serialises concurrent writers). */
export async function setCatalogue(pool: Q, unit: string, items: CatalogueItem[], note: string, by: string): Promise<CatalogueVersion> {
  await pool.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`review-catalogue:${unit}`]);
  const { rows } = await pool.query(
    `INSERT INTO review_catalogue_versions (unit_code, version, items, note, set_by)
     VALUES ($1, COALESCE((SELECT max(version) FROM review_catalogue_versions WHERE unit_code = $1), 0) + 1, $2, $3, $4) RETURNING *`,
    [unit, JSON.stringify(items), note, by],
  );
  return present(rows[0]);
}

const sameMatter = (a: string, b: string) => a.replace(/\s+/gu, '') === b.replace(/\s+/gu, '');

/**
 * The catalogue item a "no review needed" classification contradicts: an item of the decision's
 * kind that lists every decision of the kind, or the stated matter. Undefined when none does.
 */
export function catalogueContradiction(items: readonly CatalogueItem[], c: { decisionKind: DecisionKind; matter?: string; scope: { catalogue: boolean } }): CatalogueItem | undefined {
  if (c.scope.catalogue) return undefined;
  return items.find((i) => i.decisionKind === c.decisionKind && (!i.matter || (c.matter !== undefined && sameMatter(i.matter, c.matter))));
}
