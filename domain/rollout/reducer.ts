// The plan's pure reducer: (state, action or event, now) → {state, effects, entries}. No I/O.
import type { RecordFact } from '../case-record';
import { check, type PlanAction } from './transitions';
import type { PlanInput, PlanState, StepClockReport, StepState, StepStatus } from './types';

export type PlanEffect = { kind: 'stepStatus'; step: string; status: StepStatus };
export type PlanEvent = { kind: 'clock'; report: StepClockReport };

export interface PlanOutcome {
  state: PlanState;
  effects: PlanEffect[];
  entries: Omit<RecordFact, 'occurredAt'>[];
  unchanged?: boolean;
}

export function initialPlanState(input: PlanInput): PlanState {
  const steps: StepState[] = input.steps.map((s) => ({ ...s, status: 'blocked', reports: {}, level: 'none', overdue: false, escalated: false }));
  const state: PlanState = { planId: input.planId, template: input.template, title: input.title, startsOn: input.startsOn, office: input.office, government: input.government, source: input.source, steps, status: 'running', revision: 0 };
  return openReady(state, input.createdAt).state;
}

const clone = (s: PlanState): PlanState => JSON.parse(JSON.stringify(s));

/** Every blocked step whose dependencies are all done opens. */
function openReady(state: PlanState, now: string): { state: PlanState; effects: PlanEffect[]; opened: StepState[] } {
  const effects: PlanEffect[] = [];
  const opened: StepState[] = [];
  for (const step of state.steps) {
    if (step.status !== 'blocked') continue;
    if (step.dependsOn.every((d) => state.steps.find((s) => s.id === d)?.status === 'done')) {
      step.status = 'open';
      step.openedAt = now;
      effects.push({ kind: 'stepStatus', step: step.id, status: 'open' });
      opened.push(step);
    }
  }
  return { state, effects, opened };
}

function finish(state: PlanState, step: StepState, now: string, effects: PlanEffect[], entries: PlanOutcome["entries"]): void {
  step.status = 'done';
  step.doneAt = now;
  effects.push({ kind: 'stepStatus', step: step.id, status: 'done' });
  const { opened, effects: more } = openReady(state, now);
  effects.push(...more);
  for (const o of opened) entries.push({ stage: 'other', actor: 'system', action: 'rollout.step-opened', summary: `步骤 ${o.id}「${o.title}」前置步骤均已完成，开始办理（牵头：${o.lead}）`, payload: { step: o.id } });
  if (state.steps.every((s) => s.status === 'done')) {
    state.status = 'done';
    state.doneAt = now;
    entries.push({ stage: 'other', actor: 'system', action: 'rollout.done', summary: `计划「${state.title}」全部步骤完成`, payload: {} });
  }
}

/** Applies an action the caller may take (check first: the reducer assumes it is allowed). */
export function reduce(current: PlanState, action: PlanAction, now: string): PlanOutcome {
  const refusal = check(current, action);
  if (refusal) throw new RangeError(`${refusal.rule}: ${refusal.message}`);
  const state = clone(current);
  const step = state.steps.find((s) => s.id === action.step)!;
  const effects: PlanEffect[] = [];
  const entries: PlanOutcome["entries"] = [];
  if (action.kind === 'report') {
    step.reports[action.unit] = { unit: action.unit, by: action.by, text: action.text, documents: action.documents ?? [], partDone: action.partDone, at: now };
    if (step.status === 'open') {
      step.status = 'in_progress';
      effects.push({ kind: 'stepStatus', step: step.id, status: 'in_progress' });
    }
    entries.push({ stage: 'other', actor: action.by, action: 'rollout.report', summary: `${action.unit} 报告步骤 ${step.id}「${step.title}」进展${action.partDone ? '（本单位部分已完成）' : ''}`, payload: { step: step.id, unit: action.unit, text: action.text, documents: action.documents ?? [], partDone: action.partDone } });
  } else if (action.kind === 'complete') {
    step.completedAt = now;
    step.completedBy = action.by;
    entries.push({ stage: 'other', actor: action.by, action: 'rollout.complete', summary: `牵头单位 ${action.unit} 办结步骤 ${step.id}「${step.title}」${step.supervising.length ? `，待监督单位 ${step.supervising.join('、')} 确认` : ''}`, payload: { step: step.id } });
    if (step.supervising.length) {
      step.status = 'awaiting_signoff';
      effects.push({ kind: 'stepStatus', step: step.id, status: 'awaiting_signoff' });
    } else finish(state, step, now, effects, entries);
  } else {
    step.signedOffAt = now;
    step.signedOffBy = action.by;
    entries.push({ stage: 'other', actor: action.by, action: 'rollout.signoff', summary: `监督单位 ${action.unit} 确认步骤 ${step.id}「${step.title}」`, payload: { step: step.id } });
    finish(state, step, now, effects, entries);
  }
  state.revision += 1;
  return { state, effects, entries };
}

/** A step's clock reported (yellow, overdue, escalated): the plan shows it. */
export function applyEvent(current: PlanState, event: PlanEvent): PlanOutcome {
  const step = current.steps.find((s) => s.id === event.report.step);
  if (!step) return { state: current, effects: [], entries: [], unchanged: true };
  const overdue = event.report.level === 'red' && step.status !== 'done';
  if (step.level === event.report.level && step.escalated === (step.escalated || event.report.escalated) && step.overdue === overdue) return { state: current, effects: [], entries: [], unchanged: true };
  const state = clone(current);
  const s = state.steps.find((x) => x.id === step.id)!;
  s.level = event.report.level;
  s.overdue = overdue;
  const entries: PlanOutcome['entries'] = [];
  if (event.report.escalated && !s.escalated)
    entries.push({ stage: 'other', actor: 'system', action: 'rollout.step-overdue', summary: `步骤 ${s.id}「${s.title}」已超过完成期限 ${s.due}，已报计划办公室 ${state.office} 和 ${state.government}`, payload: { step: s.id, due: s.due } });
  s.escalated ||= event.report.escalated;
  state.revision += 1;
  return { state, effects: [], entries };
}
