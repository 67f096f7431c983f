import type { RequestHandler } from 'express';
import type { Pool } from 'pg';
import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { forbidden, unauthorized } from './errors';

/** `legal_office_lead`: the head of the unit's 法制机构 (assigns reviewers, incl. to oneself or taking over; issue 10). */
/** `calendar_admin`: publishes the national working-day calendar (a national or city-level role, issue 14). */
export const ROLES = ['handler', 'reviewer', 'head', 'publisher', 'supervisor', 'admin', 'legal_office_lead', 'plan_office', 'calendar_admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  personId: string;
  unit: string;
  roles: Role[];
}

export const DEMO_PERSON_ID = 'demo-person-0001';
const ISSUER = 'sanxiang';
/** Every token names this audience; a token for another service is refused. */
export const AUDIENCE = 'sanxiang-api';
/** Longest lifetime a token may claim (exp − iat); longer ones are refused. */
export const MAX_TOKEN_LIFETIME_SECONDS = 7 * 24 * 3600;

const claimsSchema = z.object({
  sub: z.string().min(1).max(200),
  unit: z.string().max(100).regex(/^[a-z0-9]+(\.[a-z0-9]+)*$/),
  roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
  iat: z.number().int(),
  exp: z.number().int(),
});

const keyOf = (secret: string) => new TextEncoder().encode(secret);

export async function signToken(secret: string, p: Principal, expiresIn: string | number = '1h'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const exp = typeof expiresIn === 'number' ? now + expiresIn : undefined;
  const jwt = new SignJWT({ unit: p.unit, roles: p.roles })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(p.personId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(exp ?? expiresIn);
  const token = await jwt.sign(keyOf(secret));
  const { exp: e } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
  if (e - now > MAX_TOKEN_LIFETIME_SECONDS) throw new Error(`a token lives at most ${MAX_TOKEN_LIFETIME_SECONDS / 86400} days`);
  return token;
}

export async function verifyToken(secret: string, token: string): Promise<Principal> {
  // Only HS256 (alg:none, HS384, RS* refused); exp, iat, sub and our audience are required.
  const { payload } = await jwtVerify(token, keyOf(secret), {
    algorithms: ['HS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    requiredClaims: ['exp', 'iat', 'sub', 'aud'],
    maxTokenAge: MAX_TOKEN_LIFETIME_SECONDS,
  });
  const claims = claimsSchema.parse(payload);
  if (claims.exp - claims.iat > MAX_TOKEN_LIFETIME_SECONDS) throw new Error('token lifetime too long');
  return { personId: claims.sub, unit: claims.unit, roles: claims.roles };
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** The unit codes in Postgres, cached for a few seconds (a miss re-reads at once, so a new unit works). */
export function unitDirectory(pool: Pool, ttlMs = 30_000): (unit: string) => Promise<boolean> {
  let known = new Set<string>();
  let readAt = 0;
  const read = async () => {
    const { rows } = await pool.query<{ code: string }>('SELECT code FROM units');
    known = new Set(rows.map((r) => r.code));
    readAt = Date.now();
  };
  return async (unit) => {
    if (known.has(unit) && Date.now() - readAt < ttlMs) return true;
    if (Date.now() - readAt > 1_000) await read();
    return known.has(unit);
  };
}

export function authenticate(secret: string, unitExists?: (unit: string) => Promise<boolean>): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S{1,4096})$/i);
    if (!match?.[1]) throw unauthorized();
    let principal: Principal;
    try {
      principal = await verifyToken(secret, match[1]);
    } catch {
      throw unauthorized('invalid or expired token');
    }
    // A correctly signed token for a unit that does not exist: refused here, not a 500 further on.
    if (unitExists && !(await unitExists(principal.unit))) throw forbidden('the token\'s unit is not known');
    req.principal = principal;
    next();
  };
}

export function requireRoles(principal: Principal, roles: readonly Role[]): void {
  if (roles.length > 0 && !roles.some((r) => principal.roles.includes(r))) {
    throw forbidden(`requires role ${roles.join(' or ')}`);
  }
}
