/**
 * Pre-disclosure lists (事前公开, 35号 第五至十三条, 第二十三至二十六条), managed by the unit's admin
 * and shown on the portal's unit page; basis changes (第二十六条) with their 20-working-day deadline.
 */
import { z } from 'zod';
import { isoDate } from '../schemas';
import { BASIS_CHANGE_STATUTE } from '../../domain/basis-change/process';
import { statuteDeadline, STATUTES } from '../../domain/statutes';
import { CalendarStore } from '../../infra/calendar-store';
import { inTransaction } from '../../infra/db';
import { completeBasisChange, insertBasisChange, listBasisChanges, loadPreDisclosure, publicUnit, replacePreDisclosureList, type PreDisclosureList } from '../../infra/portal-store';
import { enqueueProcessStart } from '../../infra/process-starts';
import { basisChangeCaseNumber, basisChangeWorkflowId, completeBasisChangeUpdate, type BasisChangeInput } from '../../workflows/basis-change-messages';
import { IDEMPOTENCY_KEY_HEADER } from '../actions';
import { mapTemporalError, notFound } from '../errors';
import { isGone, requireStarted, startNow } from '../process-start';
import { reply, type Routes } from '../route';
import { assertCanSee, assertUnitExists } from '../scope';

const unitParams = z.object({ code: z.string().trim().min(1).max(100) });
// A real calendar date (a regex alone let '2026-82-30' through to Postgres).
const date = isoDate;
const text = (max = 500) => z.string().trim().min(1).max(max);

const officer = z.object({
  name: text(50),
  post: text(100),
  category: text(100),
  area: text(200),
  validFrom: date.nullable().default(null),
  validUntil: date.nullable().default(null),
  certificateNumber: text(50),
});

const power = z.object({ title: text(200), basis: text(2000), details: z.object({ power: z.string().max(200).optional(), procedure: z.string().max(2000).optional(), remedies: z.string().max(2000).optional() }).catchall(z.string().max(2000)).default({}) });
const inspection = z.object({ title: text(200), basis: text(2000), details: z.object({ object: z.string().max(500).optional(), method: z.string().max(500).optional(), frequency: z.string().max(500).optional() }).catchall(z.string().max(2000)).default({}) });
const contact = z.object({ channel: text(50), value: text(200), hours: z.string().max(200).nullable().default(null) });

const LISTS = {
  officers: z.array(officer).max(2000),
  powers: z.array(power).max(2000),
  randomInspections: z.array(inspection).max(2000),
  complaintContacts: z.array(contact).max(100),
} as const;


/** The statute key for the update deadline (35号 第二十六条: 20 working days). */
export { BASIS_CHANGE_STATUTE };

