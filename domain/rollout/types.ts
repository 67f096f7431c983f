// A rollout plan (domain spec §6): steps with lead (牵头), responsible (责任) and supervising (监督)
// units, dependencies and due dates, as data. Shared by the workflow, the API and the chart.

export const STEP_STATUSES = ['blocked', 'open', 'in_progress', 'awaiting_signoff', 'done'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** A step of a plan as started: the template's step with its due date resolved to a calendar day. */
export interface PlanStep {
  id: string;
  title: string;
  /** the document's own words for what the step is */
  description?: string;
  lead: string;
  responsible: string[];
  supervising: string[];
  dependsOn: string[];
  /** last day, YYYY-MM-DD (Asia/Shanghai) */
  due: string;
  /** where the step and its units come from (the document and its article) */
  basis: string;
}

export interface PlanInput {
  planId: string;
  template: string;
  title: string;
  /** the plan's first day, YYYY-MM-DD */
  startsOn: string;
  /** the plan office (领导小组办公室): owns the plan, gets escalations */
  office: string;
  /** the government the plan office reports overdue steps to */
  government: string;
  source: string;
  steps: PlanStep[];
  createdBy: string;
  createdAt: string;
}

export interface PartReport {
  unit: string;
  by: string;
  text: string;
  documents: string[];
  partDone: boolean;
  at: string;
}

export interface StepState extends PlanStep {
  status: StepStatus;
  openedAt?: string;
  completedAt?: string;
  completedBy?: string;
  signedOffAt?: string;
  signedOffBy?: string;
  doneAt?: string;
  /** latest report of each responsible unit */
  reports: Record<string, PartReport>;
  level: 'none' | 'yellow' | 'red';
  overdue: boolean;
  escalated: boolean;
}

export interface PlanState {
  planId: string;
  template: string;
  title: string;
  startsOn: string;
  office: string;
  government: string;
  source: string;
  steps: StepState[];
  status: 'running' | 'done';
  doneAt?: string;
  revision: number;
}

export interface StepReportRequest {
  step: string;
  unit: string;
  by: string;
  text: string;
  documents?: string[];
  partDone: boolean;
}
export interface StepCompletionRequest {
  step: string;
  unit: string;
  by: string;
}
export type StepSignoffRequest = StepCompletionRequest;

/** What a step's child workflow reports to the plan. */
export interface StepClockReport {
  step: string;
  level: 'none' | 'yellow' | 'red';
  escalated: boolean;
}

/** The roles a unit has in a step (the API's 403 check). */
export function unitRolesInStep(step: Pick<PlanStep, 'lead' | 'responsible' | 'supervising'>, unit: string): Array<'lead' | 'responsible' | 'supervising'> {
  const roles: Array<'lead' | 'responsible' | 'supervising'> = [];
  if (step.lead === unit) roles.push('lead');
  if (step.responsible.includes(unit)) roles.push('responsible');
  if (step.supervising.includes(unit)) roles.push('supervising');
  return roles;
}

export const planWorkflowId = (planId: string) => `plan-${planId}`;
export const stepWorkflowId = (planId: string, step: string) => `plan-${planId}-step-${step}`;
