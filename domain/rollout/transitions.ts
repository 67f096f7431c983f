// What a plan step allows: one TABLE, action → allowed statuses, rule id, the plan's article, guard.
// The workflow's Update validators and handlers both ask `check`; the API answers its refusals 409.
import type { PlanState, StepState, StepStatus } from './types';

export type PlanAction =
  | { kind: 'report'; step: string; unit: string; by: string; text: string; documents?: string[]; partDone: boolean }
  | { kind: 'complete'; step: string; unit: string; by: string }
  | { kind: 'signoff'; step: string; unit: string; by: string };

export interface Refusal {
  rule: string;
  basis: string;
  message: string;
}

interface Row {
  allowed: readonly StepStatus[];
  rule: string;
  basis: string;
  /** the unit's place in the step the action needs */
  as: 'lead' | 'responsible' | 'supervising';
  guard?: (step: StepState, action: PlanAction) => Refusal | undefined;
}

const BASIS = '本政发〔2019〕8号 四、实施步骤（牵头单位、责任单位、监督单位）';

export const PLAN_TRANSITIONS: Record<PlanAction['kind'], Row> = {
  report: { allowed: ['open', 'in_progress'], rule: 'rollout.report', basis: BASIS, as: 'responsible' },
  complete: {
    allowed: ['open', 'in_progress'],
    rule: 'rollout.complete',
    basis: BASIS,
    as: 'lead',
    guard: (step) => {
      const outstanding = step.responsible.filter((u) => !step.reports[u]?.partDone);
      return outstanding.length
        ? { rule: 'rollout.parts_outstanding', basis: BASIS, message: `步骤 ${step.id}「${step.title}」尚有责任单位未完成：${outstanding.join('、')}` }
        : undefined;
    },
  },
  signoff: { allowed: ['awaiting_signoff'], rule: 'rollout.signoff', basis: BASIS, as: 'supervising' },
};

const STATUS_TEXT: Record<StepStatus, string> = { blocked: '前置步骤未完成', open: '待办理', in_progress: '办理中', awaiting_signoff: '待监督单位确认', done: '已完成' };

/** Why the action is refused, or undefined when it may go ahead. */
export function check(state: PlanState, action: PlanAction): Refusal | undefined {
  const step = state.steps.find((s) => s.id === action.step);
  if (!step) return { rule: 'rollout.unknown_step', basis: BASIS, message: `计划中没有步骤 ${action.step}` };
  const row = PLAN_TRANSITIONS[action.kind];
  const member = row.as === 'lead' ? step.lead === action.unit : row.as === 'responsible' ? step.responsible.includes(action.unit) : step.supervising.includes(action.unit);
  if (!member) return { rule: `${row.rule}.not_${row.as}`, basis: row.basis, message: `${action.unit} 不是步骤 ${step.id} 的${{ lead: '牵头单位', responsible: '责任单位', supervising: '监督单位' }[row.as]}` };
  if (!row.allowed.includes(step.status)) {
    if (step.status === 'blocked') {
      const waiting = step.dependsOn.filter((d) => state.steps.find((s) => s.id === d)?.status !== 'done');
      return { rule: 'rollout.blocked', basis: row.basis, message: `步骤 ${step.id}「${step.title}」的前置步骤未完成：${waiting.join('、')}` };
    }
    return { rule: `${row.rule}.status`, basis: row.basis, message: `步骤 ${step.id}「${step.title}」${STATUS_TEXT[step.status]}，不能${{ report: '报告', complete: '办结', signoff: '确认' }[action.kind]}` };
  }
  return row.guard?.(step, action);
}