export function preDisclosureRoutes(routes: Routes): void {
  routes.add(
    { method: 'get', path: '/public/units/:code', tag: 'public', summary: "A unit's pre-disclosure lists (no login)", params: unitParams },
    async ({ params, deps }) => {
      const unit = await publicUnit(deps.pool, params.code);
      if (!unit) throw notFound(`unit ${params.code}`);
      return { ...unit, ...(await loadPreDisclosure(deps.pool, unit.code)) };
    },
  );

  routes.add(
    { method: 'get', path: '/api/units/:code/pre-disclosure', tag: 'units', summary: "The unit's pre-disclosure lists and open basis changes", roles: [], params: unitParams },
    async ({ params, principal, deps }) => {
      await assertUnitExists(deps.pool, params.code);
      await assertCanSee(deps.pool, principal, params.code);
      return loadPreDisclosure(deps.pool, params.code);
    },
  );

  for (const list of Object.keys(LISTS) as PreDisclosureList[]) {
    routes.add(
      {
        method: 'put',
        path: `/api/units/:code/pre-disclosure/${list}`,
        tag: 'units',
        summary: `Replaces the unit's ${list} list as a whole (unit admin)`,
        roles: ['admin'],
        params: unitParams,
        body: z.object({ entries: LISTS[list] }),
      },
      async ({ params, body, principal, deps }) => {
        await assertUnitExists(deps.pool, params.code);
        await assertCanSee(deps.pool, principal, params.code);
        await inTransaction(deps.pool, (client) => replacePreDisclosureList(client, params.code, list, body.entries, principal.personId));
        return loadPreDisclosure(deps.pool, params.code);
      },
    );
  }

  routes.add(
    {
      method: 'post',
      path: '/api/units/:code/basis-changes',
      tag: 'units',
      summary: `A law or the unit's functions changed: the affected pre-disclosure items are due within ${STATUTES[BASIS_CHANGE_STATUTE].period} (${STATUTES[BASIS_CHANGE_STATUTE].source})`,
      roles: ['admin'],
      params: unitParams,
      body: z.object({ effectiveOn: date, description: text(2000) }),
    },
    async ({ params, body, principal, deps }) => {
      await assertUnitExists(deps.pool, params.code);
      await assertCanSee(deps.pool, principal, params.code);
      const due = statuteDeadline(await new CalendarStore(deps.pool).calendar(), BASIS_CHANGE_STATUTE, body.effectiveOn);
      // The change and its clock's start request in one transaction (the start outbox): the
      // basisChangeWorkflow reminds the unit and escalates once to its supervisor.
      const change = await inTransaction(deps.pool, async (tx) => {
        const c = await insertBasisChange(tx, {
          unit: params.code,
          effectiveOn: body.effectiveOn,
          description: body.description,
          deadline: due.deadline,
          lastDay: due.lastDay,
          provisional: due.provisional,
          statute: BASIS_CHANGE_STATUTE,
          by: principal.personId,
        });
        const workflowId = basisChangeWorkflowId(params.code, c.id);
        await tx.query('UPDATE unit_basis_changes SET workflow_id = $2 WHERE id = $1', [c.id, workflowId]);
        const input: BasisChangeInput = { changeId: c.id, unit: params.code, effectiveOn: body.effectiveOn };
        await enqueueProcessStart(tx, {
          workflowId,
          kind: 'basis-change',
          workflowType: 'basisChangeWorkflow',
          taskQueue: deps.config.TASK_QUEUE,
          input,
          unit: params.code,
          caseNumber: basisChangeCaseNumber(c.id),
          initialStatus: 'open',
          summary: `事前公开内容更新（${body.effectiveOn} 生效的依据变化），${due.lastDay} 前`,
        });
        return { ...c, workflowId };
      });
      await startNow(deps, change.workflowId);
      return reply(201, { ...change, basis: STATUTES[BASIS_CHANGE_STATUTE].source });
    },
  );

  routes.add(
    { method: 'get', path: '/api/units/:code/basis-changes', tag: 'units', summary: "The unit's basis changes with deadlines (overdue: open past its deadline)", roles: [], params: unitParams },
    async ({ params, principal, deps }) => {
      await assertCanSee(deps.pool, principal, params.code);
      return listBasisChanges(deps.pool, params.code);
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/units/:code/basis-changes/:id/completed',
      tag: 'units',
      summary: 'The affected pre-disclosure items are updated (stops the clock)',
      roles: ['admin'],
      params: z.object({ code: z.string().trim().min(1).max(100), id: z.string().uuid() }),
    },
    async ({ params, principal, deps, req }) => {
      await assertCanSee(deps.pool, principal, params.code);
      const current = (await listBasisChanges(deps.pool, params.code)).find((c) => c.id === params.id);
      if (!current) throw notFound(`basis change ${params.id}`);
      // Already completed: answered as before (idempotent); a change without a clock (recorded before it had one) directly.
      if (current.completedAt || !current.workflowId) {
        const done = await completeBasisChange(deps.pool, params.code, params.id, principal.personId);
        if (!done) throw notFound(`basis change ${params.id}`);
        return done;
      }
      // Through the clock's workflow: it stops the reminders and writes the completion.
      await requireStarted(deps, current.workflowId);
      const key = req.headers[IDEMPOTENCY_KEY_HEADER];
      try {
        await deps.temporal.workflow
          .getHandle(current.workflowId)
          .executeUpdate(completeBasisChangeUpdate, { args: [{ by: principal.personId, unit: principal.unit }], ...(typeof key === 'string' && key ? { updateId: `basis_change.complete:${key}` } : {}) });
      } catch (err) {
        if (!isGone(err)) throw mapTemporalError(err) ?? err;
        await completeBasisChange(deps.pool, params.code, params.id, principal.personId);
      }
      return (await listBasisChanges(deps.pool, params.code)).find((c) => c.id === params.id)!;
    },
  );
}
