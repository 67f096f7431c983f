/**
 * Real resources of one unit for the security tests (issue 14): a case with an audio-video record,
 * a legal review of a natural person with its 审核意见书, a decision with an obligation served
 * (→ enforcement and disclosure item, published), a correction request on it, a 双随机 draw, an
 * inbox notification and a reviewer profile; and a rollout plan of the 潞州 template (its units
 * are 潞州's only). Everything through the API, as a unit would do it.
 */
import type { DeclaredRoute } from '../../api/route';
import { eventually } from '../helpers/eventually';
import type { TestService } from '../helpers/service';
import { apiSubmissionBody, cleanChecklist } from '../review/helpers';

export const PERSON = { kind: 'person' as const, name: '慕容雪晴', idNumber: '21050219880707332X', phone: '13987654321', address: '本溪市平山区解放路77号' };
export const MASKED = { idNumber: '210502********332X', phone: '139****4321', address: '[地址已隐去]' };
export const CONTACT = '13912345678';

export interface UnitFixture {
  unit: string;
  /** the case of the decision (it has audio-video record #1) */
  caseNumber: string;
  /** the case of the legal review */
  reviewCaseNumber: string;
  reviewId: string;
  reviewerId: string;
  documentId: string;
  decisionId: string;
  enforcementId: string;
  disclosureId: string;
  correctionId: string;
  drawId: string;
  inboxId: string;
  /** a plan of luzhou.ybj (involves 潞州's units only) */
  planId: string;
}

const scope = { publicInterest: false, majorRights: false, hearing: false, complex: false, otherLaw: false, catalogue: false, optIn: false };

function expectStatus(res: { status: number; body: unknown }, ok: number[], what: string): void {
  if (!ok.includes(res.status)) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
}

export async function seedUnitFixture(svc: TestService, unit: string, tag: string): Promise<UnitFixture> {
  const handler = await svc.token(unit, ['handler'], `fx-handler-${tag}`);
  const head = await svc.token(unit, ['head'], `fx-head-${tag}`);
  const reviewerId = `fx-reviewer-${tag}`;
  const reviewer = await svc.token(unit, ['reviewer'], reviewerId);
  const publisher = await svc.token(unit, ['publisher'], `fx-publisher-${tag}`);

  // The legal review of a natural person, with its opinion (the 审核意见书 names the party).
  expectStatus(await svc.call(head, 'PUT', `/api/reviewers/${reviewerId}`, { name: '审核员甲', lawDegree: true, legalWorkYears: 4, enforcementYears: 1, legalProfessionQualification: true }), [200, 201], 'reviewer');
  const reviewCaseNumber = `本医保罚〔2026〕R${tag}号`;
  expectStatus(await svc.call(handler, 'POST', '/api/cases', { caseNumber: reviewCaseNumber, title: '违规使用医保基金案' }), [200, 201], 'review case');
  const review = await svc.call(handler, 'POST', '/api/reviews', apiSubmissionBody('d'.repeat(64), { caseNumber: reviewCaseNumber, party: PERSON, interestedPersons: [] }));
  expectStatus(review, [201], 'review');
  const reviewId = review.body.id as string;
  expectStatus(await svc.call(head, 'POST', `/api/reviews/${reviewId}/assignment`, { reviewerId }), [200], 'assignment');
  // The opinion once the review's clock runs (409 clock_not_started for a moment after the assignment).
  await eventually(async () => {
    const res = await svc.call(reviewer, 'POST', `/api/reviews/${reviewId}/opinion`, { kind: 'approve', checklist: cleanChecklist(), text: '' });
    if (res.status === 409 && res.body?.rule === 'clock_not_started') return undefined;
    expectStatus(res, [200], 'opinion');
    return true;
  }, 'the opinion', 20_000);
  const documentId = await eventually(async () => (await svc.call(handler, 'GET', `/api/reviews/${reviewId}`)).body.opinion?.document?.documentId as string | undefined, 'the opinion document', 20_000);

  // A decision with a fine on a natural person, served: enforcement and disclosure item.
  const caseNumber = `本医保罚〔2026〕D${tag}号`;
  expectStatus(await svc.call(handler, 'POST', '/api/cases', { caseNumber, title: '违规使用医保基金案' }), [200, 201], 'case');
  await eventually(async () => (await svc.call(handler, 'POST', `/api/cases/${encodeURIComponent(caseNumber)}/av-records`, { ref: `av-${tag}`, madeAt: new Date(Date.now() - 600_000).toISOString() })).status === 201 || undefined, 'the audio-video record', 20_000);
  const decision = await svc.call(handler, 'POST', '/api/decisions', {
    caseNumber,
    decisionNumber: `F-D${tag}`,
    decidedAt: new Date(Date.now() - 3_600_000).toISOString(),
    classification: { decisionKind: 'penalty', procedure: 'simple', scope },
    party: PERSON,
    obligation: { kind: 'fine', amountFen: 300_000 },
  });
  expectStatus(decision, [201], 'decision');
  const decisionId = decision.body.id as string;
  const served = await svc.call(handler, 'POST', `/api/decisions/${decisionId}/service`, { method: 'direct', servedAt: new Date(Date.now() - 1_800_000).toISOString(), proof: { signedBy: PERSON.name } });
  expectStatus(served, [201], 'service');
  const enforcementId = served.body.enforcementId as string;
  await eventually(async () => (await svc.call(handler, 'GET', `/api/enforcements/${enforcementId}`)).body?.performanceDeadline, 'the enforcement', 20_000);
  const disclosureId = await eventually(async () => {
    const items = (await svc.call(handler, 'GET', `/api/disclosures?caseNumber=${encodeURIComponent(caseNumber)}`)).body.items;
    return items?.[0]?.deadline ? (items[0].id as string) : undefined;
  }, 'the disclosure item', 20_000);
  // Published by a publisher who did not record the decision; then a citizen asks for a correction.
  await eventually(async () => (await svc.call(publisher, 'POST', `/api/disclosures/${disclosureId}/check`, { approve: true })).status === 200 || undefined, 'the publication', 20_000);
  const correction = await svc.call(undefined, 'POST', '/public/corrections', {
    disclosureId,
    request: `本人电话 ${CONTACT}，身份证号 ${PERSON.idNumber}，罚款金额有误`,
    evidence: [{ description: `缴款凭证（联系电话 ${CONTACT}）` }],
    contact: CONTACT,
  });
  expectStatus(correction, [201], 'correction');
  const correctionId = correction.body.id as string;

  // A 双随机 draw.
  const matter = `安全检查${tag}`;
  expectStatus(await svc.call(head, 'PUT', `/api/units/${unit}/inspection-matters/${encodeURIComponent(matter)}`, { basis: '医疗保障基金使用监督管理条例', subject: '本溪市医疗保障局', objectKind: '定点医药机构', content: '医保基金使用情况', ratio: 0.05, method: '现场检查', frequency: '每季度' }), [200, 201], 'matter');
  const entities = Array.from({ length: 4 }, (_, i) => ({ id: `91210500FX${tag}${i}`, name: `本溪市第${i + 1}大药房有限公司`, kind: '定点零售药店' }));
  expectStatus(await svc.call(head, 'PUT', `/api/units/${unit}/entities`, { entities }), [200, 201], 'entities');
  const inspectors = Array.from({ length: 3 }, (_, i) => ({ personId: `fx-insp-${tag}-${i}`, name: `检查员${i}`, certificateNo: `2105${tag}${i}` }));
  expectStatus(await svc.call(head, 'PUT', `/api/units/${unit}/inspectors`, { inspectors }), [200, 201], 'inspectors');
  const draw = await svc.call(head, 'POST', '/api/draws', { unit, matter, count: 1, inspectorsPerEntity: 2 });
  expectStatus(draw, [201], 'draw');

  // A notification in the unit's inbox.
  const reader = await svc.token(unit, ['handler', 'head', 'reviewer', 'publisher'], reviewerId);
  const inboxId = await eventually(async () => (await svc.call(reader, 'GET', '/api/inbox')).body?.[0]?.id as string | undefined, 'an inbox notification', 20_000);

  // A plan of 潞州 (started by its plan office).
  const office = await svc.token('luzhou.ybj', ['plan_office'], `fx-office-${tag}`);
  const plan = await svc.call(office, 'POST', '/api/plans', { template: 'luzhou-yibao-sanxiang', startsOn: '2026-03-02', title: `潞州实施方案 ${tag}` });
  expectStatus(plan, [201, 202], 'plan');

  return { unit, caseNumber, reviewCaseNumber, reviewId, reviewerId, documentId, decisionId, enforcementId, disclosureId, correctionId, drawId: draw.body.id, inboxId, planId: plan.body.id };
}

