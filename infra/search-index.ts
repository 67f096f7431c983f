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

/**
 * The page query: one page of matches, newest first, with the public columns of each (only what
 * the public item is made of; the status re-checked on the row itself).
 */
export function searchPageSql(filters: SearchFilters, page: number, pageSize = PAGE_SIZE): { text: string; values: unknown[] } {
  const { where, params } = searchWhere(filters);
  return {
    text: `SELECT d.id, d.unit_code, d.kind, d.published_at, d.takedown_at, d.public_view
             FROM (SELECT p.disclosure_id, p.published_at FROM portal_items p ${where}
                    ORDER BY p.published_at DESC, p.disclosure_id DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}) ids
             JOIN disclosures d ON d.id = ids.disclosure_id AND d.status = 'published'
            ORDER BY ids.published_at DESC, ids.disclosure_id DESC`,
    values: params,
  };
}

/** The capped count: at most COUNT_CAP + 1 matches are counted. */
export function searchCountSql(filters: SearchFilters): { text: string; values: unknown[] } {
  const { where, params } = searchWhere(filters);
  return { text: `SELECT count(*)::int AS n FROM (SELECT 1 FROM portal_items p ${where} LIMIT ${COUNT_CAP + 1}) s`, values: params };
}
