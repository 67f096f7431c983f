import { z } from 'zod';
import type { Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { forbidden } from '../errors';
import { NotificationStore } from '../../infra/notification-store';
import { reply, type Routes } from '../route';
import { assertUnitExists, visibleUnits } from '../scope';

const unitParams = z.object({ code: z.string().regex(/^[a-z0-9]+(\.[a-z0-9]+)*$/, 'a unit code such as benxi.ybj') });

/** A unit's channels are set by the unit itself or by an admin above it. */
async function assertMayConfigure(deps: ApiDeps, principal: Principal, unit: string): Promise<void> {
  await assertUnitExists(deps.pool, unit);
  if (principal.unit === unit) return;
  if (principal.roles.includes('admin') && (await visibleUnits(deps.pool, principal)).includes(unit)) return;
  throw forbidden(`only unit ${unit} itself or an admin above it may change its notification channels`);
}

/** Delivery status, and the webhook and email channels of each unit. */
export function notificationRoutes(routes: Routes): void {
  routes.add(
    {
      method: 'get',
      path: '/api/notifications',
      tag: 'notifications',
      summary: 'Deliveries per channel, e.g. ?status=failed: supervisors and admins see all their units, others their own unit',
      roles: [],
      query: z.object({
        status: z.enum(['pending', 'delivered', 'failed']).optional(),
        unit: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
    },
    async ({ query, principal, deps }) => {
      let units = await visibleUnits(deps.pool, principal);
      if (query.unit) {
        if (!units.includes(query.unit)) throw forbidden('that unit is not visible to yours');
        units = [query.unit];
      }
      return new NotificationStore(deps.pool).deliveries(units, query.status, query.limit);
    },
  );

  routes.add(
    { method: 'get', path: '/api/units/:code/channels', tag: 'notifications', summary: "A unit's notification channels (the webhook secret is never shown)", roles: [], params: unitParams },
    async ({ params, principal, deps }) => {
      await assertMayConfigure(deps, principal, params.code);
      const c = await new NotificationStore(deps.pool).channelsOf(params.code);
      return { unit: c.unit, inbox: true, webhook: c.webhookUrl ? { url: c.webhookUrl } : null, email: c.email ?? null, smtpConfigured: Boolean(deps.config.SMTP_URL) };
    },
  );

  routes.add(
    {
      method: 'put',
      path: '/api/units/:code/webhook',
      tag: 'notifications',
      summary: "Set a unit's webhook: every notification is POSTed as JSON, signed X-Sanxiang-Signature: sha256=HMAC-SHA256(secret, raw body), with an Idempotency-Key header",
      roles: [],
      params: unitParams,
      body: z.object({
        url: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }),
        secret: z.string().min(16, 'at least 16 characters').max(256),
      }),
    },
    async ({ params, body, principal, deps }) => {
      await assertMayConfigure(deps, principal, params.code);
      await new NotificationStore(deps.pool).setWebhook(params.code, body, `${principal.unit}/${principal.personId}`);
      return { unit: params.code, webhook: { url: body.url } };
    },
  );

  routes.add(
    { method: 'delete', path: '/api/units/:code/webhook', tag: 'notifications', summary: "Remove a unit's webhook", roles: [], params: unitParams, responses: { 204: { description: 'removed' } } },
    async ({ params, principal, deps }) => {
      await assertMayConfigure(deps, principal, params.code);
      await new NotificationStore(deps.pool).setWebhook(params.code, null, `${principal.unit}/${principal.personId}`);
      return reply(204);
    },
  );

  routes.add(
    {
      method: 'put',
      path: '/api/units/:code/email',
      tag: 'notifications',
      summary: "Set (or with null remove) a unit's email address; mail goes out when SMTP_URL is configured",
      roles: [],
      params: unitParams,
      body: z.object({ address: z.email().nullable() }),
    },
    async ({ params, body, principal, deps }) => {
      await assertMayConfigure(deps, principal, params.code);
      await new NotificationStore(deps.pool).setEmail(params.code, body.address, `${principal.unit}/${principal.personId}`);
      return { unit: params.code, email: body.address };
    },
  );
}
