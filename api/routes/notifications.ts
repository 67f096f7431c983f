import { z } from 'zod';
import type { Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { forbidden, ValidationError } from '../errors';
import { assertWebhookTarget, WebhookTargetRefused, webhookPolicy } from '../../infra/webhook-targets';
import { NotificationStore } from '../../infra/notification-store';
import { reply, type Routes } from '../route';
import { notificationAsSeen } from './inbox';
import { assertUnitExists, visibleUnits } from '../scope';

const unitParams = z.object({ code: z.string().regex(/^[a-z0-9]+(\.[a-z0-9]+)*$/, 'a unit code such as benxi.ybj') });

/**
 * A unit's channels are the unit's own: read by its staff, set by its `admin` (the route's roles);
 * the route table already refused another unit (scope `unit`), this is the second lock.
 */
async function assertMayConfigure(deps: ApiDeps, principal: Principal, unit: string): Promise<void> {
  await assertUnitExists(deps.pool, unit);
  if (principal.unit !== unit) throw forbidden('only the unit itself may see or change its notification channels');
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
      return (await new NotificationStore(deps.pool).deliveries(units, query.status, query.limit)).map((d) => ({ ...d, notification: notificationAsSeen(d.notification, principal) }));
    },
  );

  routes.add(
    { method: 'get', path: '/api/units/:code/channels', tag: 'notifications', summary: "A unit's notification channels (the webhook secret is never shown)", roles: [], scope: 'unit', params: unitParams },
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
      summary:
        "Set a unit's webhook (the unit's admin): every notification is POSTed as JSON, signed X-Sanxiang-Signature: sha256=HMAC-SHA256(secret, raw body), with an Idempotency-Key header. A target resolving to a loopback, private, link-local or metadata address is refused unless WEBHOOK_ALLOWED_HOSTS names its host",
      roles: ['admin'],
      scope: 'unit',
      params: unitParams,
      body: z.object({
        url: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }),
        secret: z.string().min(16, 'at least 16 characters').max(256),
      }),
    },
    async ({ params, body, principal, deps }) => {
      await assertMayConfigure(deps, principal, params.code);
      try {
        await assertWebhookTarget(body.url, webhookPolicy(deps.config));
      } catch (err) {
        if (err instanceof WebhookTargetRefused) throw new ValidationError([{ path: 'body.url', message: err.message, rule: 'webhook_target' }]);
        throw err;
      }
      await new NotificationStore(deps.pool).setWebhook(params.code, body, `${principal.unit}/${principal.personId}`);
      return { unit: params.code, webhook: { url: body.url } };
    },
  );

  routes.add(
    { method: 'delete', path: '/api/units/:code/webhook', tag: 'notifications', summary: "Remove a unit's webhook (the unit's admin)", roles: ['admin'], scope: 'unit', params: unitParams, responses: { 204: { description: 'removed' } } },
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
      summary: "Set (or with null remove) a unit's email address (the unit's admin); mail goes out when SMTP_URL is configured",
      roles: ['admin'],
      scope: 'unit',
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
