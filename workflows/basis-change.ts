import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createStatisticsActivities } from '../activities/statistics';
import {
  BASIS_CHANGE_BASIS,
  BASIS_CHANGE_STATUTE,
  basisChangeCaseNumber,
  basisChangeFrom,
  basisChangeStateQuery,
  checkComplete,
  completeBasisChangeUpdate,
  completed,
  initialBasisChangeState,
  type BasisChangeInput,
  type BasisChangeState,
  type CompleteBasisChangeRequest,
} from './basis-change-messages';
import { escalationRecipients } from './case-file-effects';
import { DB_ACTIVITY } from './kit/activity-options';
import type { ClockHooks } from './kit/clock';
import { ProcessKit, type KitCarry } from './kit/process';
import { refuse } from './kit/refuse';

export * from './basis-change-messages';

const db = proxyActivities<Pick<ReturnType<typeof createStatisticsActivities>, 'projectBasisChange'>>(DB_ACTIVITY);

export interface BasisChangeCarry {
  state: BasisChangeState;
  kit: KitCarry;
}

/**
 * A law or the unit's functions changed (本政办发〔2019〕35号 第二十六条): the affected pre-disclosure
 * items are due within 20 working days (statute updatePreDisclosure) on the shared clock: yellow and
 * last-day reminders to the unit, one escalation to its supervisor when overdue; completed by the
 * unit's "mark completed" action (POST /api/units/:code/basis-changes/:id/completed). The change's
 * description stays in Postgres.
 */
export async function basisChangeWorkflow(input: BasisChangeInput, carried?: BasisChangeCarry): Promise<{ changeId: string; status: string }> {
  const { workflowId } = workflowInfo();
  const { unit, changeId } = input;
  const caseNumber = basisChangeCaseNumber(changeId);
  const kit = new ProcessKit({ unit, caseNumber, link: { workflowId, caseNumber, path: `/api/units/${unit}/basis-changes` }, carry: carried?.kit });
  let state: BasisChangeState = carried?.state ?? initialBasisChangeState(input);
  const canDue = () => kit.continueAsNewDue();
  const project = () => db.projectBasisChange({ workflowId, runId: workflowInfo().runId, state });
  const show = () => kit.showState(state.status, { step: state.status === 'open' ? '事前公开内容待更新' : '事前公开内容已更新', who: unit, deadline: state.clock?.lastDay });
  const set = async (next: BasisChangeState, entry?: { action: string; summary: string; actor: string; payload?: Record<string, unknown> }) => {
    state = { ...next, revision: Math.max(next.revision, state.revision + 1) };
    if (entry) await kit.record({ ...entry, payload: { changeId, effectiveOn: input.effectiveOn, ...entry.payload } });
    await project();
    show();
  };
  const validate = (r: CompleteBasisChangeRequest) => {
    const refusal = checkComplete(state, r);
    if (refusal) refuse(refusal.rule, refusal.basis, refusal.message);
  };

  setHandler(basisChangeStateQuery, () => state);
  setHandler(
    completeBasisChangeUpdate,
    (r) =>
      kit.exclusive(async () => {
        validate(r);
        const next = completed(state, r, new Date().toISOString());
        await set(next, { actor: r.by, action: 'basis_change.completed', summary: `事前公开内容已按 ${input.effectiveOn} 的依据变化完成更新${next.completedLate ? '（逾期）' : ''}（${BASIS_CHANGE_BASIS}）`, payload: { late: next.completedLate } });
        return state;
      }),
    { validator: validate },
  );

  if (!carried) await set(state, { actor: 'system', action: 'basis_change.recorded', summary: `法律法规或职能调整（${input.effectiveOn} 生效）：事前公开内容须于 20 个工作日内更新（${BASIS_CHANGE_BASIS}）` });
  else await project();
  kit.initialised();
  show();

  const view = (s: { deadline: string; lastDay: string }, level: 'none' | 'yellow' | 'red') => ({ deadline: s.deadline, lastDay: s.lastDay, level });
  const hooks: ClockHooks = kit.hooked({
    onYellow: async (s, tag) => {
      kit.notify({ unit, kind: 'reminder', subject: `事前公开内容更新期限将至（${s.lastDay}）`, body: `因 ${input.effectiveOn} 生效的法律法规或职能调整，本单位事前公开内容须于 ${s.lastDay} 前更新（${BASIS_CHANGE_BASIS}）。` }, `basis:${tag}`);
      await set({ ...state, clock: view(s, 'yellow') });
    },
    onLastDay: async (s, tag) => {
      kit.notify({ unit, kind: 'reminder', subject: '今日为事前公开内容更新期限最后一日', body: `因 ${input.effectiveOn} 生效的变化，事前公开内容的更新期限为今日（${s.lastDay}）。` }, `basis:${tag}`);
      await set({ ...state, clock: view(s, 'yellow') });
    },
    onOverdue: async (s, tag) => {
      await set(
        { ...state, clock: view(s, 'red'), overdue: true, escalations: state.escalations + 1 },
        { actor: 'system', action: 'basis_change.overdue', summary: `事前公开内容更新期限 ${s.lastDay} 已过，仍未更新`, payload: { lastDay: s.lastDay } },
      );
      for (const to of (await escalationRecipients(unit)).filter((u) => u !== unit)) {
        kit.notify({ unit: to, kind: 'escalation', subject: `事前公开内容逾期未更新：${unit}`, body: `单位 ${unit} 因 ${input.effectiveOn} 生效的法律法规或职能调整，应于 ${s.lastDay} 前更新事前公开内容，期限已过仍未更新（${BASIS_CHANGE_BASIS}）。` }, `basis:${tag}:${to}`);
      }
    },
  });

  while (state.status === 'open') {
    if (canDue()) return kit.continueAsNew<typeof basisChangeWorkflow>(() => [input, { state, kit: kit.carry() }]);
    if (!kit.clock) {
      const clock = kit.startClock({ from: basisChangeFrom(input.effectiveOn), steps: [{ statute: BASIS_CHANGE_STATUTE }] }, hooks, kit.carriedClock);
      const s = await clock.start();
      await kit.persist('clock', () => set({ ...state, clock: view(s, clock.level) }));
    }
    await kit.clock!.waitUntil(() => state.status !== 'open', canDue, () => kit.msUntilRetirement());
  }
  if (kit.clock) kit.stopClock();
  show();
  await kit.settled();
  return { changeId, status: state.status };
}
