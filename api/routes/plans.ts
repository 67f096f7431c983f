import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { shanghaiDateOf } from '../../domain/dates';
import { renderPlanChart } from '../../domain/rollout/chart';
import { initialPlanState } from '../../domain/rollout/reducer';
import { instantiate, type PlanTemplate } from '../../domain/rollout/template';
import { planWorkflowId, unitRolesInStep, type PlanState } from '../../domain/rollout/types';
import { inTransaction } from '../../infra/db';
import { loadTemplates, PlanStore, type PlanRow } from '../../infra/plan-store';
import { enqueueProcessStart } from '../../infra/process-starts';
import { stepCompletionUpdate, stepReportUpdate, stepSignoffUpdate } from '../../workflows/rollout-messages';
import { action, addActions } from '../actions';
import type { Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { badRequest, forbidden, notFound } from '../errors';
import { requireStarted, startNow, startPendingBody } from '../process-start';
import { reply, type Routes } from '../route';
import { visibleOr404, visibleUnits } from '../scope';

/** Templates are read and validated once per process (a bad template refuses the first request that needs them, naming the problem). */
let templates: Promise<Map<string, PlanTemplate>> | undefined;
const templatesOf = (deps: ApiDeps) => (templates ??= loadTemplates(deps.pool).catch((err) => {
  templates = undefined;
  throw err;
}));

const planParams = z.object({ id: z.string().regex(/^[a-z0-9-]{1,120}$/) });
const stepParams = planParams.extend({ step: z.string().regex(/^[0-9]{1,2}[a-z]?$/) });

async function unitNames(deps: ApiDeps): Promise<Record<string, string>> {
  const { rows } = await deps.pool.query<{ code: string; short_name: string }>('SELECT code, short_name FROM units');
  return Object.fromEntries(rows.map((r) => [r.code, r.short_name]));
}

/** The plan's units: the office, every step's lead, responsible and supervising units. */
const planUnits = (row: PlanRow) => new Set([row.office, row.input.government, ...row.input.steps.flatMap((s) => [s.lead, ...s.responsible, ...s.supervising])]);

async function loadPlan(deps: ApiDeps, principal: Principal, id: string): Promise<PlanRow> {
  // A plan that involves none of the caller's units answers as a missing one (api/scope.ts).
  return visibleOr404(deps.pool, principal, await new PlanStore(deps.pool).get(id), (r) => [...planUnits(r)], `plan ${id}`);
}

/** The plan as the API shows it: the workflow's projection (or, before its first write, the initial state). */
function present(row: PlanRow, today: string) {
  const state: PlanState = row.view ?? initialPlanState(row.input);
  return {
    id: row.id,
    workflowId: row.workflowId,
    template: row.template,
    title: state.title,
    startsOn: state.startsOn,
    office: state.office,
    government: state.government,
    source: state.source,
    status: row.view ? state.status : 'starting',
    doneAt: state.doneAt ?? null,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    steps: state.steps.map((s) => ({
      id: s.id,
      title: s.title,
      description: s.description ?? null,
      status: s.status,
      lead: s.lead,
      responsible: s.responsible,
      supervising: s.supervising,
      dependsOn: s.dependsOn,
      due: s.due,
      overdue: s.overdue || (s.status !== 'done' && today > s.due),
      escalated: s.escalated,
      warningLevel: s.level,
      openedAt: s.openedAt ?? null,
      completedAt: s.completedAt ?? null,
      signedOffAt: s.signedOffAt ?? null,
      doneAt: s.doneAt ?? null,
      basis: s.basis,
      reports: s.responsible.map((u) => ({ unit: u, latest: s.reports[u] ?? null })),
    })),
  };
}

export function planRoutes(routes: Routes): void {
  routes.add({ method: 'get', path: '/api/plan-templates', tag: 'plans', summary: 'The rollout plan templates (plans/templates/*.json, validated against the units when loaded)', roles: [] }, async ({ deps }) => {
    const all = await templatesOf(deps);
    return [...all.values()].map((t) => ({ id: t.id, title: t.title, source: t.source, jurisdiction: t.jurisdiction, office: t.office, government: t.government, dates: t.dates, steps: t.steps }));
  });

  routes.add(
    {
      method: 'post',
      path: '/api/plans',
      tag: 'plans',
      summary: "Start a rollout plan from a template (the plan office: the template office's head, admin or plan_office)",
      roles: ['head', 'admin', 'plan_office'],
      body: z.object({ template: z.string().min(1).max(100), startsOn: z.iso.date(), title: z.string().trim().min(1).max(200).optional() }),
      responses: { 201: { description: 'started' }, 202: { description: 'stored; the start is retried' }, 403: { description: 'not the plan office' } },
    },
    async ({ body, principal, deps }) => {
      const t = (await templatesOf(deps)).get(body.template);
      if (!t) throw badRequest(`unknown template ${body.template}`, [{ path: 'body.template', message: `one of ${[...(await templatesOf(deps)).keys()].join(', ')}` }]);
      if (principal.unit !== t.office) throw forbidden(`the plan ${t.id} is owned by its plan office`);
      const planId = `${t.id}-${body.startsOn}-${randomBytes(3).toString('hex')}`;
      let input;
      try {
        input = instantiate(t, { planId, startsOn: body.startsOn, title: body.title, createdBy: principal.personId, createdAt: new Date().toISOString() });
      } catch (err) {
        throw badRequest((err as Error).message, [{ path: 'body.startsOn', message: (err as Error).message }]);
      }
      const workflowId = planWorkflowId(planId);
      await inTransaction(deps.pool, async (tx) => {
        await PlanStore.insert(tx, input, workflowId);
        await enqueueProcessStart(tx, {
          workflowId,
          kind: 'rollout',
          workflowType: 'rolloutPlanWorkflow',
          taskQueue: deps.config.TASK_QUEUE,
          input,
          unit: t.office,
          caseNumber: `plan-${planId}`,
          initialStatus: 'running',
          summary: `实施方案：${input.title}（自 ${input.startsOn} 起，${input.steps.length} 步）`,
          details: input.source,
        });
      });
      const start = await startNow(deps, workflowId);
      const pending = start !== undefined && !start.startedAt;
      return reply(pending ? 202 : 201, { id: planId, workflowId, template: t.id, title: input.title, startsOn: input.startsOn, steps: input.steps.map((s) => ({ id: s.id, due: s.due, workflowId: `${workflowId}-step-${s.id}` })), ...(pending ? { start: startPendingBody(start) } : {}) });
    },
  );

  routes.add({ method: 'get', path: '/api/plans', tag: 'plans', summary: 'The plans involving the caller’s units', roles: [] }, async ({ principal, deps }) => {
    const visible = await visibleUnits(deps.pool, principal);
    const today = shanghaiDateOf(new Date());
    return (await new PlanStore(deps.pool).list(visible)).map((row) => {
      const p = present(row, today);
      return { id: p.id, title: p.title, template: p.template, startsOn: p.startsOn, status: p.status, office: p.office, steps: p.steps.length, done: p.steps.filter((s) => s.status === 'done').length, overdue: p.steps.filter((s) => s.overdue).map((s) => s.id) };
    });
  });

  routes.add({ method: 'get', path: '/api/plans/:id', tag: 'plans', summary: "A plan with each step's status, units, dependencies, due date, overdue flag and latest reports", roles: [], params: planParams }, async ({ params, principal, deps }) =>
    present(await loadPlan(deps, principal, params.id), shanghaiDateOf(new Date())),
  );

  routes.add({ method: 'get', path: '/api/plans/:id/chart.svg', tag: 'plans', summary: 'The plan drawn as a Gantt chart (SVG): steps on a time axis, dependencies, colour by status, overdue marked', roles: [], params: planParams }, async ({ params, principal, deps }) => {
    const row = await loadPlan(deps, principal, params.id);
    const state = row.view ?? initialPlanState(row.input);
    return { status: 200, contentType: 'image/svg+xml; charset=utf-8', body: renderPlanChart(state, shanghaiDateOf(new Date()), await unitNames(deps)) };
  });

  const stepTarget = async ({ params, principal, deps }: { params: z.infer<typeof stepParams>; principal: Principal; deps: ApiDeps }) => {
    const row = await loadPlan(deps, principal, params.id);
    const step = row.input.steps.find((s) => s.id === params.step);
    if (!step) throw notFound(`step ${params.step} of plan ${params.id}`);
    await requireStarted(deps, row.workflowId);
    return { workflowId: row.workflowId, row, step };
  };
  type Target = Awaited<ReturnType<typeof stepTarget>>;
  /** 403 unless the caller's unit holds the step's role the action needs. */
  const asUnit = (target: Target, principal: Principal, role: 'lead' | 'responsible' | 'supervising') => {
    const roles = unitRolesInStep(target.step, principal.unit);
    if (!roles.includes(role)) throw forbidden(`your unit is not ${role === 'lead' ? 'the lead unit' : `a ${role} unit`} of step ${target.step.id}${roles.length ? ` (it is ${roles.join(', ')})` : ''}`);
    return principal.unit;
  };
  const today = () => shanghaiDateOf(new Date());
  addActions(routes, { tag: 'plans', base: '/api/plans/:id/steps/:step', params: stepParams, target: stepTarget }, [
    action({
      name: 'plan-step-report',
      path: '/reports',
      summary: "A responsible unit reports its part of the step (partDone: its part is finished)",
      roles: ['handler', 'head', 'admin', 'plan_office'],
      body: z.object({ text: z.string().trim().min(1).max(5000), documents: z.array(z.string().min(1).max(200)).max(50).optional(), partDone: z.boolean() }),
      update: stepReportUpdate,
      arg: (c) => ({ step: c.target.step.id, unit: asUnit(c.target, c.principal, 'responsible'), by: c.principal.personId, text: c.body.text, documents: c.body.documents, partDone: c.body.partDone }),
      present: (state: PlanState, c) => present({ ...c.target.row, view: state }, today()).steps.find((s) => s.id === c.target.step.id),
    }),
    action({
      name: 'plan-step-completion',
      path: '/completion',
      summary: "The lead unit completes the step once every responsible unit's part is done",
      roles: ['head', 'admin', 'plan_office'],
      body: z.object({}).default({}),
      update: stepCompletionUpdate,
      arg: (c) => ({ step: c.target.step.id, unit: asUnit(c.target, c.principal, 'lead'), by: c.principal.personId }),
      present: (state: PlanState, c) => present({ ...c.target.row, view: state }, today()).steps.find((s) => s.id === c.target.step.id),
      responses: { 409: { description: 'blocked, parts outstanding, or not open: {error, rule, basis}' } },
    }),
    action({
      name: 'plan-step-signoff',
      path: '/signoff',
      summary: 'A supervising unit signs the completed step off (e.g. 市财政局 for the asset transfer)',
      roles: ['head', 'admin', 'supervisor'],
      body: z.object({}).default({}),
      update: stepSignoffUpdate,
      arg: (c) => ({ step: c.target.step.id, unit: asUnit(c.target, c.principal, 'supervising'), by: c.principal.personId }),
      present: (state: PlanState, c) => present({ ...c.target.row, view: state }, today()).steps.find((s) => s.id === c.target.step.id),
    }),
  ]);
}
