import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { temporalCliPath } from '../../infra/tools';
import { eventually } from '../helpers/eventually';
import { startTestService, type TestService } from '../helpers/service';
import { cleanChecklist } from '../review/helpers';

/**
 * Issue 14, evidence 5: personal data stays in Postgres. Every process's scenario with a natural
 * person as the party (legal review, decision → enforcement and disclosure, the case file) runs on
 * the dev server; then `temporal workflow show --output json` of every workflow of those cases is
 * read with every payload DECODED (inputs, results, update arguments and outcomes, activity inputs
 * and results, search attributes, memos, summaries): none contains the identity number, the phone
 * or the full name.
 */
const run = promisify(execFile);
const UNIT = 'benxi.ybj';
const PERSON = { kind: 'person', name: '慕容雪晴', idNumber: '21050219880707332X', phone: '13987654321', address: '本溪市平山区解放路77号' };
const SECRETS = [PERSON.name, PERSON.idNumber, PERSON.phone, '解放路77号'];
const scope = { publicInterest: false, majorRights: false, hearing: false, complex: false, otherLaw: false, catalogue: false, optIn: false };

/** Every payload in a history as JSON (base64 `data`, `metadata` values), decoded to text, plus the raw JSON. */
export function decodedHistoryText(history: unknown): string {
  const out: string[] = [];
  const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.data === 'string') out.push(decode(o.data));
      if (o.metadata && typeof o.metadata === 'object') for (const m of Object.values(o.metadata as Record<string, unknown>)) if (typeof m === 'string') out.push(decode(m));
      for (const x of Object.values(o)) walk(x);
    } else if (typeof v === 'string') out.push(v);
  };
  walk(history);
  return out.join('\n');
}

async function showHistory(address: string, workflowId: string): Promise<unknown> {
  const cli = temporalCliPath();
  if (!cli) throw new Error('the Temporal CLI is not cached (npm run tools)');
  const { stdout } = await run(cli, ['workflow', 'show', '--address', address, '--namespace', 'default', '--workflow-id', workflowId, '--output', 'json'], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout);
}

