import { createHash } from 'node:crypto';
import { canonicalJson } from '../../infra/canonical-json';
import { eventually } from '../helpers/eventually';
import { startTestService, type TestService } from '../helpers/service';

const UNIT = 'benxi.ybj';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The verification anyone can do from the published record, in a few lines: only the seed, the
 * snapshots and the public algorithm, nothing of the service's code.
 */
function recompute(p: { seed: string; count: number; inspectorsPerEntity: number; snapshots: { entities: { id: string }[]; inspectors: { inspectors: { personId: string }[]; conflicts: { personId: string; entityId: string }[] } } }) {
  const rank = (ids: string[], key: (id: string) => string) => ids.map((id) => [sha(key(id)), id]).sort(([a], [b]) => (a! < b! ? -1 : 1)).map(([, id]) => id!);
  const entities = rank(p.snapshots.entities.map((e) => e.id), (id) => `${p.seed}:${id}`).slice(0, p.count);
  const conflict = (person: string, entity: string) => p.snapshots.inspectors.conflicts.some((c) => c.personId === person && c.entityId === entity);
  const assignments = entities.map((entity) => ({ entity, inspectors: rank(p.snapshots.inspectors.inspectors.map((i) => i.personId).filter((id) => !conflict(id, entity)), (id) => `${p.seed}:${entity}:${id}`).slice(0, p.inspectorsPerEntity) }));
  return { entities, assignments };
}

