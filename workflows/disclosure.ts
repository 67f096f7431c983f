import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createCalendarActivities } from '../activities/calendar';
import type { createDisclosureActivities } from '../activities/disclosure';
import { apply, awaitingPublication, initialState, isFinal, reduce, type DisclosureEvent, type Facts, type Step } from '../domain/disclosure/reducer';
import { takedownStatute } from '../domain/disclosure/rules';
import { check, STATUS_NAMES, type DisclosureAction, type DisclosureActionKind } from '../domain/disclosure/transitions';
import type { ClockView, CorrectionDecisionRequest, CorrectionInput, CorrectionState, DisclosureInput, DisclosureState } from '../domain/disclosure/types';
import { escalationRecipients } from './case-file-effects';
import { correctionDecisionUpdate, correctionStateQuery, disclosureStateQuery, disclosureUpdates } from './disclosure-messages';
import { DB_ACTIVITY } from './kit/activity-options';
import type { ClockHooks } from './kit/clock';
import { ProcessKit, type KitCarry } from './kit/process';
import { refuse } from './kit/refuse';

export * from './disclosure-messages';

const db = proxyActivities<ReturnType<typeof createDisclosureActivities> & Pick<ReturnType<typeof createCalendarActivities>, 'computeLegalDeadline'>>(DB_ACTIVITY);

const DISCLOSURE = '本政办发〔2019〕35号';

export interface DisclosureCarry {
  state: DisclosureState;
  kit: KitCarry;
}

const stamp = () => {
  const info = workflowInfo();
  return { workflowId: info.workflowId, runId: info.runId, runStartedAt: info.runStartTime.toISOString(), asOf: new Date().toISOString() };
};

/**
 * 公示 (domain spec §4; 本政办发〔2019〕35号): one workflow per item. Nothing is published unchecked
 * (第三十一条): the item waits for a publisher's check, with the jurisdiction's period on the legal
 * clock (yellow, last day, one escalation: 应当公示而未公示, 第三十五条); once published, it waits for
 * its automatic takedown (第二十九条: 2 years for a natural person, 5 otherwise, not extended) or a
 * takedown with an explanation. The workflow carries ids and public facts only; the public view is
 * built from Postgres by the projection activity.
 */
