import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createCalendarActivities } from '../activities/calendar';
import type { createEnforcementActivities, EnforcementDateRequest } from '../activities/enforcement';
import { shanghaiDateOf } from '../domain/dates';
import { accountOf } from '../domain/enforcement/money';
import { apply, initialState, isFinal, reduce, type EnforcementEvent, type Facts, type Step } from '../domain/enforcement/reducer';
import { check, currentAgreementStage, currentDueDay, servedDemand, stageName, type CheckContext, type EnforcementAction, type EnforcementActionKind } from '../domain/enforcement/transitions';
import type { ClockView, EnforcementInput, EnforcementState } from '../domain/enforcement/types';
import { escalationRecipients } from './case-file-effects';
import { enforcementStateQuery, enforcementUpdates } from './enforcement-messages';
import { DB_ACTIVITY } from './kit/activity-options';
import type { ClockHooks, DeadlineRequest } from './kit/clock';
import { ProcessKit, type KitCarry } from './kit/process';
import { refuse } from './kit/refuse';

export * from './enforcement-messages';

const db = proxyActivities<ReturnType<typeof createEnforcementActivities> & Pick<ReturnType<typeof createCalendarActivities>, 'computeLegalDeadline'>>(DB_ACTIVITY);

export interface EnforcementCarry {
  state: EnforcementState;
  kit: KitCarry;
  /** The deadline the carried clock counts down (see `clockSpec`). */
  clockKey?: string;
}

/** What the clock counts down in each stage; the key changes when the deadline does. */
interface ClockSpec {
  key: string;
  kind: ClockView['kind'];
  request: DeadlineRequest;
  what: string;
}

/** A clock ending on a given day (a deferral, an agreement stage, the latest court filing, a correction's due date). */
const onDay = (day: string): DeadlineRequest => ({ from: `${day}T00:00:00+08:00`, steps: [{ period: '0d', extend: false }] });

