/**
 * The public JSON (no login): published disclosure items, searchable; taken down → 410 with the
 * reason and explanation only; unpublished or unknown → 404. Also the open-data export (CSV, JSON)
 * and the Atom feed of new items. Only the masked public view's fields leave here.
 */
import { z } from 'zod';
import { isoDate } from '../schemas';
import { DISCLOSURE_KINDS, lookupPublic, newestPublished, searchPublished, type PublicItem } from '../../infra/portal-store';
import type { SearchFilters } from '../../infra/search-index';
import { notFound } from '../errors';
import { esc } from '../portal/html';
import { reply, type Routes } from '../route';
import type { ApiDeps } from '../deps';
import type { Request } from 'express';

// A real calendar date: '2053-82-30' is a 400, not a failed cast in Postgres (a 500 Schemathesis found).
const date = isoDate;
export const searchQuery = z.object({
  q: z.string().max(100).optional(),
  unit: z.string().regex(/^[a-z0-9]+(\.[a-z0-9]+)*$/).max(100).optional(),
  kind: z.enum(DISCLOSURE_KINDS).optional(),
  from: date.optional(),
  to: date.optional(),
  page: z.coerce.number().int().min(1).max(500).default(1),
});

const publicItem = z.object({
  id: z.string().uuid(),
  unit: z.string(),
  kind: z.enum(DISCLOSURE_KINDS),
  publishedAt: z.string(),
  takedownAt: z.string().nullable(),
  party: z.string().nullable(),
  partyKind: z.string().nullable(),
  actionKind: z.string().nullable(),
  content: z.string().nullable(),
  result: z.string().nullable(),
  unitName: z.string().nullable(),
  decisionNumber: z.string().nullable(),
  decisionDate: z.string().nullable(),
});

const idParams = z.object({ id: z.string().max(100) });
export const EXPORT_PAGE_SIZE = 5000;

const CSV_COLUMNS: Array<keyof PublicItem> = ['id', 'unit', 'unitName', 'kind', 'actionKind', 'party', 'partyKind', 'content', 'result', 'decisionNumber', 'decisionDate', 'publishedAt', 'takedownAt'];
const csvCell = (v: unknown) => {
  let s = v === null || v === undefined ? '' : String(v);
  // A cell starting with = + - @ is a formula in spreadsheets: neutralised (CSV injection).
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function baseUrl(deps: ApiDeps, req: Request): string {
  return (deps.config.PUBLIC_BASE_URL ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`).replace(/\/$/, '');
}

export function atomFeed(items: PublicItem[], base: string): string {
  const updated = items[0]?.publishedAt ?? new Date(0).toISOString();
  const entries = items
    .map(
      (i) => `<entry><id>urn:uuid:${esc(i.id)}</id><title>${esc(`${i.unitName ?? i.unit} ${i.actionKind ?? ''} ${i.party ?? ''}`.trim())}</title>` +
        `<link rel="alternate" type="text/html" href="${esc(`${base}/portal/items/${i.id}`)}"/><updated>${esc(i.publishedAt)}</updated><published>${esc(i.publishedAt)}</published>` +
        `<author><name>${esc(i.unitName ?? i.unit)}</name></author><category term="${esc(i.kind)}"/>` +
        `<summary type="text">${esc(`${i.decisionNumber ?? ''} ${i.content ?? ''} ${i.result ?? ''}`.trim())}</summary></entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><id>${esc(`${base}/portal/feed.atom`)}</id><title>行政执法公示 最新公示信息</title>` +
    `<link rel="self" href="${esc(`${base}/portal/feed.atom`)}"/><link rel="alternate" type="text/html" href="${esc(`${base}/portal`)}"/><updated>${esc(updated)}</updated>\n${entries}\n</feed>\n`;
}

export const FEED_SIZE = 50;

export function publicRoutes(routes: Routes): void {
  routes.add(
    {
      method: 'get',
      path: '/public/disclosures',
      tag: 'public',
      summary: 'Published disclosure items (no login): search any part of the text (2+ characters use the bigram index), filter by unit, kind, publication dates; 20 a page, newest first',
      query: searchQuery,
      responses: { 200: { description: 'one page', schema: z.object({ items: z.array(publicItem), page: z.number(), pageSize: z.number(), total: z.number(), totalCapped: z.boolean() }) } },
    },
    async ({ query, deps }) => searchPublished(deps.pool, query as SearchFilters, query.page),
  );

  const exportRoute = (format: 'csv' | 'json') =>
    routes.add(
      {
        method: 'get',
        path: `/public/disclosures.${format}`,
        tag: 'public',
        summary: `Open data: published items as ${format.toUpperCase()} (same filters; ${EXPORT_PAGE_SIZE} a page, a Link rel=next header while more follow)`,
        query: searchQuery,
      },
      async ({ query, deps, req, res }) => {
        const result = await searchPublished(deps.pool, query as SearchFilters, query.page, EXPORT_PAGE_SIZE);
        if (result.items.length === EXPORT_PAGE_SIZE) {
          const next = new URLSearchParams(req.query as Record<string, string>);
          next.set('page', String(query.page + 1));
          res.setHeader('Link', `<${req.path}?${next.toString()}>; rel="next"`);
        }
        res.setHeader('Cache-Control', 'public, max-age=60');
        if (format === 'json') return { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ page: query.page, items: result.items }) };
        res.setHeader('Content-Disposition', `attachment; filename="disclosures-${query.page}.csv"`);
        const lines = [CSV_COLUMNS.join(','), ...result.items.map((i) => CSV_COLUMNS.map((c) => csvCell(i[c])).join(','))];
        // BOM: spreadsheet programs then read the Chinese text as UTF-8.
        return { status: 200, contentType: 'text/csv; charset=utf-8', body: '\uFEFF' + lines.join('\r\n') + '\r\n' };
      },
    );
  exportRoute('csv');
  exportRoute('json');

  routes.add(
    {
      method: 'get',
      path: '/public/disclosures/:id',
      tag: 'public',
      summary: 'One published item; 410 {reason, explanation} once taken down (nothing of its content); 404 when unknown or not yet published',
      params: idParams,
      responses: { 200: { description: 'the item', schema: publicItem }, 404: { description: 'unknown or not published' }, 410: { description: 'taken down' } },
    },
    async ({ params, deps }) => {
      const found = await lookupPublic(deps.pool, params.id);
      if (found.state === 'published') return found.item;
      if (found.state === 'taken_down') return reply(410, { error: 'taken down', reason: found.reason, explanation: found.explanation, takenDownAt: found.takenDownAt });
      throw notFound('disclosure');
    },
  );

  routes.add(
    { method: 'get', path: '/portal/feed.atom', tag: 'public', summary: `Atom feed of the ${FEED_SIZE} newest published items` },
    async ({ deps, req, res }) => {
      res.setHeader('Cache-Control', 'public, max-age=60');
      return { status: 200, contentType: 'application/atom+xml; charset=utf-8', body: atomFeed(await newestPublished(deps.pool, FEED_SIZE), baseUrl(deps, req)) };
    },
  );
}
