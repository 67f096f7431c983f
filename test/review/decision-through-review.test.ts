// Issue 10 on the time-skipping server: the decision recorded through the review itself (after the
// opinion and both 意见书 copies, validated by the review), the wait for it bounded by continue-as-new,
// and the reviewer's request for materials restarting the 7-working-day clock from the new receipt.
import { shanghaiDateOf } from '../../domain/dates';
import { officialCalendar } from '../../domain/official-calendar';
import { computeDeadline } from '../../domain/periods';
import { MAX_HISTORY_EVENTS } from '../../workflows/kit/process';
import { addMaterialsUpdate, giveOpinionUpdate, recordDecisionUpdate, requestMaterialsUpdate, reviewStateQuery } from '../../workflows/legal-review';
import { caseRecordActions, cleanChecklist, eventually, HANDLER, notificationsFor, refusal, useReviewTestEnv, type ReviewTestEnv } from './helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const HEAD = 'head-dtr';
const REVIEWER = 'reviewer-dtr';
const DRAFT = 'c'.repeat(64);
const calendar = officialCalendar();

describe('legal review: the decision through the review, and the materials request (time-skipping)', () => {
  const bed = useReviewTestEnv(REVIEWER);
  let t: ReviewTestEnv;
  beforeAll(() => void (t = bed()));

  it('after passing, the review waits for its decision (continuing as new, history bounded); the decision is validated and recorded after the opinion and both copies', async () => {
    const { input, handle } = await t.startInReview(REVIEWER, HEAD, {
      materials: [
        { kind: 'statement', ref: 'doc://s' },
        { kind: 'draft_decision', ref: 'doc://d', sha256: DRAFT },
      ],
    });
    const passed = await handle.executeUpdate(giveOpinionUpdate, { args: [{ by: REVIEWER, kind: 'approve', checklist: cleanChecklist(), text: '同意。' }] });
    expect(passed).toMatchObject({ status: 'passed', decision: null });
    const opinionAt = Date.parse(passed.opinion!.at);

    // No decision for 400 days: the workflow stays open, continues as new at its run age, and its history stays small.
    await t.env.sleep(400 * DAY);
    const described = await handle.describe();
    expect(described.status.name).toBe('RUNNING');
    expect(described.runId).not.toBe(handle.firstExecutionRunId);
    expect(described.historyLength).toBeLessThan(MAX_HISTORY_EVENTS);
    expect(described.historyLength).toBeLessThan(60);
    expect(await handle.query(reviewStateQuery)).toMatchObject({ status: 'passed', decision: null });

    const now = await t.now();
    const decide = (over: Record<string, unknown>) =>
      refusal(handle.executeUpdate(recordDecisionUpdate, { args: [{ by: HANDLER, decisionNumber: '本医保罚决〔2027〕1号', decidedAt: now, draftSha256: DRAFT, ...over }] }));
    expect((await decide({ decidedAt: new Date(opinionAt - 60_000).toISOString() })).rule).toBe('decided_before_review');
    expect((await decide({ decidedAt: new Date(Date.parse(now) + DAY).toISOString() })).rule).toBe('decided_in_future');
    expect((await decide({ draftSha256: 'f'.repeat(64) })).rule).toBe('draft_not_reviewed');
    expect((await decide({ draftSha256: undefined })).rule).toBe('draft_hash_required');

    const decided = await handle.executeUpdate(recordDecisionUpdate, { args: [{ by: HANDLER, decisionNumber: '本医保罚决〔2027〕1号', decidedAt: now, draftSha256: DRAFT }] });
    expect(decided.decision).toMatchObject({ decisionNumber: '本医保罚决〔2027〕1号', basis: 'review_passed', draftSha256: DRAFT, by: HANDLER });
    expect((await t.finished(handle)).decision).toMatchObject({ decisionNumber: '本医保罚决〔2027〕1号' });

    const actions = await caseRecordActions(t.pool, input.caseNumber);
    const at = (a: string) => actions.indexOf(a);
    expect(at('decision.made')).toBe(actions.length - 1);
    expect(at('decision.made')).toBeGreaterThan(at('review.opinion.returned_to_handler'));
    expect(at('review.opinion.returned_to_handler')).toBeGreaterThan(at('review.opinion.archived'));
    expect(at('review.opinion.archived')).toBeGreaterThan(at('review.opinion'));
    const { rows } = await t.pool.query(`SELECT stage, payload FROM case_record WHERE case_number = $1 AND action = 'decision.made'`, [input.caseNumber]);
    expect(rows).toEqual([{ stage: 'decision', payload: expect.objectContaining({ decisionNumber: '本医保罚决〔2027〕1号', draftSha256: DRAFT, basis: 'review_passed', workflowId: handle.workflowId }) }]);
  });

  it("the reviewer's request for materials restarts the 7-working-day clock from the new complete receipt", async () => {
    const { input, handle } = await t.startInReview(REVIEWER, HEAD);
    await t.env.sleep(2 * DAY);
    const first = computeDeadline(calendar, shanghaiDateOf(input.receivedAt), '7wd');
    expect(await handle.query(reviewStateQuery)).toMatchObject({ deadline: first.deadline });

    const asked = await handle.executeUpdate(requestMaterialsUpdate, { args: [{ by: REVIEWER, items: [{ kind: 'statement', what: '情况说明未写明裁量基准' }] }] });
    expect(asked).toMatchObject({ status: 'awaiting_materials', round: 2, missingMaterials: ['statement'], deadline: null });

    // The handler takes two weeks: the first round's deadline passes, but no clock runs while materials are awaited.
    await t.env.sleep(14 * DAY);
    let state = await handle.query(reviewStateQuery);
    expect(state).toMatchObject({ status: 'awaiting_materials', overdue: false, warningLevel: 'none', escalations: 0 });
    expect((await notificationsFor(t.pool, handle.workflowId)).filter((n) => n.kind === 'escalation')).toHaveLength(0);

    const receivedAgain = await t.now();
    const complete = await handle.executeUpdate(addMaterialsUpdate, { args: [{ by: HANDLER, materials: [{ kind: 'statement', ref: 'doc://statement-2' }] }] });
    const second = computeDeadline(calendar, shanghaiDateOf(receivedAgain), '7wd');
    state = await eventually(async () => {
      const s = await handle.query(reviewStateQuery);
      return s.deadline ? s : undefined;
    }, 'the new clock');
    expect(complete.status).toBe('in_review');
    expect(state).toMatchObject({ status: 'in_review', round: 2, deadline: second.deadline, overdue: false });
    expect(Date.parse(state.rounds[1]!.receivedAt!)).toBeGreaterThanOrEqual(Date.parse(receivedAgain));
    expect(Date.parse(second.deadline)).toBeGreaterThan(Date.parse(first.deadline) + 14 * DAY);

    // Just before the new deadline: not overdue; just after it: red, escalated once.
    await t.env.sleep(Date.parse(second.deadline) - (await t.env.currentTimeMs()) - HOUR);
    expect(await handle.query(reviewStateQuery)).toMatchObject({ overdue: false });
    await t.env.sleep(2 * HOUR);
    state = await eventually(async () => {
      const s = await handle.query(reviewStateQuery);
      return s.overdue ? s : undefined;
    }, 'overdue against the new deadline');
    expect(state).toMatchObject({ warningLevel: 'red', escalations: 1, round: 2 });
    expect(state.rounds[0]!.escalations).toBe(0);

    await handle.executeUpdate(giveOpinionUpdate, { args: [{ by: REVIEWER, kind: 'approve', checklist: cleanChecklist(), text: '同意。' }] });
    expect((await t.decided(handle)).status).toBe('passed');
  });
});
