import { z } from 'zod';
import { DRAW_FREQUENCIES, ensureDrawSchedule } from '../../infra/draw-schedule';
import { DrawStore } from '../../infra/draw-store';
import type { Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { badRequest, forbidden, notFound } from '../errors';
import type { Routes } from '../route';
import { assertCanSee, assertUnitExists } from '../scope';
import { unicodePattern } from '../schemas';

const unitParams = z.object({ code: z.string().regex(/^[a-z0-9]+(\.[a-z0-9]+)*$/) });
const idText = z.string().trim().min(1).max(100);

/** Only the unit itself (its head or admin) keeps its lists; a supervisor reads them. */
async function ownUnit(deps: ApiDeps, principal: Principal, unit: string): Promise<void> {
  await assertUnitExists(deps.pool, unit);
  if (principal.unit !== unit) throw forbidden('the lists are kept by the unit itself');
}

/**
 * 双随机 directories per unit (郑政办〔2016〕14号 (五); domain spec §7): the random-inspection matters
 * (依据、主体、对象、内容、比例、方式、频次), the market entities in scope, the qualified inspectors and
 * the conflicts of interest between them. Each PUT replaces the list; past draws keep their snapshots.
 */
export function inspectionDirectoryRoutes(routes: Routes): void {
  routes.add(
    {
      method: 'put',
      path: '/api/units/:code/inspection-matters/:matter',
      tag: 'inspections',
      summary: 'A random-inspection matter of the unit (随机抽查事项清单)',
      roles: ['head', 'admin'],
      params: unitParams.extend({ matter: z.string().regex(unicodePattern('^[\\p{L}\\p{N}_.-]{1,60}$')) }),
      body: z.object({ basis: z.string().trim().min(1).max(1000), subject: z.string().trim().min(1).max(200), objectKind: z.string().trim().min(1).max(200), content: z.string().trim().min(1).max(2000), ratio: z.number().gt(0).max(1), method: z.string().trim().min(1).max(200), frequency: z.string().trim().min(1).max(100) }),
    },
    async ({ params, body, principal, deps }) => {
      await ownUnit(deps, principal, params.code);
      const r = await new DrawStore(deps.pool).putMatter(params.code, { matter: params.matter, ...body }, principal.personId);
      return { status: r.created ? 201 : 200, body: { unit: params.code, matter: params.matter, ...body } };
    },
  );
  routes.add({ method: 'get', path: '/api/units/:code/inspection-matters', tag: 'inspections', summary: "The unit's random-inspection matters", roles: [], params: unitParams }, async ({ params, principal, deps }) => {
    await assertCanSee(deps.pool, principal, params.code);
    return new DrawStore(deps.pool).matters(params.code);
  });
  routes.add(
    {
      method: 'put',
      path: '/api/units/:code/entities',
      tag: 'inspections',
      summary: 'The directory of market entities in scope (bulk: replaces the list); answers its snapshot hash',
      roles: ['head', 'admin'],
      params: unitParams,
      body: z.object({ entities: z.array(z.object({ id: idText, name: z.string().trim().min(1).max(200), kind: z.string().trim().min(1).max(60) })).max(100_000) }).refine((b) => new Set(b.entities.map((e) => e.id)).size === b.entities.length, 'entity ids must be unique'),
    },
    async ({ params, body, principal, deps }) => {
      await ownUnit(deps, principal, params.code);
      return new DrawStore(deps.pool).putEntities(params.code, body.entities);
    },
  );
  routes.add(
    {
      method: 'put',
      path: '/api/units/:code/inspectors',
      tag: 'inspections',
      summary: 'The directory of qualified inspectors (执法证 holders; replaces the list); answers its snapshot hash',
      roles: ['head', 'admin'],
      params: unitParams,
      body: z.object({ inspectors: z.array(z.object({ personId: idText, name: z.string().trim().min(1).max(100), certificateNo: z.string().trim().min(1).max(100) })).max(10_000) }).refine((b) => new Set(b.inspectors.map((i) => i.personId)).size === b.inspectors.length, 'person ids must be unique'),
    },
    async ({ params, body, principal, deps }) => {
      await ownUnit(deps, principal, params.code);
      return new DrawStore(deps.pool).putInspectors(params.code, body.inspectors);
    },
  );
  routes.add(
    {
      method: 'put',
      path: '/api/units/:code/inspection-conflicts',
      tag: 'inspections',
      summary: 'Conflicts of interest (回避): an inspector is never drawn for these entities (replaces the list)',
      roles: ['head', 'admin'],
      params: unitParams,
      body: z.object({ conflicts: z.array(z.object({ personId: idText, entityId: idText, reason: z.string().trim().min(1).max(500) })).max(100_000) }),
    },
    async ({ params, body, principal, deps }) => {
      await ownUnit(deps, principal, params.code);
      return new DrawStore(deps.pool).putConflicts(params.code, body.conflicts);
    },
  );
  routes.add(
    {
      method: 'put',
      path: '/api/units/:code/inspection-matters/:matter/schedule',
      tag: 'inspections',
      summary: "A Temporal Schedule (draw-<unit>-<hash of the matter>) runs the matter's draws at its frequency (每月/每季度/每半年/每年, 09:00 on the 1st)",
      roles: ['head', 'admin'],
      params: unitParams.extend({ matter: z.string().min(1).max(60) }),
      body: z.object({ count: z.number().int().min(1).max(10_000), inspectorsPerEntity: z.number().int().min(2).max(20) }),
    },
    async ({ params, body, principal, deps }) => {
      await ownUnit(deps, principal, params.code);
      const m = (await new DrawStore(deps.pool).matters(params.code)).find((x) => x.matter === params.matter);
      if (!m) throw notFound(`inspection matter ${params.matter} of unit ${params.code}`);
      if (!DRAW_FREQUENCIES[m.frequency]) throw badRequest(`the matter's frequency ${m.frequency} is not one a schedule can run`, [{ path: 'frequency', message: `one of ${Object.keys(DRAW_FREQUENCIES).join('、')}` }]);
      const r = await ensureDrawSchedule(deps.temporal, deps.config.TASK_QUEUE, { unit: params.code, matter: m.matter, frequency: m.frequency, ...body });
      return { status: r.created ? 201 : 200, body: { ...r, frequency: m.frequency, ...body } };
    },
  );
  routes.add({ method: 'get', path: '/api/units/:code/inspection-directory', tag: 'inspections', summary: 'Both directories and the conflicts as a draw would snapshot them, with their hashes', roles: [], params: unitParams }, async ({ params, principal, deps }) => {
    await assertCanSee(deps.pool, principal, params.code);
    return new DrawStore(deps.pool).snapshot(params.code);
  });
}