/** The resource ids an id-addressed path takes. */
export type Ids = Pick<UnitFixture, 'caseNumber' | 'documentId' | 'inboxId' | 'reviewId' | 'reviewerId' | 'decisionId' | 'enforcementId' | 'disclosureId' | 'correctionId' | 'drawId'> & { planId?: string };

/** An id-addressed route: a parameter that names a unit's resource (not a unit code, a calendar year, a published item). */
export const idAddressed = (r: DeclaredRoute): boolean => r.roles !== undefined && /:(?!code\b)\w+/.test(r.path) && !r.path.startsWith('/api/calendar/') && !r.path.startsWith('/api/units/');

/**
 * A route's path with the ids of `ids` (the resource the path names), for a caller asking about
 * `unit`'s resource; undefined for a route this table does not know or an id not given.
 */
export function fill(path: string, ids: Ids, unit: string): { path: string; id: string } | undefined {
  const table: Array<[RegExp, keyof Ids]> = [
    [/^\/api\/cases\/:caseNumber/, 'caseNumber'],
    [/^\/api\/documents\/:id/, 'documentId'],
    [/^\/api\/inbox\/:id/, 'inboxId'],
    [/^\/api\/reviews\/:id/, 'reviewId'],
    [/^\/api\/reviewers\/:personId/, 'reviewerId'],
    [/^\/api\/decisions\/:id/, 'decisionId'],
    [/^\/api\/enforcements\/:id/, 'enforcementId'],
    [/^\/api\/disclosures\/:id/, 'disclosureId'],
    [/^\/api\/corrections\/:id/, 'correctionId'],
    [/^\/api\/draws\/:id/, 'drawId'],
    [/^\/api\/plans\/:id/, 'planId'],
  ];
  const hit = table.find(([re]) => re.test(path));
  const id = hit ? ids[hit[1]] : undefined;
  if (!hit || !id) return undefined;
  const filled = path
    .replace(/:(caseNumber|id|personId)/, encodeURIComponent(id))
    .replace(':id', '1') // an audio-video record of the case
    .replace(':n', '1') // a statement of the enforcement
    .replace(':step', '1'); // a step of the plan
  // A case is the unit's: another unit (or its supervisor) names it with ?unit= (unit codes are public).
  return { path: hit[1] === 'caseNumber' ? `${filled}?unit=${unit}` : filled, id };
}
