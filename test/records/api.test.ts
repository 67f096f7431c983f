import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { createDocumentActivities } from '../../activities/documents';
import { startTestService, type TestService } from '../helpers/service';
import { eventually } from './helpers';

const UNIT = 'benxi.ybj';
const OTHER = 'benxi.czj';
const SUPERVISOR = 'benxi.sfj';
const enc = encodeURIComponent;

describe('case record, documents, inbox and the case actions through the API (dev server, real Postgres)', () => {
  let svc: TestService;
  let handler: string;
  let head: string;
  let otherUnit: string;
  let supervisor: string;
  const suffix = Date.now() % 1_000_000;

  beforeAll(async () => {
    svc = await startTestService();
    handler = await svc.token(UNIT, ['handler'], 'handler-0001');
    head = await svc.token(UNIT, ['head'], 'head-0001');
    otherUnit = await svc.token(OTHER, ['handler', 'head']);
    supervisor = await svc.token(SUPERVISOR, ['supervisor']);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const openCase = async (caseNumber: string, urgent = false) => {
    const res = await svc.call(handler, 'POST', '/api/cases', { caseNumber, title: '违规使用医保基金', urgent });
    expect(res.status).toBe(201);
    return res.body.workflowId as string;
  };
  const record = (caseNumber: string, token = handler, unit?: string) => svc.call(token, 'GET', `/api/cases/${enc(caseNumber)}/record${unit ? `?unit=${unit}` : ''}`);

  it('every step lands in the record; verify finds the entry someone edited in SQL with the trigger off', async () => {
    const caseNumber = `本医保罚〔2026〕${suffix}号`;
    await openCase(caseNumber);
    expect((await svc.call(handler, 'POST', `/api/cases/${enc(caseNumber)}/av-records`, { ref: 'DV-1.mp4', madeAt: new Date().toISOString() })).status).toBe(201);
    expect((await svc.call(handler, 'POST', `/api/cases/${enc(caseNumber)}/av-records/1/stored`, {})).status).toBe(200);
    const entries = await eventually(async () => {
      const res = await record(caseNumber);
      return res.body.entries?.length === 3 && res.body.entries;
    }, 'three entries', 15_000);
    expect(entries.map((e: any) => [e.seq, e.stage, e.action, e.actor])).toEqual([
      [1, 'start', 'start.opened', 'handler-0001'],
      [2, 'investigation', 'av.registered', 'handler-0001'],
      [3, 'investigation', 'av.stored', 'handler-0001'],
    ]);
    expect(entries[1].prevHash).toBe(entries[0].hash);
    expect((await svc.call(handler, 'GET', `/api/cases/${enc(caseNumber)}/record/verify`)).body).toMatchObject({ valid: true, entries: 3, headHash: entries[2].hash });

    // Visibility: another unit may not read it (404, as for a case that does not exist: issue 14), the supervising unit may.
    expect((await record(caseNumber, otherUnit, UNIT)).status).toBe(404);
    expect((await record(caseNumber, supervisor, UNIT)).body.entries).toHaveLength(3);

    // The trigger refuses the edit; a superuser who switches triggers off can, and verify names the entry.
    const admin = new Client({ connectionString: svc.config.DATABASE_URL });
    await admin.connect();
    try {
      await expect(admin.query(`UPDATE case_record SET summary = '篡改' WHERE unit_code = $1 AND case_number = $2 AND seq = 2`, [UNIT, caseNumber])).rejects.toThrow(/refused/);
      await admin.query('SET session_replication_role = replica');
      await admin.query(`UPDATE case_record SET summary = '篡改' WHERE unit_code = $1 AND case_number = $2 AND seq = 2`, [UNIT, caseNumber]);
      await admin.query('SET session_replication_role = origin');
    } finally {
      await admin.end();
    }
    const verify = await svc.call(supervisor, 'GET', `/api/cases/${enc(caseNumber)}/record/verify?unit=${UNIT}`);
    expect(verify.body).toMatchObject({ valid: false, entries: 3, firstBroken: { seq: 2, problem: 'hash_mismatch', actual: entries[1].hash } });
  });

  it('documents are served by id with their content type and hash, to their unit and its supervisors only', async () => {
    const caseNumber = `DOC-${suffix}`;
    await openCase(caseNumber);
    const { storeDocument } = createDocumentActivities({ pool: svc.service.pool, config: svc.config, log: undefined as never });
    const content = '<html><body><h1>重大行政执法决定法制审核意见书</h1><p>同意。</p></body></html>';
    const input = { unit: UNIT, caseNumber, kind: 'review-opinion', title: '法制审核意见书.html', contentType: 'text/html; charset=utf-8', content, idempotencyKey: `doc:${caseNumber}:opinion` };
    const stored = await storeDocument(input);
    expect(await storeDocument(input)).toEqual(stored); // a retry returns the same document
    expect(stored.sha256).toBe(createHash('sha256').update(content, 'utf8').digest('hex'));

    const res = await fetch(`${svc.baseUrl}/api/documents/${stored.documentId}`, { headers: { authorization: `Bearer ${handler}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-sha256')).toBe(stored.sha256);
    const body = Buffer.from(await res.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(stored.sha256);
    expect(body.toString('utf8')).toBe(content);

    expect((await svc.call(otherUnit, 'GET', `/api/documents/${stored.documentId}`)).status).toBe(404);
    expect((await svc.call(supervisor, 'GET', `/api/documents/${stored.documentId}`)).status).toBe(200);
    expect((await svc.call(handler, 'GET', `/api/cases/${enc(caseNumber)}/documents`)).body).toEqual([expect.objectContaining({ id: stored.documentId, sha256: stored.sha256, kind: 'review-opinion' })]);
  });

  it('urgent start: the unit inbox gets the request, the head approves once; refusals answer 409 with the reason', async () => {
    const caseNumber = `URG-${suffix}`;
    const workflowId = await openCase(caseNumber, true);
    const inboxItem = await eventually(async () => {
      const inbox = await svc.call(head, 'GET', '/api/inbox?unacked=true');
      return inbox.body.find((n: any) => n.link?.workflowId === workflowId);
    }, 'the approval request in the inbox', 15_000);
    expect(inboxItem).toMatchObject({ kind: 'action_required', unit: UNIT });
    expect((await svc.call(otherUnit, 'GET', '/api/inbox')).body.find((n: any) => n.id === inboxItem.id)).toBeUndefined();
    expect((await svc.call(otherUnit, 'POST', `/api/inbox/${inboxItem.id}/ack`)).status).toBe(404);
    const acked = await svc.call(head, 'POST', `/api/inbox/${inboxItem.id}/ack`);
    expect(acked.body).toMatchObject({ id: inboxItem.id, ackedBy: 'head-0001' });
    expect((await svc.call(head, 'GET', '/api/inbox?unacked=true')).body.find((n: any) => n.id === inboxItem.id)).toBeUndefined();

    expect((await svc.call(handler, 'POST', `/api/cases/${enc(caseNumber)}/urgent-approval`, {})).status).toBe(403);
    const approved = await svc.call(head, 'POST', `/api/cases/${enc(caseNumber)}/urgent-approval`, { note: '同意' });
    expect(approved.status).toBe(200);
    expect(approved.body.urgentApproval).toMatchObject({ status: 'approved', late: false, approvedBy: 'head-0001' });
    const again = await svc.call(head, 'POST', `/api/cases/${enc(caseNumber)}/urgent-approval`, {});
    expect(again.status).toBe(409);
    expect(again.body.error).toContain('已于');

    const notUrgent = `NU-${suffix}`;
    await openCase(notUrgent);
    const refused = await svc.call(head, 'POST', `/api/cases/${enc(notUrgent)}/urgent-approval`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error).toContain('未以紧急程序启动');
    expect((await svc.call(head, 'POST', `/api/cases/${enc('NO-SUCH')}/urgent-approval`, {})).status).toBe(404);
  });

  it('AV records, end of enforcement and archiving through the API', async () => {
    const caseNumber = `AV-${suffix}`;
    await openCase(caseNumber);
    const base = `/api/cases/${enc(caseNumber)}`;
    const madeAt = new Date(Date.now() - 3_600_000).toISOString();
    const sha256 = 'C'.repeat(64);
    const first = await svc.call(handler, 'POST', `${base}/av-records`, { ref: '执法记录仪-01', madeAt, sha256, stage: 'enforcement' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ n: 1, status: 'pending', sha256: 'c'.repeat(64) });
    expect((await svc.call(handler, 'POST', `${base}/av-records`, { ref: '执法记录仪-01', madeAt, sha256 })).status).toBe(200);
    const clash = await svc.call(handler, 'POST', `${base}/av-records`, { ref: '执法记录仪-01', madeAt: new Date().toISOString() });
    expect(clash.status).toBe(409);
    expect((await svc.call(handler, 'POST', `${base}/av-records`, { ref: 'x', madeAt: 'yesterday' })).body.issues).toEqual([expect.objectContaining({ path: 'body.madeAt' })]);
    const future = await svc.call(handler, 'POST', `${base}/av-records`, { ref: 'x', madeAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect(future.status).toBe(409);

    const one = await eventually(async () => {
      const r = await svc.call(handler, 'GET', `${base}/av-records/1`);
      return r.body.level === 'yellow' && r.body;
    }, 'the clock of #1 running (yellow: the 24 hours are its last day)', 15_000);
    expect(Date.parse(one.deadline)).toBe(Date.parse(madeAt) + 24 * 3_600_000 - (Date.parse(madeAt) % 1000));
    expect(one.basis).toContain('第三十二条');

    // Field work far away: the 24 hours run from the return to the unit, not from the recording.
    const returnedAt = new Date(Date.now() - 3_600_000).toISOString();
    const far = await svc.call(handler, 'POST', `${base}/av-records`, { ref: '异地-02', madeAt: new Date(Date.now() - 30 * 3_600_000).toISOString(), returnedAt });
    expect(far.body.n).toBe(2);
    const two = await eventually(async () => {
      const r = await svc.call(handler, 'GET', `${base}/av-records/2`);
      return r.body.level === 'yellow' && r.body;
    }, 'the clock of #2', 15_000);
    expect(Math.floor(Date.parse(two.deadline) / 1000)).toBe(Math.floor((Date.parse(returnedAt) + 24 * 3_600_000) / 1000));
    expect((await svc.call(handler, 'POST', `${base}/av-records`, { ref: 'x', madeAt: returnedAt, returnedAt: new Date(Date.now() - 7_200_000).toISOString() })).status).toBe(409);
    expect((await svc.call(handler, 'POST', `${base}/av-records/2/stored`, {})).status).toBe(200);

    expect((await svc.call(handler, 'POST', `${base}/archive`)).status).toBe(409);
    expect((await svc.call(handler, 'POST', `${base}/av-records/1/stored`, { sha256: 'd'.repeat(64) })).status).toBe(409);
    expect((await svc.call(handler, 'POST', `${base}/av-records/1/stored`, { sha256 })).status).toBe(200);
    expect((await svc.call(handler, 'POST', `${base}/av-records/1/stored`, {})).status).toBe(409);
    expect((await svc.call(handler, 'POST', `${base}/av-records/9/stored`, {})).status).toBe(409);

    const ended = await svc.call(handler, 'POST', `${base}/enforcement-ended`, { endedAt: new Date().toISOString() });
    expect(ended.status).toBe(200);
    expect(ended.body.status).toBe('enforcement_ended');
    const withDeadline = await eventually(async () => (await svc.call(handler, 'GET', base)).body.archiveDeadline, 'the archive deadline', 15_000);
    expect(withDeadline.basis).toContain('第三十二条');
    await eventually(async () => (await svc.call(handler, 'GET', `${base}/av-records`)).body.every((r: any) => r.late === false), 'AV outcomes', 15_000);
    const archived = await svc.call(handler, 'POST', `${base}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ status: 'archived', archivedLate: false });
    const closed = await svc.call(handler, 'POST', `${base}/archive`);
    expect(closed.status).toBe(409);
    const { rows } = await svc.service.pool.query('SELECT status FROM cases WHERE unit_code = $1 AND case_number = $2', [UNIT, caseNumber]);
    expect(rows[0].status).toBe('archived');
    const actions = (await record(caseNumber)).body.entries.map((e: any) => e.action);
    expect(actions).toEqual(['start.opened', 'av.registered', 'av.registered', 'av.stored', 'av.stored', 'enforcement.ended', 'archive.archived']);
  });
});
