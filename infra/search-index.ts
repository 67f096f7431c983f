/**
 * The portal's full-text search over published disclosure items (table portal_items, migration
 * 0013): a BIGRAM INVERTED INDEX. Every item's masked public text is cut into overlapping pairs of
 * characters, hashed to int4 (portal_grams), and kept in a GIN index on an int4[] column. A query
 * term of n ≥ 2 characters needs all its n−1 bigrams (`grams @> portal_grams(term)`: an index-only
 * intersection of posting lists), then a substring recheck on the text (`search_text LIKE %term%`)
 * removes candidates whose bigrams occur but not adjacently, and hash collisions.
 *
 * Why not pg_trgm: trigrams need 3 characters; a 2-character query such as 药房 yields no trigram to
 * look up (LIKE '%药房%' degenerates to a full index scan), and Chinese words are mostly 2
 * characters. Bigrams serve 2-character queries and everything longer with the same index.
 *
 * A 1-character term has no bigram: it is matched by the substring test alone while the newest
 * items are walked in order (fine for frequent characters, slow for rare ones; documented).
 */

import type { Pool, QueryResultRow } from 'pg';

export interface SearchFilters {
  q?: string;
  unit?: string;
  kind?: string;
  /** published on or after this day (YYYY-MM-DD, Asia/Shanghai) */
  from?: string;
  /** published on or before this day */
  to?: string;
}

export const PAGE_SIZE = 20;
/** Counting stops here: "more than 1000 results" is all a reader needs, and it stays fast. */
export const COUNT_CAP = 1000;
export const MAX_QUERY_TERMS = 8;

/** The query's terms: lower-cased, split on white space, at most MAX_QUERY_TERMS, each ≤ 50 chars. */
export function queryTerms(q: string | undefined): string[] {
  if (!q) return [];
  return q
    .normalize('NFKC')
    .toLowerCase()
    .split(/\s+/u)
    .filter((t) => t.length > 0)
    .slice(0, MAX_QUERY_TERMS)
    .map((t) => [...t].slice(0, 50).join(''));
}

export const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** WHERE clause and parameters over portal_items aliased `p`; parameters numbered from `offset`+1. */
export function searchWhere(filters: SearchFilters, offset = 0): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${offset + params.length}`;
  };
  for (const term of queryTerms(filters.q)) {
    if ([...term].length >= 2) clauses.push(`p.grams @> portal_grams(${param(term)}::text)`);
    clauses.push(`p.search_text LIKE ${param(`%${likeEscape(term)}%`)}`);
  }
  if (filters.unit) clauses.push(`p.unit_code = ${param(filters.unit)}`);
  if (filters.kind) clauses.push(`p.kind = ${param(filters.kind)}`);
  if (filters.from) clauses.push(`p.published_at >= (${param(filters.from)}::date::timestamp AT TIME ZONE 'Asia/Shanghai')`);
  if (filters.to) clauses.push(`p.published_at < ((${param(filters.to)}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

const ITEM_SELECT = `SELECT d.id, d.unit_code, d.kind, d.published_at, d.takedown_at, d.public_view`;

/**
 * The page query: one page of matches, newest first, with the public columns of each (only what
 * the public item is made of; the status re-checked on the row itself).
 */
export function searchPageSql(filters: SearchFilters, page: number, pageSize = PAGE_SIZE): { text: string; values: unknown[] } {
  const { where, params } = searchWhere(filters);
  return {
    text: `${ITEM_SELECT}
             FROM (SELECT p.disclosure_id, p.published_at FROM portal_items p ${where}
                    ORDER BY p.published_at DESC, p.disclosure_id DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}) ids
             JOIN disclosures d ON d.id = ids.disclosure_id AND d.status = 'published'
            ORDER BY ids.published_at DESC, ids.disclosure_id DESC`,
    values: params,
  };
}

/** The capped count, walking newest first like the page (no bigram condition involved). */
export function searchCountSql(filters: SearchFilters): { text: string; values: unknown[] } {
  const { where, params } = searchWhere(filters);
  return {
    text: `SELECT count(*)::int AS n FROM (SELECT 1 FROM portal_items p ${where} ORDER BY p.published_at DESC, p.disclosure_id DESC LIMIT ${COUNT_CAP + 1}) s`,
    values: params,
  };
}

/** Up to COUNT_CAP + 1 matches in any order, through the GIN bigram index. */
export function searchCandidatesSql(filters: SearchFilters): { text: string; values: unknown[] } {
  const { where, params } = searchWhere(filters);
  return { text: `SELECT p.disclosure_id, p.published_at FROM portal_items p ${where} LIMIT ${COUNT_CAP + 1}`, values: params };
}


export interface SearchRows<R> {
  rows: R[];
  /** matches, counted up to COUNT_CAP + 1 */
  n: number;
}

/**
 * The whole lookup (the route and the bench run exactly this). With a term of two or more
 * characters: first the bigram index collects up to COUNT_CAP + 1 matches in any order (the
 * planner cannot know how often a term occurs: adjacent bigrams are correlated, so its estimate
 * for 大药房 is far too low and an ordered plan would sort 100,000 rows). If that is all of them,
 * they are sorted and paged here; if not, the term is frequent and the page comes from walking the
 * newest-first index with the bigram and substring tests as filters (a frequent term fills a page
 * fast). The walk is forced (no seq scan, no bitmap in that one transaction): the planner's
 * estimate for LIKE '%…%' on Chinese text is also far too low and would choose to scan everything.
 * Without such a term: the page and the capped count walk the newest-first indexes.
 */
export async function runSearch<R extends { published_at: Date; id: string }>(db: Pool, filters: SearchFilters, page: number, pageSize = PAGE_SIZE): Promise<SearchRows<R>> {
  const indexed = queryTerms(filters.q).some((t) => [...t].length >= 2);
  if (!indexed) {
    const [rows, count] = await Promise.all([db.query<R>(searchPageSql(filters, page, pageSize)), db.query<{ n: number }>(searchCountSql(filters))]);
    return { rows: rows.rows, n: count.rows[0]?.n ?? 0 };
  }
  const candidates = (await db.query<{ disclosure_id: string; published_at: Date }>(searchCandidatesSql(filters))).rows;
  if (candidates.length > COUNT_CAP) {
    return { rows: await walkNewest<R>(db, searchPageSql(filters, page, pageSize)), n: candidates.length };
  }
  candidates.sort((a, b) => b.published_at.getTime() - a.published_at.getTime() || (a.disclosure_id < b.disclosure_id ? 1 : a.disclosure_id > b.disclosure_id ? -1 : 0));
  const ids = candidates.slice((page - 1) * pageSize, page * pageSize).map((c) => c.disclosure_id);
  if (!ids.length) return { rows: [], n: candidates.length };
  const { rows } = await db.query<R>({ text: `${ITEM_SELECT} FROM disclosures d WHERE d.id = ANY($1::uuid[]) AND d.status = 'published'`, values: [ids] });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return { rows: ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])), n: candidates.length };
}

async function walkNewest<R extends QueryResultRow>(pool: Pool, q: { text: string; values: unknown[] }): Promise<R[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN READ ONLY; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off');
    const { rows } = await client.query<R>(q);
    await client.query('COMMIT');
    return rows;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