describe('双随机 draws API', () => {
  let svc: TestService;
  let head: string;
  beforeAll(async () => {
    svc = await startTestService();
    head = await svc.token(UNIT, ['head'], 'ybj-head');
    expect((await svc.call(head, 'PUT', `/api/units/${UNIT}/inspection-matters/定点医药机构检查`, { basis: '医疗保障基金使用监督管理条例', subject: '本溪市医疗保障局', objectKind: '定点医药机构', content: '医保基金使用情况', ratio: 0.05, method: '现场检查', frequency: '每季度' })).status).toBe(201);
    const entities = Array.from({ length: 40 }, (_, i) => ({ id: `91210500MA${String(i).padStart(6, '0')}`, name: `本溪市第${i + 1}大药房有限公司`, kind: '定点零售药店' }));
    const e = await svc.call(head, 'PUT', `/api/units/${UNIT}/entities`, { entities });
    expect(e.body).toMatchObject({ count: 40, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const inspectors = Array.from({ length: 6 }, (_, i) => ({ personId: `ybj-insp-${i}`, name: `检查员${i}`, certificateNo: `21050000${i}` }));
    expect((await svc.call(head, 'PUT', `/api/units/${UNIT}/inspectors`, { inspectors })).status).toBe(200);
    // ybj-insp-0 and -1 have a conflict with every one of the first 20 entities.
    const conflicts = entities.slice(0, 20).flatMap((x) => [{ personId: 'ybj-insp-0', entityId: x.id, reason: '近亲属任职' }, { personId: 'ybj-insp-1', entityId: x.id, reason: '曾任该单位顾问' }]);
    expect((await svc.call(head, 'PUT', `/api/units/${UNIT}/inspection-conflicts`, { conflicts })).status).toBe(200);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('draws with a server-made seed, answers everything needed to check it, and the record lets anyone recompute it', async () => {
    const r = await svc.call(head, 'POST', '/api/draws', { unit: UNIT, matter: '定点医药机构检查', count: 10, inspectorsPerEntity: 3 });
    expect(r.status).toBe(201);
    const d = r.body;
    expect(d.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(d.algorithm).toContain('SHA-256(seed + ":" + entityId)');
    expect(d.entities).toHaveLength(10);
    expect(d.assignments.every((a: any) => a.inspectors.length === 3)).toBe(true);
    // Conflicts are never drawn.
    for (const a of d.assignments) for (const p of a.inspectors) expect(d.snapshots.inspectors.conflicts.some((c: any) => c.personId === p && c.entityId === a.entity)).toBe(false);

    // From the tamper-evident record alone: the snapshots match their hashes, the draw recomputes.
    const rec = await svc.call(head, 'GET', `/api/cases/${encodeURIComponent(d.record.caseNumber)}/record?unit=${UNIT}`);
    expect(rec.status).toBe(200);
    const entries = Array.isArray(rec.body) ? rec.body : rec.body.entries;
    const entry = entries.find((e: any) => e.action === 'draw.made' && e.payload.drawId === d.id);
    const p = entry.payload;
    expect(sha(canonicalJson(p.snapshots.entities))).toBe(p.snapshots.entitiesHash);
    expect(sha(canonicalJson(p.snapshots.inspectors))).toBe(p.snapshots.inspectorsHash);
    expect(p.snapshots.entitiesHash).toBe(d.snapshotHashes.entities);
    expect(recompute(p)).toEqual({ entities: d.entities, assignments: d.assignments });
    expect(p.result).toEqual({ entities: d.entities, assignments: d.assignments });
    const verify = await svc.call(head, 'GET', `/api/cases/${encodeURIComponent(d.record.caseNumber)}/record/verify?unit=${UNIT}`);
    expect(verify.body).toMatchObject({ valid: true });

    // GET /api/draws/:id and the public page say the same.
    const got = await svc.call(head, 'GET', `/api/draws/${d.id}`);
    expect(got.body).toMatchObject({ seed: d.seed, entities: d.entities, assignments: d.assignments, snapshotHashes: d.snapshotHashes });
    const pub = await svc.call(undefined, 'GET', `/public/draws/${d.id}`);
    expect(pub.status).toBe(200);
    expect(pub.body.drawnEntities[0].name).toMatch(/大药房有限公司$/);
    expect(sha(canonicalJson(pub.body.snapshots.entities.items))).toBe(pub.body.snapshotHashes.entities);
    expect(sha(canonicalJson({ inspectors: pub.body.snapshots.inspectors.items, conflicts: pub.body.snapshots.inspectors.conflicts }))).toBe(pub.body.snapshotHashes.inspectors);
    expect(recompute({ ...pub.body, snapshots: { entities: pub.body.snapshots.entities.items, inspectors: { inspectors: pub.body.snapshots.inspectors.items, conflicts: pub.body.snapshots.inspectors.conflicts } } })).toEqual({ entities: d.entities, assignments: d.assignments });

    // The drawn names went to the inspecting unit at once.
    const { rows: notes } = await svc.service.pool.query('SELECT kind, subject, body FROM notifications WHERE idempotency_key = $1', [`draw:${d.id}:notice`]);
    expect(notes[0]).toMatchObject({ kind: 'action_required', subject: expect.stringContaining('定点医药机构检查') });
    expect(notes[0].body).toContain(pub.body.drawnEntities[0].name);

    // A second draw has another seed; a repeat must name the draw it replaces and why.
    const again = await svc.call(head, 'POST', '/api/draws', { unit: UNIT, matter: '定点医药机构检查', count: 10, inspectorsPerEntity: 3, replaces: { draw: d.id, reason: '检查对象名录更新后重新抽取' } });
    expect(again.status).toBe(201);
    expect(again.body.seed).not.toBe(d.seed);
    expect(again.body.replaces).toBe(d.id);
  });

  it('a Temporal Schedule per matter runs its draws at its frequency', async () => {
    const r = await svc.call(head, 'PUT', `/api/units/${UNIT}/inspection-matters/定点医药机构检查/schedule`, { count: 3, inspectorsPerEntity: 2 });
    expect(r.status).toBe(201);
    expect((await svc.call(head, 'PUT', `/api/units/${UNIT}/inspection-matters/定点医药机构检查/schedule`, { count: 4, inspectorsPerEntity: 2 })).status).toBe(200);
    const schedule = svc.service.temporal.schedule.getHandle(r.body.scheduleId);
    const desc = await schedule.describe();
    expect(desc.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 9, end: 9, step: 1 }] });
    await schedule.trigger();
    const { rows } = await eventually(async () => {
      const q = await svc.service.pool.query("SELECT id, count FROM draws WHERE drawn_by = $1", [`schedule:${r.body.scheduleId}`]);
      return q.rows.length > 0 && q;
    }, 'the scheduled draw', 20_000);
    expect(rows[0].count).toBe(4);
    await schedule.delete();
  });

  it('fewer qualified inspectors than needed is a clear 409; fewer than two per entity is refused', async () => {
    const r = await svc.call(head, 'POST', '/api/draws', { unit: UNIT, matter: '定点医药机构检查', count: 40, inspectorsPerEntity: 5 });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ rule: 'draw.too_few_inspectors', basis: expect.stringContaining('第四十二条') });
    expect(r.body.error).toMatch(/4 qualified inspectors without a conflict of interest, 5 needed/);
    expect((await svc.call(head, 'POST', '/api/draws', { unit: UNIT, matter: '定点医药机构检查', count: 2, inspectorsPerEntity: 1 })).status).toBe(400);
    expect((await svc.call(head, 'POST', '/api/draws', { unit: UNIT, matter: '无此事项', count: 2, inspectorsPerEntity: 2 })).status).toBe(404);
    expect((await svc.call(await svc.token('benxi.czj', ['head']), 'POST', '/api/draws', { unit: UNIT, matter: '定点医药机构检查', count: 2, inspectorsPerEntity: 2 })).status).toBe(403);
  });

  it('results: problems open a case (the case start); a normal result becomes a disclosure item due 20 working days after the end of the inspection', async () => {
    const d = (await svc.call(head, 'POST', '/api/draws', { unit: UNIT, matter: '定点医药机构检查', count: 2, inspectorsPerEntity: 2 })).body;
    const handler = await svc.token(UNIT, ['handler'], 'ybj-h');
    const finishedAt = new Date(Date.now() - 3_600_000).toISOString();
    const bad = await svc.call(handler, 'POST', `/api/draws/${d.id}/results`, { entity: d.entities[0], finishedAt, normal: false, findings: '串换药品、虚记费用' });
    expect(bad.status).toBe(201);
    const caseNumber = bad.body.followUp.case.caseNumber;
    const c = await svc.call(handler, 'GET', `/api/cases/${encodeURIComponent(caseNumber)}`);
    expect(c.status).toBe(200);
    const ok = await svc.call(handler, 'POST', `/api/draws/${d.id}/results`, { entity: d.entities[1], finishedAt, normal: true, findings: '未发现问题' });
    expect(ok.body.followUp.disclosure.lastDay).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // The normal result is a disclosure item (source inspection) with its 20-working-day clock.
    const { rows: items } = await svc.service.pool.query('SELECT source, kind, party_kind, workflow_id FROM disclosures WHERE id = $1', [ok.body.followUp.disclosure.id]);
    expect(items[0]).toMatchObject({ source: 'inspection', kind: 'inspection', party_kind: 'organisation' });
    expect((await svc.call(handler, 'POST', `/api/draws/${d.id}/results`, { entity: 'not-drawn', finishedAt, normal: true, findings: 'x' })).status).toBe(409);
  });
});
