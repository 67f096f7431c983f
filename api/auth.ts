import type { RequestHandler } from 'express';
import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { forbidden, unauthorized } from './errors';

/** `legal_office_lead`: the head of the unit's 法制机构 (assigns reviewers, incl. to oneself or taking over; issue 10). */
export const ROLES = ['handler', 'reviewer', 'head', 'publisher', 'supervisor', 'admin', 'legal_office_lead', 'plan_office'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  personId: string;
  unit: string;
  roles: Role[];
}

export const DEMO_PERSON_ID = 'demo-person-0001';
const ISSUER = 'sanxiang';

const claimsSchema = z.object({
  sub: z.string().min(1),
  unit: z.string().regex(/^[a-z0-9]+(\.[a-z0-9]+)*$/),
  roles: z.array(z.enum(ROLES)).min(1),
});

const keyOf = (secret: string) => new TextEncoder().encode(secret);

export async function signToken(secret: string, p: Principal, expiresIn = '12h'): Promise<string> {
  return new SignJWT({ unit: p.unit, roles: p.roles })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(p.personId)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(keyOf(secret));
}

export async function verifyToken(secret: string, token: string): Promise<Principal> {
  const { payload } = await jwtVerify(token, keyOf(secret), { algorithms: ['HS256'], issuer: ISSUER });
  const claims = claimsSchema.parse(payload);
  return { personId: claims.sub, unit: claims.unit, roles: claims.roles };
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function authenticate(secret: string): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match?.[1]) throw unauthorized();
    try {
      req.principal = await verifyToken(secret, match[1]);
    } catch {
      throw unauthorized('invalid or expired token');
    }
    next();
  };
}

export function requireRoles(principal: Principal, roles: readonly Role[]): void {
  if (roles.length > 0 && !roles.some((r) => principal.roles.includes(r))) {
    throw forbidden(`requires role ${roles.join(' or ')}`);
  }
}