function clockSpec(s: EnforcementState): ClockSpec | undefined {
  switch (s.stage) {
    case 'awaiting_performance':
    case 'demand_issued': {
      if (!s.performanceLastDay) return undefined;
      if (s.obligation.kind === 'correction') {
        // 责令改正: the clock counts down to its due date (the handler is reminded to check); once the check is recorded it stops.
        if (s.correctionCheck) return undefined;
        return { key: `correction_check:${s.performanceLastDay}`, kind: 'correction_check', request: onDay(s.performanceLastDay), what: '责令改正期限（届时复查）' };
      }
      // Instalments: each one against its own due date (the earliest not yet paid).
      const due = currentDueDay(s) ?? s.performanceLastDay;
      const instalment = !!s.deferral?.instalments?.length;
      const request = s.deferral || s.obligation.kind !== 'fine' ? onDay(due) : { from: s.servedAt, steps: [{ statute: 'finePayment' }] };
      return { key: `performance:${due}`, kind: 'performance', request, what: instalment ? `分期缴纳期限（${due} 到期的一期）` : '履行期限' };
    }
    case 'demand_served': {
      if (s.enforcementPower === 'court' && s.court) return { key: `court:${s.court.latestFiling}`, kind: 'court_filing', request: onDay(s.court.latestFiling), what: '申请人民法院强制执行的最后期限' };
      const d = servedDemand(s);
      // After a broken agreement the 催告 period ran out long ago (and was escalated then): no clock, the unit decides.
      if (s.agreement?.broken) return undefined;
      return d ? { key: `demand:${d.n}`, kind: 'demand', request: { from: d.servedAt!, steps: [{ period: `${d.performWithinDays}wd` }] }, what: '催告期限' } : undefined;
    }
    case 'in_agreement': {
      // Each stage against its own due date: the first one payments since the agreement do not cover.
      const stage = currentAgreementStage(s);
      return stage ? { key: `agreement:${stage.n}:${stage.dueDate}`, kind: 'agreement', request: onDay(stage.dueDate), what: `执行协议第 ${stage.n} 期履行期限` } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * 催告 → 强制执行 (domain spec §3; 本政办发〔2019〕33号 第二十八至三十一条; 行政强制法; 行政处罚法): one
 * workflow per served decision with an obligation. The rules are `domain/enforcement/` (transitions.ts:
 * what is allowed and why not; reducer.ts: what it does); this shell serialises handlers, asks the
 * calendar and the document store through activities, records every step in the case record, keeps
 * the `enforcements` row current, runs the legal clock of the current stage and continues as new.
 */
export async function enforcementWorkflow(input: EnforcementInput, carried?: EnforcementCarry): Promise<{ enforcementId: string; stage: string; terminationGround?: string }> {
  const { workflowId } = workflowInfo();
  const { unit, caseNumber } = input;
  const kit = new ProcessKit({ unit, caseNumber, link: { workflowId, caseNumber }, carry: carried?.kit });
  let state: EnforcementState = carried?.state ?? initialState(input);
  let clockKey: string | undefined;
  const now = () => new Date().toISOString();
  const canDue = () => kit.continueAsNewDue();

  const project = async () => {
    const info = workflowInfo();
    await db.projectEnforcement({ workflowId: info.workflowId, runId: info.runId, runStartedAt: info.runStartTime.toISOString(), asOf: now(), view: state });
  };
  const show = () => {
    const clock = state.clock;
    kit.showState(state.stage, { step: stageName(state.stage), who: isFinal(state) ? unit : `${unit} 承办人`, deadline: clock?.lastDay, note: `决定 ${state.decisionNumber}` });
  };
  const commit = async (step: Step) => {
    if (step.state === state && step.entries.length === 0) return;
    state = step.state;
    for (const entry of step.entries) await kit.record(entry);
    await project();
    show();
  };
  const event = (e: EnforcementEvent) => commit(apply(state, e, now()));

  const dates = (req: EnforcementDateRequest) => db.enforcementDates(req);
  const storeDocument = async (kind: 'demand' | 'substitute_demand' | 'enforcement_decision', extra: { performWithinDays?: number; decision?: { method: string; executeAt: string; immediate?: boolean; emergency?: string } }) => {
    const asOf = shanghaiDateOf(now());
    const acc = accountOf(state, asOf);
    return db.storeEnforcementDocument({
      decisionId: input.decisionId,
      unit,
      caseNumber,
      idempotencyKey: kit.key(`document:${kind}`),
      facts: { kind, view: state, asOf, amountDueFen: acc.amountDueFen, surchargeFen: acc.surchargeFen, ...extra },
    });
  };

  /** Calendar facts a guard needs (asked in the handler only: validators have no activities). */
  const contextFor = async (a: EnforcementAction): Promise<CheckContext> => {
    const ctx: CheckContext = { nowMs: Date.now() };
    if (a.kind === 'enforcementDecision') ctx.executionTime = ((await dates({ kind: 'executionTime', executeAt: a.executeAt })) as { executionTime: 'night' | 'holiday' | 'ok' }).executionTime;
    if (a.kind === 'execution' && state.decision?.method === 'substitute_performance') {
      const d = servedDemand(state, 'substitute_performance');
      if (d) ctx.substituteMayStart = ((await dates({ kind: 'substituteMayStart', servedAt: d.servedAt! })) as { date: string }).date;
    }
    return ctx;
  };
  const factsFor = async (a: EnforcementAction): Promise<Facts> => {
    if (a.kind === 'demand') {
      const purpose = a.purpose ?? 'demand';
      return { document: await storeDocument(purpose === 'demand' ? 'demand' : 'substitute_demand', { performWithinDays: a.performWithinDays ?? (purpose === 'demand' ? 10 : 3) }) };
    }
    if (a.kind === 'enforcementDecision')
      return { document: await storeDocument('enforcement_decision', { decision: { method: a.method, executeAt: a.executeAt, immediate: !!a.immediate, ...(a.emergency ? { emergency: a.emergency.reason } : {}) } }) };
    if (a.kind === 'demandService' && !a.failed) {
      const d = state.demands.find((x) => !x.servedAt)!;
      const deadline = (await dates({ kind: 'demandDeadline', servedAt: a.servedAt, workingDays: d.performWithinDays })) as { lastDay: string; deadline: string };
      const court = d.purpose === 'demand' && state.enforcementPower === 'court' ? ((await dates({ kind: 'courtWindow', decisionServedAt: state.servedAt, demandServedAt: a.servedAt })) as { window: Facts['court'] }).window : undefined;
      return { demandDeadline: { lastDay: deadline.lastDay, deadline: deadline.deadline }, ...(court ? { court } : {}) };
    }
    return {};
  };

  const act = async (a: EnforcementAction): Promise<EnforcementState> => {
    const refusal = check(state, a, await contextFor(a));
    if (refusal) refuse(refusal.rule, refusal.basis, refusal.message);
    const facts = await factsFor(a);
    await commit(reduce(state, a, now(), facts));
    return state;
  };
  const validate = (a: EnforcementAction) => {
    const refusal = check(state, a, { nowMs: Date.now() });
    if (refusal) refuse(refusal.rule, refusal.basis, refusal.message);
  };

  setHandler(enforcementStateQuery, () => state);
  for (const kind of Object.keys(enforcementUpdates) as EnforcementActionKind[]) {
    setHandler(enforcementUpdates[kind] as never, ((r: object) => kit.exclusive(() => act({ kind, ...r } as EnforcementAction))) as never, {
      validator: ((r: object) => validate({ kind, ...r } as EnforcementAction)) as never,
    });
  }

  const continueAsNew = () => kit.continueAsNew<typeof enforcementWorkflow>(() => [input, { state, kit: kit.carry(), clockKey }]);

  if (!carried) {
    const due =
      input.obligation.kind === 'fine'
        ? ((await dates({ kind: 'fineDue', servedAt: input.servedAt })) as { lastDay: string; deadline: string; basis: string })
        : { lastDay: input.obligation.dueDate, deadline: `${input.obligation.dueDate}T23:59:59+08:00`, basis: '决定书确定的履行期限（本政办发〔2019〕33号 第二十八条）' };
    await event({ kind: 'performanceDeadline', lastDay: due.lastDay, deadline: due.deadline, basis: due.basis });
  } else await project();
  kit.initialised();
  show();

  const clockHooks = (spec: ClockSpec): ClockHooks => {
    const view = (s: { deadline: string; lastDay: string; basis: string }, level: ClockView['level']): ClockView => ({ kind: spec.kind, deadline: s.deadline, lastDay: s.lastDay, basis: s.basis, level });
    // Reminders to the handler (the person who recorded the service that started this enforcement);
    // the escalation to the unit's head (recipientRole head: the people holding it see it) and to the
    // supervising unit.
    const remind = (subject: string, body: string, label: string) => kit.notify({ unit, recipientPerson: input.startedBy, kind: 'reminder', subject, body }, label);
    const check = spec.kind === 'correction_check' ? '；届时请复查改正情况并登记（POST …/correction-check）' : '';
    return kit.hooked({
      onYellow: async (s, tag) => {
        remind(`${spec.what}将至：${caseNumber}（${s.lastDay}）`, `案件 ${caseNumber} 决定 ${state.decisionNumber} 的${spec.what}为 ${s.lastDay}${check}。`, `${spec.key}:${tag}`);
        await event({ kind: 'clock', clock: view(s, 'yellow') });
      },
      onLastDay: async (s, tag) => {
        remind(`今日为${spec.what}最后一日：${caseNumber}`, `案件 ${caseNumber} 决定 ${state.decisionNumber} 的${spec.what}为今日（${s.lastDay}）${check}。`, `${spec.key}:${tag}`);
        await event({ kind: 'clock', clock: view(s, 'yellow') });
      },
      onOverdue: async (s, tag) => {
        await event({ kind: 'clock', clock: view(s, 'red') });
        await event({ kind: 'overdue', what: `${spec.what}（${s.lastDay}）` });
        const body = `单位 ${unit} 案件 ${caseNumber} 决定 ${state.decisionNumber}：${spec.what}（${s.lastDay}）已过，当前阶段「${stageName(state.stage)}」。`;
        for (const to of await escalationRecipients(unit))
          kit.notify(
            { unit: to, ...(to === unit ? { recipientRole: 'head' } : {}), kind: 'escalation', subject: `${to === unit ? '【请负责人阅处】' : '【监督】'}${spec.what}已过：${unit} 案件 ${caseNumber}`, body: `${body}承办人：${input.startedBy}。` },
            `${spec.key}:${tag}:${to}`,
          );
      },
    });
  };

  while (!isFinal(state)) {
    if (canDue()) return continueAsNew();
    if (state.stage === 'suspended') {
      // 第三十九条: every clock stops; after 3 years with no resumption, enforcement ends.
      if (kit.clock) kit.stopClock();
      clockKey = undefined;
      const limit = await db.computeLegalDeadline({ from: state.suspension!.since, steps: [{ statute: 'enforcementSuspensionLimit' }] });
      const since = state.suspension!.since;
      await condition(() => state.stage !== 'suspended' || state.suspension?.since !== since || canDue(), Math.max(1, Math.min(Date.parse(limit.deadline) + 1000 - Date.now(), kit.msUntilRetirement())));
      if (state.stage === 'suspended' && state.suspension?.since === since && Date.now() > Date.parse(limit.deadline)) await kit.persist('suspension-expired', () => event({ kind: 'suspensionExpired' }));
      continue;
    }
    const spec = clockSpec(state);
    if (!spec) {
      if (kit.clock) kit.stopClock();
      clockKey = undefined;
      await condition(() => isFinal(state) || clockSpec(state) !== undefined || state.stage === 'suspended' || canDue(), kit.msUntilRetirement());
      continue;
    }
    if (spec.key !== clockKey || !kit.clock) {
      const restore = carried?.clockKey === spec.key && clockKey === undefined && !kit.clock ? kit.carriedClock : undefined;
      if (kit.clock) kit.stopClock();
      clockKey = spec.key;
      const clock = kit.startClock(spec.request, clockHooks(spec), restore);
      const s = await clock.start();
      await kit.persist('clock', () => event({ kind: 'clock', clock: { kind: spec.kind, deadline: s.deadline, lastDay: s.lastDay, basis: s.basis, level: clock.level } }));
    }
    const key = spec.key;
    await kit.clock!.waitUntil(() => isFinal(state) || clockSpec(state)?.key !== key || state.stage === 'suspended', canDue, () => kit.msUntilRetirement());
  }

  if (kit.clock) kit.stopClock();
  show();
  // The case file's enforcement stage ends (its 30-day archive clock starts), if the case has a case file.
  if (!state.caseFileTold) {
    await kit.persist('tell-case-file', async () => {
      await db.tellCaseFileEnforcementEnded({ unit, caseNumber, endedAt: state.endedAt!, by: 'system', updateId: `${workflowId}:enforcement-ended` });
      state = { ...state, caseFileTold: true, revision: state.revision + 1 };
      await project();
    });
  }
  await kit.settled();
  return { enforcementId: input.enforcementId, stage: state.stage, ...(state.termination ? { terminationGround: state.termination.ground } : {}) };
}
