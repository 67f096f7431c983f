import { createHash, randomUUID } from 'node:crypto';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import { authenticate, unitDirectory } from './auth';
import type { ApiDeps } from './deps';
import { errorMapper, notFound } from './errors';
import { Routes } from './route';
import { calendarRoutes } from './routes/calendar';
import { caseRecordingRoutes, caseRoutes } from './routes/cases';
import { inboxRoutes } from './routes/inbox';
import { notificationRoutes } from './routes/notifications';
import { recordRoutes } from './routes/records';
import { anchorRoutes } from './routes/anchors';
import { decisionRoutes } from './routes/decisions';
import { decisionServiceRoutes } from './routes/decision-service';
import { correctionRoutes } from './routes/corrections';
import { disclosureRoutes } from './routes/disclosures';
import { enforcementRoutes } from './routes/enforcements';
import { reviewerRoutes } from './routes/reviewers';
import { reviewRoutes } from './routes/reviews';
import { processStartRoutes } from './routes/starts';
import { mountSystemRoutes } from './routes/system';
import { unitRoutes } from './routes/units';
import { portalRoutes } from './routes/portal';
import { preDisclosureRoutes } from './routes/predisclosure';
import { publicRoutes } from './routes/public';
import { statisticsRoutes } from './routes/statistics';
import { planRoutes } from './routes/plans';
import { drawRoutes } from './routes/draws';
import { inspectionDirectoryRoutes } from './routes/inspection-directories';

/** Each feature registers its routes here; the list is also the OpenAPI document's content. */
const FEATURES: Array<(routes: Routes) => void> = [unitRoutes, calendarRoutes, caseRoutes, caseRecordingRoutes, recordRoutes, inboxRoutes, notificationRoutes, reviewRoutes, reviewerRoutes, decisionRoutes, decisionServiceRoutes, enforcementRoutes, disclosureRoutes, correctionRoutes, processStartRoutes, publicRoutes, anchorRoutes, portalRoutes, preDisclosureRoutes, statisticsRoutes, planRoutes, drawRoutes, inspectionDirectoryRoutes];

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    pinoHttp({
      logger: deps.log,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/ready' },
    }),
  );
  // Every answer: no MIME sniffing, not framed, no referrer; the API's JSON needs no active content.
  app.use((req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (req.path.startsWith('/api/') || req.path === '/openapi.json') res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    next();
  });
  // Rate limits (RATE_LIMIT_PER_IP / RATE_LIMIT_PER_TOKEN per minute): per client address on
  // everything (the public portal included), and per token on /api. Health probes are exempt.
  const limited = { windowMs: 60_000, standardHeaders: 'draft-8' as const, legacyHeaders: false, message: { error: 'too many requests' } };
  app.use(
    rateLimit({
      ...limited,
      limit: deps.config.RATE_LIMIT_PER_IP,
      skip: (req) => req.path === '/health' || req.path === '/ready',
      keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    }),
  );
  app.use(
    '/api',
    rateLimit({
      ...limited,
      limit: deps.config.RATE_LIMIT_PER_TOKEN,
      skip: (req) => !req.headers.authorization,
      keyGenerator: (req) => 'token:' + createHash('sha256').update(String(req.headers.authorization)).digest('base64url'),
    }),
  );
  app.use(express.json({ limit: '2mb' }));

  const api = express.Router();
  api.use('/api', authenticate(deps.config.JWT_SECRET, unitDirectory(deps.pool)));
  const routes = new Routes(api, deps);
  for (const register of FEATURES) register(routes);
  // The route table (tests generate the authorization matrix from it).
  app.locals.routeTable = routes.table;

  let document: unknown;
  const openApi = () =>
    (document ??= new OpenApiGeneratorV31(routes.registry.definitions).generateDocument({
      openapi: '3.1.0',
      info: { title: '三项制度 service API', version: '0.1.0', description: 'Legal review, enforcement, disclosure and records of administrative law enforcement.' },
      servers: [{ url: deps.config.PUBLIC_BASE_URL ?? `http://localhost:${deps.config.PORT}` }],
    }));
  mountSystemRoutes(app, deps, openApi);
  app.use(api);
  app.use((req) => {
    throw notFound(`route ${req.method} ${req.path}`);
  });
  app.use(errorMapper(deps.log));
  return app;
}
