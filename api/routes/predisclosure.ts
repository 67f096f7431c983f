/**
 * Pre-disclosure lists (事前公开, 35号 第五至十三条, 第二十三至二十六条), managed by the unit's admin
 * and shown on the portal's unit page; basis changes (第二十六条) with their 20-working-day deadline.
 */
import { z } from 'zod';
import { statuteDeadline, STATUTES } from '../../domain/statutes';
import { CalendarStore } from '../../infra/calendar-store';
import { inTransaction } from '../../infra/db';
import { completeBasisChange, insertBasisChange, listBasisChanges, loadPreDisclosure, publicUnit, replacePreDisclosureList, type PreDisclosureList } from '../../infra/portal-store';
import { notFound } from '../errors';
import { reply, type Routes } from '../route';
import { assertCanSee, assertUnitExists } from '../scope';

const unitParams = z.object({ code: z.string().trim().min(1).max(100) });
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
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
export const BASIS_CHANGE_STATUTE = 'updatePreDisclosure' as const;

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
      await assertCanSee(deps.pool, principal, params.code, `unit ${params.code}`);
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
        await assertCanSee(deps.pool, principal, params.code, `unit ${params.code}`);
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
      await assertCanSee(deps.pool, principal, params.code, `unit ${params.code}`);
      const due = statuteDeadline(await new CalendarStore(deps.pool).calendar(), BASIS_CHANGE_STATUTE, body.effectiveOn);
      const change = await insertBasisChange(deps.pool, {
        unit: params.code,
        effectiveOn: body.effectiveOn,
        description: body.description,
        deadline: due.deadline,
        lastDay: due.lastDay,
        provisional: due.provisional,
        statute: BASIS_CHANGE_STATUTE,
        by: principal.personId,
      });
      return reply(201, { ...change, basis: STATUTES[BASIS_CHANGE_STATUTE].source });
    },
  );

  routes.add(
    { method: 'get', path: '/api/units/:code/basis-changes', tag: 'units', summary: "The unit's basis changes with deadlines (overdue: open past its deadline)", roles: [], params: unitParams },
    async ({ params, principal, deps }) => {
      await assertCanSee(deps.pool, principal, params.code, `unit ${params.code}`);
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
    async ({ params, principal, deps }) => {
      await assertCanSee(deps.pool, principal, params.code, `unit ${params.code}`);
      const done = await completeBasisChange(deps.pool, params.code, params.id, principal.personId);
      if (!done) throw notFound(`basis change ${params.id}`);
      return done;
    },
  );
}