describe('privacy: no personal data in any Temporal payload (dev server, temporal CLI)', () => {
  let svc: TestService;
  const tag = `${Date.now() % 1_000_000}`;

  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc?.stop();
  });

  async function workflowsOf(caseNumber: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const wf of svc.service.temporal.workflow.list({ query: `CaseNumber = "${caseNumber}"` })) ids.push(wf.workflowId);
    return [...new Set(ids)];
  }

  async function assertClean(caseNumbers: string[], expectKinds: RegExp[]): Promise<void> {
    const address = process.env.TEST_TEMPORAL_ADDRESS!;
    const ids = (await Promise.all(caseNumbers.map(workflowsOf))).flat();
    for (const kind of expectKinds) expect(ids.some((id) => kind.test(id))).toBe(true);
    for (const id of ids) {
      const text = decodedHistoryText(await showHistory(address, id));
      expect(text.length).toBeGreaterThan(100);
      // The case number travels (a reference), proving the decoding works.
      expect(caseNumbers.some((c) => text.includes(c))).toBe(true);
      for (const secret of SECRETS) {
        if (text.includes(secret)) throw new Error(`workflow ${id}: its history contains "${secret}"`);
      }
    }
  }

  it('decodes payloads (a self-check of the decoder)', () => {
    const payload = { data: Buffer.from(JSON.stringify({ name: '测试' })).toString('base64'), metadata: { encoding: Buffer.from('json/plain').toString('base64') } };
    expect(decodedHistoryText({ events: [{ input: { payloads: [payload] } }] })).toContain('测试');
  });

  it('legal review of a natural person: submit, assign, opinion (its document rendered from Postgres); the identity number masked to the supervisor', async () => {
    const handler = await svc.token(UNIT, ['handler'], 'handler-priv');
    const head = await svc.token(UNIT, ['head'], 'head-priv');
    const reviewer = await svc.token(UNIT, ['reviewer'], 'reviewer-priv');
    expect((await svc.call(head, 'PUT', '/api/reviewers/reviewer-priv', { name: '审核员甲', lawDegree: true, legalWorkYears: 4, enforcementYears: 1, legalProfessionQualification: true, reviewedPenaltyBefore: true })).status).toBe(201);
    const caseNumber = `本医保罚〔2026〕P${tag}号`;
    expect([200, 201]).toContain((await svc.call(handler, 'POST', '/api/cases', { caseNumber, title: '违规使用医保基金案' })).status);
    const created = await svc.call(handler, 'POST', '/api/reviews', {
      caseNumber,
      title: '违规使用医保基金案',
      decisionKind: 'penalty',
      procedure: 'general',
      scope: { majorRights: true },
      party: { kind: 'person', name: PERSON.name, idNumber: PERSON.idNumber },
      caseDeadline: '2099-12-31',
      caseDeadlineBasis: '承办机构填报（测试）',
      interestedPersons: [],
      materials: [
        { kind: 'statement', ref: 'doc://statement' },
        { kind: 'draft_decision', ref: 'doc://draft', sha256: 'd'.repeat(64) },
      ],
    });
    expect(created.status).toBe(201);
    const { id } = created.body;
    expect((await svc.call(head, 'POST', `/api/reviews/${id}/assignment`, { reviewerId: 'reviewer-priv' })).status).toBe(200);
    const opinion = await svc.call(reviewer, 'POST', `/api/reviews/${id}/opinion`, { kind: 'approve', checklist: cleanChecklist(), text: '' });
    expect(opinion.status).toBe(200);
    // The API still shows the party to the unit (from Postgres), and the opinion document names it.
    const shown = await svc.call(handler, 'GET', `/api/reviews/${id}`);
    expect(shown.body.party).toEqual({ kind: 'person', name: PERSON.name, idNumber: PERSON.idNumber });
    // The supervisor sees the identity number masked.
    const supervisor = await svc.token('benxi.sfj', ['supervisor'], 'supervisor-priv');
    const supervised = await svc.call(supervisor, 'GET', `/api/reviews/${id}`);
    expect(supervised.status).toBe(200);
    expect(supervised.body.party).toEqual({ kind: 'person', name: PERSON.name, idNumber: '210502********332X' });
    const docId = await eventually(async () => (await svc.call(handler, 'GET', `/api/reviews/${id}`)).body.opinion?.document?.documentId, 'the opinion document');
    const doc = await svc.call(handler, 'GET', `/api/documents/${docId}`);
    expect(doc.status).toBe(200);
    expect(String(doc.body)).toContain(PERSON.name);
    await assertClean([caseNumber], [/^review-/, /^case-/]);
  });

  it('decision of a natural person → enforcement (served) and disclosure item; case file', async () => {
    const handler = await svc.token(UNIT, ['handler'], 'handler-priv2');
    const caseNumber = `本医保罚〔2026〕Q${tag}号`;
    expect([200, 201]).toContain((await svc.call(handler, 'POST', '/api/cases', { caseNumber, title: '违规使用医保基金案' })).status);
    const res = await svc.call(handler, 'POST', '/api/decisions', {
      caseNumber,
      decisionNumber: `F-P${tag}`,
      decidedAt: new Date(Date.now() - 3_600_000).toISOString(),
      classification: { decisionKind: 'penalty', procedure: 'simple', scope },
      party: PERSON,
      obligation: { kind: 'fine', amountFen: 300_000 },
    });
    expect(res.status).toBe(201);
    const served = await svc.call(handler, 'POST', `/api/decisions/${res.body.id}/service`, { method: 'direct', servedAt: new Date(Date.now() - 1_800_000).toISOString(), proof: { signedBy: PERSON.name } });
    expect(served.status).toBe(201);
    const enforcementId = served.body.enforcementId;
    await eventually(async () => {
      const e = await svc.call(handler, 'GET', `/api/enforcements/${enforcementId}`);
      return e.status === 200 && e.body.performanceDeadline;
    }, 'the enforcement', 20_000);
    await eventually(async () => (await svc.call(handler, 'GET', `/api/disclosures?caseNumber=${encodeURIComponent(caseNumber)}`)).body.items?.[0]?.deadline, 'the disclosure item', 20_000);
    await eventually(async () => (await workflowsOf(caseNumber)).length >= 3 || undefined, 'the workflows in visibility', 20_000);
    await assertClean([caseNumber], [/^case-/, /enforcement/, /disclosure/]);
  });
});