export async function disclosureWorkflow(input: DisclosureInput, carried?: DisclosureCarry): Promise<{ disclosureId: string; status: string }> {
  const { workflowId } = workflowInfo();
  const { unit, caseNumber } = input;
  const kit = new ProcessKit({ unit, caseNumber, link: { workflowId, caseNumber }, carry: carried?.kit });
  let state: DisclosureState = carried?.state ?? initialState(input);
  const now = () => new Date().toISOString();
  const canDue = () => kit.continueAsNewDue();

  const project = () => db.projectDisclosure({ ...stamp(), view: state });
  const show = () =>
    kit.showState(state.status, {
      step: STATUS_NAMES[state.status],
      who: state.status === 'pending_check' ? `${unit} 公示审核人` : unit,
      deadline: state.clock?.lastDay ?? (state.status === 'published' ? state.takedownAt?.slice(0, 10) : undefined),
      note: `公示 ${caseNumber} #${state.n}`,
    });
  const commit = async (step: Step) => {
    if (step.state === state && step.entries.length === 0) return;
    state = step.state;
    for (const entry of step.entries) await kit.record(entry);
    await project();
    show();
  };
  const event = (e: DisclosureEvent) => commit(apply(state, e, now()));

  const factsFor = async (a: DisclosureAction): Promise<Facts> => {
    if (a.kind === 'check' && a.approve) {
      const s = await db.computeLegalDeadline({ from: now(), steps: [{ statute: takedownStatute(state.partyKind) }] });
      return { takedown: { at: s.deadline, basis: s.basis } };
    }
    return {};
  };
  const act = async (a: DisclosureAction): Promise<DisclosureState> => {
    const refusal = check(state, a);
    if (refusal) refuse(refusal.rule, refusal.basis, refusal.message);
    await commit(reduce(state, a, now(), await factsFor(a)));
    // A changed decision's item is published: the earlier items leave the portal (superseded).
    if (a.kind === 'check' && a.approve && state.n > 1) await db.supersedeEarlierDisclosures({ unit, caseNumber, n: state.n, by: a.by, updateIdPrefix: `${workflowId}:supersede` });
    return state;
  };
  const validate = (a: DisclosureAction) => {
    const refusal = check(state, a);
    if (refusal) refuse(refusal.rule, refusal.basis, refusal.message);
  };

  setHandler(disclosureStateQuery, () => state);
  for (const kind of Object.keys(disclosureUpdates) as DisclosureActionKind[]) {
    setHandler(disclosureUpdates[kind] as never, ((r: object) => kit.exclusive(() => act({ kind, ...r } as DisclosureAction))) as never, {
      validator: ((r: object) => validate({ kind, ...r } as DisclosureAction)) as never,
    });
  }

  const continueAsNew = () => kit.continueAsNew<typeof disclosureWorkflow>(() => [input, { state, kit: kit.carry() }]);

  if (!carried) await event({ kind: 'started' });
  else await project();
  kit.initialised();
  show();

  const view = (s: { deadline: string; lastDay: string; basis: string }, level: ClockView['level']): ClockView => ({ deadline: s.deadline, lastDay: s.lastDay, basis: s.basis, level });
  const what = `公示 ${caseNumber} 第 ${state.n} 条${state.decisionNumber ? `（决定 ${state.decisionNumber}）` : ''}`;
  const hooks: ClockHooks = kit.hooked({
    onYellow: async (s, tag) => {
      kit.notify({ unit, kind: 'reminder', subject: `公开期限将至：${caseNumber}（${s.lastDay}）`, body: `${what}须于 ${s.lastDay} 前经审核公开（${state.rule.basis}）。` }, `publish:${tag}`);
      await event({ kind: 'clock', clock: view(s, 'yellow') });
    },
    onLastDay: async (s, tag) => {
      kit.notify({ unit, kind: 'reminder', subject: `今日为公开期限最后一日：${caseNumber}`, body: `${what}的公开期限为今日（${s.lastDay}）。` }, `publish:${tag}`);
      await event({ kind: 'clock', clock: view(s, 'yellow') });
    },
    onOverdue: async (s, tag) => {
      await event({ kind: 'clock', clock: view(s, 'red') });
      await event({ kind: 'overdue', lastDay: s.lastDay });
      const body = `单位 ${unit} ${what}：公开期限 ${s.lastDay} 已过，仍为「${STATUS_NAMES[state.status]}」，属应当公示而未公示（${DISCLOSURE} 第三十五条）。`;
      for (const to of await escalationRecipients(unit)) kit.notify({ unit: to, kind: 'escalation', subject: `应当公示而未公示：${unit} ${caseNumber}`, body }, `publish:${tag}:${to}`);
    },
  });

  // 1. Until published (or withdrawn): the jurisdiction's period on the legal clock.
  while (awaitingPublication(state)) {
    if (canDue()) return continueAsNew();
    if (!kit.clock) {
      const clock = kit.startClock({ from: state.from, steps: [{ statute: state.rule.statute }] }, hooks, kit.carriedClock);
      const s = await clock.start();
      await kit.persist('clock', () => event({ kind: 'clock', clock: view(s, clock.level) }));
    }
    await kit.clock!.waitUntil(() => !awaitingPublication(state), canDue, () => kit.msUntilRetirement());
  }
  if (kit.clock) kit.stopClock();
  show();

  // 2. Published: the automatic takedown at the end of the retention period (第二十九条).
  while (state.status === 'published') {
    if (canDue()) return continueAsNew();
    const until = Date.parse(state.takedownAt!) + 1000 - Date.now();
    if (until <= 0) {
      await kit.persist('takedown', () => event({ kind: 'expired' }));
      break;
    }
    await condition(() => state.status !== 'published' || canDue(), Math.max(1, Math.min(until, kit.msUntilRetirement())));
  }
  show();
  await kit.settled();
  return { disclosureId: state.disclosureId, status: isFinal(state) ? state.status : state.status };
}

export interface CorrectionCarry {
  state: CorrectionState;
  kit: KitCarry;
}

/**
 * A request to correct a published item (第三十二条): the unit verifies and decides within our
 * period (statute `disclosureCorrection`, 20 working days) with reminders and one escalation; a
 * correction is applied to the item through its own workflow. The applicant's request, evidence and
 * contact stay in Postgres.
 */
