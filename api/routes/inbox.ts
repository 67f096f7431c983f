import { z } from 'zod';
import { textAsSeen, type PartyViewer } from '../../domain/personal-data';
import { NotificationStore } from '../../infra/notification-store';
import { notFound } from '../errors';
import type { Routes } from '../route';

/**
 * A notification's text as the reader may see it: the processes put no personal data in it (they
 * carry none), but free text typed by users travels in it; for a reader whose roles do not need
 * party data it goes through the one masker (domain/personal-data.ts).
 */
export const notificationAsSeen = <N extends { unit: string; subject: string; body: string }>(n: N, viewer: PartyViewer): N => ({
  ...n,
  subject: textAsSeen(n.subject, viewer, [n.unit]),
  body: textAsSeen(n.body, viewer, [n.unit]),
});

/** The unit inbox: every notification to the caller's unit (the first channel of notify). */
export function inboxRoutes(routes: Routes): void {
  routes.add(
    {
      method: 'get',
      path: '/api/inbox',
      tag: 'notifications',
      summary: "The caller's inbox, newest first: notices addressed to the caller, to the caller's roles, and the unit's unaddressed ones",
      roles: [],
      query: z.object({
        unacked: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
    },
    // A person sees what is addressed to them, to their roles, and the unit's unaddressed notices.
    async ({ query, principal, deps }) =>
      (await new NotificationStore(deps.pool).inbox(principal.unit, { unackedOnly: query.unacked, limit: query.limit, reader: { personId: principal.personId, roles: principal.roles } })).map((n) => notificationAsSeen(n, principal)),
  );

  routes.add(
    {
      method: 'post',
      path: '/api/inbox/:id/ack',
      tag: 'notifications',
      summary: 'Acknowledge a notification of the caller\'s unit (again: the first acknowledgement stands)',
      roles: [],
      params: z.object({ id: z.uuid() }),
      responses: { 200: { description: 'acknowledged' }, 404: { description: 'not in the caller\'s inbox' } },
    },
    async ({ params, principal, deps }) => {
      const acked = await new NotificationStore(deps.pool).ack(params.id, principal.unit, principal.personId);
      if (!acked) throw notFound(`notification ${params.id}`);
      return notificationAsSeen(acked, principal);
    },
  );
}
