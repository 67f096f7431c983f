import { getExternalWorkflowHandle, log, setHandler } from '@temporalio/workflow';
import { daysBetween } from '../domain/dates';
import type { StepClockReport, StepStatus } from '../domain/rollout/types';
import { stepClockSignal, stepStatusSignal } from './rollout-messages';
import { ProcessKit, type KitCarry } from './kit/process';

export interface RolloutStepInput {
  planId: string;
  planWorkflowId: string;
  planTitle: string;
  office: string;
  government: string;
  startsOn: string;
  step: { id: string; title: string; lead: string; responsible: string[]; supervising: string[]; due: string; basis: string };
  status: StepStatus;
}

export interface RolloutStepCarry {
  status: StepStatus;
  escalated: boolean;
  kit: KitCarry;
}

const STATUS_TEXT: Record<StepStatus, string> = { blocked: '等待前置步骤', open: '待办理', in_progress: '办理中', awaiting_signoff: '待监督单位确认', done: '已完成' };

/**
 * The due date of one plan step (plan-<id>-step-<n>, ProcessKind `rollout-step`, Unit = the lead
 * unit): reminders to the lead and responsible units two working days before and on the last day,
 * one escalation to the plan office and the government when it passes. A child of the plan (ABANDON),
 * told its status by the plan (signal) and reporting its clock to the plan by signal, like the AV
 * record to its case file.
 */
export async function rolloutStepWorkflow(input: RolloutStepInput, carried?: RolloutStepCarry): Promise<{ status: StepStatus; escalated: boolean }> {
  const { step, planId } = input;
  const caseNumber = `plan-${planId}`;
  const kit = new ProcessKit({ unit: step.lead, caseNumber, link: { workflowId: input.planWorkflowId, caseNumber }, carry: carried?.kit });
  let status: StepStatus = carried?.status ?? input.status;
  let escalated = carried?.escalated ?? false;
  const label = `步骤 ${step.id}「${step.title}」`;
  const show = () => kit.showState(status, { step: `${label}${STATUS_TEXT[status]}`, who: `牵头 ${step.lead}；责任 ${step.responsible.join('、')}${step.supervising.length ? `；监督 ${step.supervising.join('、')}` : ''}`, deadline: step.due });
  setHandler(stepStatusSignal, (s) => {
    if (status === 'done') return;
    status = s.status;
    show();
  });
  const parent = getExternalWorkflowHandle(input.planWorkflowId);
  const report = async (level: StepClockReport['level']) => {
    try {
      await parent.signal(stepClockSignal, { step: step.id, level, escalated });
    } catch (err) {
      log.warn('plan not reachable', { planWorkflowId: input.planWorkflowId, error: (err as Error).message });
    }
  };
  const remind = (tag: string, subject: string) => {
    for (const unit of new Set([step.lead, ...step.responsible]))
      kit.notify({ unit, kind: 'reminder', subject, body: `计划「${input.planTitle}」${label}须于 ${step.due} 前完成（牵头单位 ${step.lead}，${step.basis}）。当前状态：${STATUS_TEXT[status]}。` }, `rollout.${tag}:${unit}`);
  };
  const clock = kit.startClock(
    { from: `${input.startsOn}T00:00:00+08:00`, steps: [{ period: `${Math.max(0, daysBetween(input.startsOn, step.due))}d`, extend: false }] },
    kit.hooked({
      onYellow: async (_s, tag) => {
        if (status === 'done') return;
        remind(`yellow:${tag}`, `计划步骤将到期：${label}（${step.due}）`);
        await report('yellow');
      },
      onLastDay: async (_s, tag) => {
        if (status === 'done') return;
        remind(`last-day:${tag}`, `今日为计划步骤最后期限：${label}`);
        await report('yellow');
      },
      // Once, when the due date passes: the plan office and the government (and the lead unit).
      onOverdue: async (_s, tag) => {
        if (status === 'done') return;
        escalated = true;
        const body = `计划「${input.planTitle}」${label}已超过完成期限 ${step.due}，当前状态：${STATUS_TEXT[status]}。牵头单位 ${step.lead}，责任单位 ${step.responsible.join('、')}（${step.basis}）。`;
        for (const unit of new Set([input.office, input.government, step.lead]))
          kit.notify({ unit, kind: 'escalation', subject: `计划步骤超期：${label}`, body }, `rollout.overdue:${tag}:${unit}`);
        await report('red');
      },
    }),
    carried?.kit.clock,
  );
  await clock.start();
  kit.initialised();
  show();
  await clock.waitUntil(
    () => status === 'done',
    () => kit.continueAsNewDue(),
    () => kit.msUntilRetirement(),
  );
  if (status !== 'done') return kit.continueAsNew<typeof rolloutStepWorkflow>(() => [input, { status, escalated, kit: kit.carry() }]);
  kit.stopClock();
  show();
  await kit.settled();
  return { status, escalated };
}
