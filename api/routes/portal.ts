/**
 * The public portal in HTML (no login, Chinese, server-rendered, no framework). Query parameters a
 * page cannot use are ignored rather than refused: a reader gets a page, not a JSON error.
 */
import { z } from 'zod';
import { lookupPublic, loadPreDisclosure, publicUnit, publicUnits, publishedStatistics, searchPublished } from '../../infra/portal-store';
import { STYLE } from '../portal/html';
import { correctionFormPage, itemPage, notFoundPage, searchPage, statisticsPage, takenDownPage, unitPage, unitsPage } from '../portal/pages';
import type { Reply, Routes } from '../route';
import { searchQuery } from './public';

const htmlReply = (status: number, body: string): Reply => ({ status, contentType: 'text/html; charset=utf-8', body });
const one = (v: unknown) => (typeof v === 'string' ? v : undefined);
const field = <T extends z.ZodType>(schema: T, v: unknown): z.infer<T> | undefined => {
  const r = schema.safeParse(one(v));
  return r.success ? r.data : undefined;
};

export function portalRoutes(routes: Routes): void {
  routes.add({ method: 'get', path: '/portal/style.css', tag: 'portal', summary: 'The portal stylesheet' }, async ({ res }) => {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    return { status: 200, contentType: 'text/css; charset=utf-8', body: STYLE };
  });

  routes.add({ method: 'get', path: '/portal', tag: 'portal', summary: 'Search page (HTML): q, unit, kind, page' }, async ({ req, deps }) => {
    const s = searchQuery.shape;
    const q = field(s.q, req.query.q)?.trim() ?? '';
    const unit = field(s.unit, req.query.unit) ?? '';
    const kind = field(s.kind, req.query.kind) ?? '';
    const page = field(s.page, req.query.page) ?? 1;
    const [units, result] = await Promise.all([
      publicUnits(deps.pool),
      searchPublished(deps.pool, { q: q || undefined, unit: unit || undefined, kind: kind || undefined }, page),
    ]);
    return htmlReply(200, searchPage({ q, unit, kind, page, units, result }));
  });

  routes.add({ method: 'get', path: '/portal/items/:id', tag: 'portal', summary: 'One item (HTML); a taken-down item shows only the reason and explanation (410)', params: z.object({ id: z.string().max(200) }) }, async ({ req, deps }) => {
    const found = await lookupPublic(deps.pool, String(req.params.id));
    if (found.state === 'published') return htmlReply(200, itemPage(found.item, await publicUnit(deps.pool, found.item.unit)));
    if (found.state === 'taken_down') return htmlReply(410, takenDownPage(found));
    return htmlReply(404, notFoundPage());
  });

  routes.add({ method: 'get', path: '/portal/units', tag: 'portal', summary: 'The enforcement units by jurisdiction (HTML)' }, async ({ deps }) => htmlReply(200, unitsPage(await publicUnits(deps.pool))));

  routes.add({ method: 'get', path: '/portal/units/:code', tag: 'portal', summary: "A unit's page: pre-disclosure lists, links to its items and statistics (HTML)", params: z.object({ code: z.string().max(100) }) }, async ({ req, deps }) => {
    const unit = await publicUnit(deps.pool, String(req.params.code));
    if (!unit) return htmlReply(404, notFoundPage('未找到该执法主体。'));
    const [pre, stats] = await Promise.all([loadPreDisclosure(deps.pool, unit.code), publishedStatistics(deps.pool, unit.code)]);
    return htmlReply(200, unitPage(unit, pre, stats));
  });

  routes.add({ method: 'get', path: '/portal/units/:code/statistics/:year', tag: 'portal', summary: "A unit's published annual statistics with charts (HTML)", params: z.object({ code: z.string().max(100), year: z.string().max(10) }) }, async ({ req, deps }) => {
    const unit = await publicUnit(deps.pool, String(req.params.code));
    const year = Number(req.params.year);
    const stats = unit ? (await publishedStatistics(deps.pool, unit.code)).find((s) => s.year === year) : undefined;
    if (!unit || !stats) return htmlReply(404, notFoundPage('该年度统计尚未公布。'));
    return htmlReply(200, statisticsPage(unit, stats));
  });

  routes.add({ method: 'get', path: '/portal/corrections/new', tag: 'portal', summary: 'The correction request form (HTML; posts to /public/corrections)' }, async ({ req, deps }) => {
    const id = one(req.query.item) ?? '';
    const found = id ? await lookupPublic(deps.pool, id) : { state: 'absent' as const };
    if (id && found.state !== 'published') return htmlReply(404, notFoundPage('只能对正在公示的信息申请更正。'));
    return htmlReply(200, correctionFormPage(found.state === 'published' ? found.item : null, id));
  });
}
