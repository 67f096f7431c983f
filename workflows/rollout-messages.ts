// The rollout plan's messages, shared by the workflows and the API (no activities, no I/O).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PlanState, StepClockReport, StepCompletionRequest, StepReportRequest, StepSignoffRequest, StepStatus } from '../domain/rollout/types';

export { planWorkflowId, stepWorkflowId } from '../domain/rollout/types';
export type { PlanInput, PlanState, StepState, StepStatus } from '../domain/rollout/types';

export const planStateQuery = defineQuery<PlanState>('planState');
export const stepReportUpdate = defineUpdate<PlanState, [StepReportRequest]>('stepReport');
export const stepCompletionUpdate = defineUpdate<PlanState, [StepCompletionRequest]>('stepCompletion');
export const stepSignoffUpdate = defineUpdate<PlanState, [StepSignoffRequest]>('stepSignoff');

/** Step child → plan: its clock (yellow, red) and whether the overdue escalation went out. */
export const stepClockSignal = defineSignal<[StepClockReport]>('stepClock');
/** Plan → step child: the step's status changed (the child shows it; `done` stops its clock). */
export const stepStatusSignal = defineSignal<[{ status: StepStatus }]>('stepStatus');
