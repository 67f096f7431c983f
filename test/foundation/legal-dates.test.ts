import { randomUUID } from 'node:crypto';
import { isoDate, legalInstant } from '../../api/schemas';
import { startTestService, type TestService } from '../helpers/service';

const UNIT = 'benxi.ybj';
const caseNumber = () => `本医保罚〔2025〕${randomUUID().slice(0, 8)}号`;
const simple = { decisionKind: 'penalty', procedure: 'simple', scope: {} };

describe('legal dates: a date (that day in Asia/Shanghai) or a datetime with offset', () => {
  it('the shared schemas', () => {
    expect(legalInstant.parse('2025-10-20')).toBe('2025-10-20T00:00:00+08:00');
    expect(legalInstant.parse('2025-10-20T09:30:00+08:00')).toBe('2025-10-20T09:30:00+08:00');
    expect(legalInstant.parse('2025-10-20T01:30:00.123Z')).toBe('2025-10-20T01:30:00.123Z');
    for (const bad of ['2025-02-30', '2025-13-01', '20251020', '2025-10-20T09:30:00', 'yesterday', '2025-10-20 09:30+08:00', '']) {
      expect(legalInstant.safeParse(bad).success).toBe(false);
    }
    expect(legalInstant.safeParse('2024-02-29').success).toBe(true);
    expect(legalInstant.safeParse('2025-02-29').error?.issues[0]?.message).toBe('2025-02 has days 01..28');
    expect(isoDate.parse('2025-10-20')).toBe('2025-10-20');
    expect(isoDate.safeParse('2025-10-20T00:00:00+08:00').success).toBe(false);
  });

  describe('through the API (real API + worker, dev server, real Postgres)', () => {
    let svc: TestService;
    let handler: string;
    const reviewsToWithdraw: string[] = [];
    beforeAll(async () => {
      svc = await startTestService();
      handler = await svc.token(UNIT, ['handler'], 'handler-dates');
    });
    afterAll(async () => {
      for (const id of reviewsToWithdraw) await svc.call(handler, 'POST', `/api/reviews/${id}/withdrawal`, { reason: '测试结束' });
      await svc?.stop();
    });

    it('POST /api/decisions takes decidedAt "2025-10-20" as 2025-10-20 00:00 Shanghai and reads it back', async () => {
      const decision = { caseNumber: caseNumber(), decisionNumber: `本医保罚决〔2025〕${randomUUID().slice(0, 6)}号`, decidedAt: '2025-10-20', classification: simple };
      const created = await svc.call(handler, 'POST', '/api/decisions', decision);
      expect(created.status).toBe(201);
      expect(Date.parse(created.body.decidedAt)).toBe(Date.parse('2025-10-20T00:00:00+08:00'));
      const listed = await svc.call(handler, 'GET', '/api/decisions');
      const mine = listed.body.items.find((d: { decisionNumber: string }) => d.decisionNumber === decision.decisionNumber);
      expect(mine.decidedAt).toBe('2025-10-19T16:00:00.000Z');
      // The same decision sent again with the equivalent datetime is the same decision.
      expect((await svc.call(handler, 'POST', '/api/decisions', { ...decision, decidedAt: '2025-10-20T00:00:00+08:00' })).status).toBe(200);
      // The case record carries the same instant.
      const record = await svc.call(handler, 'GET', `/api/cases/${encodeURIComponent(decision.caseNumber)}/record`);
      expect(record.body.entries.map((e: { occurredAt: string }) => Date.parse(e.occurredAt))).toEqual([Date.parse('2025-10-20T00:00:00+08:00')]);
    });

    it('a datetime with offset is still accepted; a bad date or a datetime without offset is a 400 naming the field', async () => {
      const withTime = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: caseNumber(), decisionNumber: `T-${randomUUID()}`, decidedAt: '2025-10-20T15:45:00+08:00', classification: simple });
      expect(withTime.status).toBe(201);
      expect(withTime.body.decidedAt).toBe('2025-10-20T07:45:00.000Z');
      for (const decidedAt of ['2025-02-30', '2025-10-20T15:45:00']) {
        const bad = await svc.call(handler, 'POST', '/api/decisions', { caseNumber: caseNumber(), decisionNumber: `B-${randomUUID()}`, decidedAt, classification: simple });
        expect(bad.status).toBe(400);
        expect(bad.body.issues).toEqual([expect.objectContaining({ path: 'body.decidedAt' })]);
      }
    });

    it('POST /api/reviews receivedAt "2025-09-30": the 7 working days are counted from that day (deadline 2025-10-16)', async () => {
      const created = await svc.call(handler, 'POST', '/api/reviews', {
        caseNumber: caseNumber(),
        title: '日期测试',
        decisionKind: 'penalty',
        procedure: 'general',
        scope: { majorRights: true },
        party: { kind: 'organisation', name: '本溪某药店' },
        caseDeadline: '2099-12-31',
        caseDeadlineBasis: '承办机构填报（测试）',
        materials: [
          { kind: 'statement', ref: 'doc://statement' },
          { kind: 'draft_decision', ref: 'doc://draft', sha256: 'd'.repeat(64) },
        ],
        // an earlier receipt is a 补录 and says so (issue 10)
        receivedAt: '2025-09-30',
        receivedAtReason: '纸质送审材料补录（测试）',
      });
      expect(created.status).toBe(201);
      reviewsToWithdraw.push(created.body.id);
      expect(created.body.deadline).toBe('2025-10-16T23:59:59+08:00');
    });

    it('POST /api/cases openedAt and POST …/enforcement-ended endedAt take a date', async () => {
      const n = caseNumber();
      const opened = await svc.call(handler, 'POST', '/api/cases', { caseNumber: n, title: '日期立案', openedAt: '2025-10-20' });
      expect(opened.status).toBe(201);
      const row = await svc.service.pool.query('SELECT opened_at FROM cases WHERE unit_code = $1 AND case_number = $2', [UNIT, n]);
      expect(row.rows[0].opened_at.getTime()).toBe(Date.parse('2025-10-20T00:00:00+08:00'));
      const ended = await svc.call(handler, 'POST', `/api/cases/${encodeURIComponent(n)}/enforcement-ended`, { endedAt: '2025-10-21' });
      expect(ended.status).toBe(200);
    });

    it('the OpenAPI document describes both forms', async () => {
      const doc = await svc.call(undefined, 'GET', '/openapi.json');
      const schema = doc.body.paths['/api/decisions'].post.requestBody.content['application/json'].schema;
      expect(JSON.stringify(schema)).toContain('Asia/Shanghai');
    });
  });
});
