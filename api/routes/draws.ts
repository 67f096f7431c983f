import { z } from 'zod';
import { shanghaiDateOf } from '../../domain/dates';
import { DrawRefused } from '../../domain/draws/algorithm';
import { computeDeadline } from '../../domain/periods';
import { CalendarStore } from '../../infra/calendar-store';
import { inTransaction } from '../../infra/db';
import { DrawStore, type DrawRecord } from '../../infra/draw-store';
import { enqueueProcessStart } from '../../infra/process-starts';
import { caseFileWorkflowId } from '../../workflows/case-file-messages';
import type { Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { conflict, forbidden, notFound } from '../errors';
import { startNow } from '../process-start';
import { reply, type Routes } from '../route';
import { actableOr404, visibleOr404 } from '../scope';
import { legalInstant } from '../schemas';
import { caseStart, type CaseRow } from './cases';
import { discloseInspectionResult } from './disclosures';

const drawParams = z.object({ id: z.string().uuid() });

/** What a draw answers: everything a third party needs to recompute it. */
const presentDraw = (d: DrawRecord) => ({
  id: d.id,
  unit: d.unit,
  matter: d.matter,
  drawnBy: d.drawnBy,
  drawnAt: d.drawnAt,
  seed: d.seed,
  algorithm: d.algorithm,
  count: d.count,
  inspectorsPerEntity: d.inspectorsPerEntity,
  entities: d.entities,
  assignments: d.assignments,
  snapshotHashes: { entities: d.snapshots.entities.hash, inspectors: d.snapshots.inspectors.hash },
  snapshots: d.snapshots,
  replaces: d.replaces,
  replaceReason: d.replaceReason,
  record: d.record,
});

async function loadDraw(deps: ApiDeps, id: string): Promise<DrawRecord> {
  const d = await new DrawStore(deps.pool).get(id);
  if (!d) throw notFound(`draw ${id}`);
  return d;
}

/** A draw for a unit's staff: another unit's answers as a missing one (api/scope.ts; the published copy is /public/draws/:id). */
const drawFor = async (deps: ApiDeps, principal: Principal, id: string, act: boolean): Promise<DrawRecord> =>
  (act ? actableOr404 : visibleOr404)(deps.pool, principal, await new DrawStore(deps.pool).get(id), (d: DrawRecord) => [d.unit], `draw ${id}`);

/** A case number for an inspection with findings: 双随机-<matter>-<draw>-<entity>, within the case-number alphabet. */
const inspectionCaseNumber = (d: DrawRecord, entity: string) => `双随机-${d.matter}-${d.id.slice(0, 8)}-${entity}`.replace(/[^\p{L}\p{N}〔〕()（）[\]_.\-]/gu, '_').slice(0, 64);

export function drawRoutes(routes: Routes): void {
  routes.add(
    {
      method: 'post',
      path: '/api/draws',
      tag: 'inspections',
      summary: '双随机 draw: the service makes the seed, snapshots and hashes both directories, draws in one go (public SHA-256 ranking) and records everything',
      roles: ['head', 'admin', 'handler'],
      body: z.object({
        unit: z.string().min(1),
        matter: z.string().min(1).max(60),
        count: z.number().int().min(1).max(10_000),
        inspectorsPerEntity: z.number().int().min(2, 'at least two inspectors per entity (行政处罚法 第四十二条)').max(20),
        /** a repeated draw names the draw it replaces and why (a draw is never discarded silently) */
        replaces: z.object({ draw: z.string().uuid(), reason: z.string().trim().min(5).max(1000) }).optional(),
      }),
      responses: { 201: { description: 'the draw with seed, algorithm, entities, assignments, snapshot hashes' }, 409: { description: 'too few entities or qualified inspectors without a conflict: {error, rule, basis}' } },
    },
    async ({ body, principal, deps }) => {
      if (principal.unit !== body.unit) throw forbidden('a draw is made by the unit itself');
      const store = new DrawStore(deps.pool, { emailEnabled: Boolean(deps.config.SMTP_URL) });
      if (!(await store.matters(body.unit)).some((m) => m.matter === body.matter)) throw notFound(`inspection matter ${body.matter} of unit ${body.unit}`);
      if (body.replaces) {
        const earlier = await store.get(body.replaces.draw);
        if (!earlier || earlier.unit !== body.unit || earlier.matter !== body.matter) throw notFound(`draw ${body.replaces.draw} of ${body.unit}/${body.matter}`);
      }
      try {
        const d = await store.create({ unit: body.unit, matter: body.matter, count: body.count, inspectorsPerEntity: body.inspectorsPerEntity, by: principal.personId, replaces: body.replaces && { id: body.replaces.draw, reason: body.replaces.reason } });
        return reply(201, presentDraw(d));
      } catch (err) {
        if (err instanceof DrawRefused) throw conflict(err.message, { rule: err.rule, basis: '郑政办〔2016〕14号 (五) 双随机；行政处罚法 第四十二条（执法人员不少于两人）' });
        throw err;
      }
    },
  );

  routes.add({ method: 'get', path: '/api/draws/:id', tag: 'inspections', summary: 'A draw with its seed, algorithm, snapshots and their hashes, and the results so far', roles: [], params: drawParams }, async ({ params, principal, deps }) => {
    const d = await drawFor(deps, principal, params.id, false);
    return { ...presentDraw(d), results: await new DrawStore(deps.pool).results(d.id) };
  });

  // Published: anyone can recompute the draw (the entities are organisations, named in full; the
  // inspectors are law-enforcement officers, whose names and certificates are public anyway).
  routes.add({ method: 'get', path: '/public/draws/:id', tag: 'public', summary: 'A draw as published, for anyone to recompute', params: drawParams }, async ({ params, deps }) => {
    const d = await loadDraw(deps, params.id);
    const names = new Map(d.snapshots.entities.items.map((e) => [e.id, e.name]));
    return { ...presentDraw(d), drawnBy: undefined, drawnEntities: d.entities.map((id) => ({ id, name: names.get(id) })) };
  });

  routes.add(
    {
      method: 'post',
      path: '/api/draws/:id/results',
      tag: 'inspections',
      summary: "An inspection's result for one drawn entity: normal → a disclosure item due 20 working days after the inspection's end; problems → a case is opened",
      roles: ['handler', 'head', 'admin'],
      params: drawParams,
      body: z.object({ entity: z.string().min(1), finishedAt: legalInstant, normal: z.boolean(), findings: z.string().trim().min(1).max(5000) }),
    },
    async ({ params, body, principal, deps }) => {
      // Results of a draw are recorded by the unit that made it.
      const d = await drawFor(deps, principal, params.id, true);
      if (!d.entities.includes(body.entity)) throw conflict(`entity ${body.entity} was not drawn in draw ${d.id}`, { rule: 'draw.not_drawn', basis: '郑政办〔2016〕14号 (五)' });
      const store = new DrawStore(deps.pool);
      let followUp: Record<string, unknown>;
      if (body.normal) {
        // Normal results are published within 20 working days of the inspection's end (domain spec §7):
        // a disclosure item of the disclosure process (issue 12), one per drawn entity.
        const due = computeDeadline(await new CalendarStore(deps.pool).calendar(), shanghaiDateOf(body.finishedAt), '20wd', { extend: true });
        const name = d.snapshots.entities.items.find((e) => e.id === body.entity)?.name ?? body.entity;
        const matter = (await store.matters(d.unit)).find((m) => m.matter === d.matter);
        const item = await discloseInspectionResult(deps, {
          unit: d.unit,
          caseNumber: inspectionCaseNumber(d, body.entity),
          finishedAt: body.finishedAt,
          // Entities in scope are market entities (organisations): named in full (35号 第十七条).
          entity: { kind: 'organisation', name },
          content: `双随机抽查：${matter?.content ?? d.matter}（抽取 ${d.id}）`,
          result: `未发现问题。${body.findings}`,
          recordedBy: principal.personId,
        });
        followUp = { disclosure: { id: item.id, workflowId: item.workflowId, lastDay: due.lastDay, provisional: due.provisional, basis: '正常结果自检查结束之日起20个工作日内公开' } };
      } else {
        const caseNumber = inspectionCaseNumber(d, body.entity);
        const name = d.snapshots.entities.items.find((e) => e.id === body.entity)?.name ?? body.entity;
        const workflowId = caseFileWorkflowId(d.unit, caseNumber);
        await inTransaction(deps.pool, async (tx) => {
          const { rows } = await tx.query<CaseRow>(
            `INSERT INTO cases (unit_code, case_number, title, urgent, opened_by, opened_at, workflow_id)
             VALUES ($1, $2, $3, false, $4, now(), $5) ON CONFLICT (unit_code, case_number) DO NOTHING RETURNING *`,
            [d.unit, caseNumber, `双随机抽查发现问题：${name}`.slice(0, 200), principal.personId, workflowId],
          );
          if (rows[0]) await enqueueProcessStart(tx, caseStart(rows[0], deps.config.TASK_QUEUE));
        });
        await startNow(deps, workflowId);
        followUp = { case: { unit: d.unit, caseNumber, workflowId } };
      }
      const { created } = await store.recordResult(d.id, { entity: body.entity, finishedAt: body.finishedAt, normal: body.normal, findings: body.findings, by: principal.personId, followUp });
      const stored = (await store.results(d.id)).find((r) => r.entity === body.entity)!;
      return reply(created ? 201 : 200, stored);
    },
  );
}