export async function disclosureCorrectionWorkflow(input: CorrectionInput, carried?: CorrectionCarry): Promise<{ correctionId: string; status: string }> {
  const { workflowId } = workflowInfo();
  const { unit, caseNumber } = input;
  const kit = new ProcessKit({ unit, caseNumber, link: { workflowId, caseNumber }, carry: carried?.kit });
  let state: CorrectionState = carried?.state ?? { ...input, status: 'pending', overdue: false, revision: 0 };
  const canDue = () => kit.continueAsNewDue();
  const project = () => db.projectCorrection({ ...stamp(), view: state });
  const show = () => kit.showState(state.status, { step: state.status === 'pending' ? '更正申请待核实' : state.status === 'corrected' ? '已更正' : '不予更正', who: unit, deadline: state.clock?.lastDay });
  const set = async (next: CorrectionState, entry?: { action: string; summary: string; actor: string; payload?: Record<string, unknown> }) => {
    state = { ...next, revision: state.revision + 1 };
    if (entry) await kit.record({ ...entry, payload: { correctionId: state.correctionId, disclosureId: state.disclosureId, ...entry.payload } });
    await project();
    show();
  };
  const validate = (r: CorrectionDecisionRequest) => {
    if (state.status !== 'pending') refuse('disclosure.correction.already_decided', `${DISCLOSURE} 第三十二条`, `更正申请已处理（${state.status}）`);
    if (!r.reason.trim()) refuse('disclosure.correction.reason_required', `${DISCLOSURE} 第三十二条`, '须说明更正或不予更正的理由');
    if (r.outcome === 'corrected' && !r.corrections?.content && !r.corrections?.result) refuse('disclosure.correction.nothing_corrected', `${DISCLOSURE} 第三十二条`, '更正的，须给出更正后的内容或结果');
  };
  setHandler(correctionStateQuery, () => state);
  setHandler(
    correctionDecisionUpdate,
    (r) =>
      kit.exclusive(async () => {
        validate(r);
        if (r.outcome === 'corrected') await db.applyDisclosureCorrection({ disclosureId: state.disclosureId, correctionId: state.correctionId, by: r.by, corrections: r.corrections!, updateId: `${workflowId}:apply` });
        const at = new Date().toISOString();
        await set(
          { ...state, status: r.outcome, decidedBy: r.by, decidedAt: at, reason: r.reason, clock: undefined, overdue: false },
          { actor: r.by, action: `disclosure.correction.${r.outcome}`, summary: `公示信息更正申请${r.outcome === 'corrected' ? '已核实并更正' : '经核实不予更正'}：${r.reason}` },
        );
        return state;
      }),
    { validator: validate },
  );

  if (!carried) await set(state, { actor: 'system', action: 'disclosure.correction.received', summary: `收到公示信息更正申请（第三十二条），核实期限：${'20 个工作日'}` });
  else await project();
  kit.initialised();
  show();

  const view = (s: { deadline: string; lastDay: string; basis: string }, level: ClockView['level']): ClockView => ({ deadline: s.deadline, lastDay: s.lastDay, basis: s.basis, level });
  const hooks: ClockHooks = kit.hooked({
    onYellow: async (s, tag) => {
      kit.notify({ unit, kind: 'reminder', subject: `更正申请答复期限将至：${caseNumber}（${s.lastDay}）`, body: `公示信息更正申请须于 ${s.lastDay} 前核实并答复（${s.basis}）。` }, `correction:${tag}`);
      await set({ ...state, clock: view(s, 'yellow') });
    },
    onLastDay: async (s, tag) => {
      kit.notify({ unit, kind: 'reminder', subject: `今日为更正申请答复期限最后一日：${caseNumber}`, body: `公示信息更正申请的答复期限为今日（${s.lastDay}）。` }, `correction:${tag}`);
      await set({ ...state, clock: view(s, 'yellow') });
    },
    onOverdue: async (s, tag) => {
      await set({ ...state, clock: view(s, 'red'), overdue: true }, { actor: 'system', action: 'disclosure.correction.overdue', summary: `更正申请答复期限 ${s.lastDay} 已过，仍未处理` });
      for (const to of await escalationRecipients(unit)) kit.notify({ unit: to, kind: 'escalation', subject: `更正申请逾期未答复：${unit} ${caseNumber}`, body: `单位 ${unit} 案件 ${caseNumber} 的公示信息更正申请答复期限 ${s.lastDay} 已过（${DISCLOSURE} 第三十二条、第三十四条）。` }, `correction:${tag}:${to}`);
    },
  });

  while (state.status === 'pending') {
    if (canDue()) return kit.continueAsNew<typeof disclosureCorrectionWorkflow>(() => [input, { state, kit: kit.carry() }]);
    if (!kit.clock) {
      const clock = kit.startClock({ from: input.receivedAt, steps: [{ statute: 'disclosureCorrection' }] }, hooks, kit.carriedClock);
      const s = await clock.start();
      await kit.persist('clock', () => set({ ...state, clock: view(s, clock.level) }));
    }
    await kit.clock!.waitUntil(() => state.status !== 'pending', canDue, () => kit.msUntilRetirement());
  }
  if (kit.clock) kit.stopClock();
  show();
  await kit.settled();
  return { correctionId: state.correctionId, status: state.status };
}
