import { condition, getExternalWorkflowHandle, log, ParentClosePolicy, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { createRolloutActivities } from '../activities/rollout';
import { applyEvent, initialPlanState, reduce, type PlanEvent, type PlanOutcome } from '../domain/rollout/reducer';
import { check, type PlanAction } from '../domain/rollout/transitions';
import { stepWorkflowId, type PlanInput, type PlanState } from '../domain/rollout/types';
import { DB_ACTIVITY } from './kit/activity-options';
import { ProcessKit, type KitCarry } from './kit/process';
import { refuse } from './kit/refuse';
import { planStateQuery, stepClockSignal, stepCompletionUpdate, stepReportUpdate, stepSignoffUpdate, stepStatusSignal } from './rollout-messages';
import { rolloutStepWorkflow } from './rollout-step';
import { initialSearchAttributes } from './search-attributes';

export * from './rollout-messages';

const db = proxyActivities<ReturnType<typeof createRolloutActivities>>(DB_ACTIVITY);

export interface RolloutPlanCarry {
  state: PlanState;
  kit: KitCarry;
}

/**
 * One rollout plan (plan-<id>, ProcessKind `rollout`, Unit = the plan office): steps open when their
 * dependencies are done; responsible units report, the lead unit completes, a supervising unit signs
 * off where the plan names one. Each step's due date runs in its own child (plan-<id>-step-<n>).
 * The rules are domain/rollout/ (transitions.ts, reducer.ts); this shell serialises handlers, records
 * every step in the plan's record, keeps the `plans` row current and tells the children.
 */
/** The result is small on purpose (the state is in Postgres and the query): a large completion payload makes every rejected completion's error large too. */
export interface RolloutPlanResult {
  planId: string;
  status: PlanState['status'];
  doneAt?: string;
  escalatedSteps: string[];
}

export async function rolloutPlanWorkflow(input: PlanInput, carried?: RolloutPlanCarry): Promise<RolloutPlanResult> {
  const { workflowId } = workflowInfo();
  const caseNumber = `plan-${input.planId}`;
  const kit = new ProcessKit({ unit: input.office, caseNumber, link: { workflowId, caseNumber }, carry: carried?.kit });
  let state: PlanState = carried?.state ?? initialPlanState(input);
  const now = () => new Date().toISOString();

  const show = () => {
    const open = state.steps.filter((s) => s.status !== 'done' && s.status !== 'blocked').map((s) => s.id);
    const done = state.steps.filter((s) => s.status === 'done').length;
    kit.showState(state.status === 'done' ? 'done' : 'running', { step: `「${state.title}」已完成 ${done}/${state.steps.length} 步${open.length ? `，办理中：${open.join('、')}` : ''}`, who: `计划办公室 ${state.office}` });
  };
  const project = async () => {
    const info = workflowInfo();
    await db.projectPlan({ workflowId, runId: info.runId, asOf: now(), view: state });
  };
  const tellChildren = async (outcome: PlanOutcome) => {
    for (const e of outcome.effects) {
      try {
        await getExternalWorkflowHandle(stepWorkflowId(state.planId, e.step)).signal(stepStatusSignal, { status: e.status });
      } catch (err) {
        log.warn('plan step not signalled', { step: e.step, error: (err as Error).message });
      }
    }
  };
  const commit = async (outcome: PlanOutcome) => {
    if (outcome.unchanged) return;
    state = outcome.state;
    for (const entry of outcome.entries) await kit.record(entry);
    await project();
    await tellChildren(outcome);
    show();
  };
  const validate = (action: PlanAction) => {
    const refusal = check(state, action);
    if (refusal) refuse(refusal.rule, refusal.basis, refusal.message);
  };
  const act = async (action: PlanAction): Promise<PlanState> => {
    validate(action);
    await commit(reduce(state, action, now()));
    return state;
  };
  const event = (e: PlanEvent) => commit(applyEvent(state, e));

  setHandler(planStateQuery, () => state);
  setHandler(stepReportUpdate, (r) => kit.exclusive(() => act({ kind: 'report', ...r })), { validator: (r) => validate({ kind: 'report', ...r }) });
  setHandler(stepCompletionUpdate, (r) => kit.exclusive(() => act({ kind: 'complete', ...r })), { validator: (r) => validate({ kind: 'complete', ...r }) });
  setHandler(stepSignoffUpdate, (r) => kit.exclusive(() => act({ kind: 'signoff', ...r })), { validator: (r) => validate({ kind: 'signoff', ...r }) });
  setHandler(stepClockSignal, (report) => kit.exclusive(() => event({ kind: 'clock', report })));

  if (!carried) {
    await kit.record({ actor: input.createdBy, action: 'rollout.started', summary: `计划「${input.title}」启动（${input.source}），共 ${input.steps.length} 步，自 ${input.startsOn} 起`, payload: { template: input.template, startsOn: input.startsOn, steps: input.steps.map((s) => ({ id: s.id, due: s.due })) } });
    for (const s of state.steps) {
      try {
        await startChild(rolloutStepWorkflow, {
          workflowId: stepWorkflowId(input.planId, s.id),
          args: [{ planId: input.planId, planWorkflowId: workflowId, planTitle: input.title, office: input.office, government: input.government, startsOn: input.startsOn, status: s.status, step: { id: s.id, title: s.title, lead: s.lead, responsible: s.responsible, supervising: s.supervising, due: s.due, basis: s.basis } }],
          staticSummary: `步骤 ${s.id}「${s.title}」（${input.title}）期限 ${s.due}`,
          staticDetails: `牵头单位：${s.lead}\n\n责任单位：${s.responsible.join('、')}${s.supervising.length ? `\n\n监督单位：${s.supervising.join('、')}` : ''}${s.dependsOn.length ? `\n\n前置步骤：${s.dependsOn.join('、')}` : ''}\n\n${s.basis}`,
          typedSearchAttributes: [...initialSearchAttributes('rollout-step', s.lead, caseNumber, s.status)] as never,
          // The step's clock is its own: it outlives a run of the plan (continue-as-new).
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
      } catch (err) {
        log.warn('plan step not started', { step: s.id, error: (err as Error).message });
      }
    }
  }
  await project();
  kit.initialised();
  show();

  await condition(() => state.status === 'done' || kit.continueAsNewDue(), kit.msUntilRetirement());
  if (state.status !== 'done') return kit.continueAsNew<typeof rolloutPlanWorkflow>(() => [input, { state, kit: kit.carry() }]);
  show();
  await kit.settled();
  return { planId: state.planId, status: state.status, doneAt: state.doneAt, escalatedSteps: state.steps.filter((s) => s.escalated).map((s) => s.id) };
}
