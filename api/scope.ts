import type { Pool } from 'pg';
import type { Principal } from './auth';
import { forbidden, notFound } from './errors';

/**
 * The units a principal may see: its own; a supervisor or admin also every unit below it through
 * the organisational (parent) or the enforcement-supervision relation.
 */
export async function visibleUnits(pool: Pool, principal: Principal): Promise<string[]> {
  if (!principal.roles.includes('supervisor') && !principal.roles.includes('admin')) return [principal.unit];
  const { rows } = await pool.query<{ code: string }>(
    `WITH RECURSIVE below(code) AS (
       SELECT $1::text
       UNION
       SELECT u.code FROM units u JOIN below b ON u.parent_code = b.code OR u.supervisor_code = b.code
     ) SELECT code FROM below`,
    [principal.unit],
  );
  return rows.map((r) => r.code);
}

export async function assertCanSee(pool: Pool, principal: Principal, unit: string, what: string): Promise<void> {
  const units = await visibleUnits(pool, principal);
  if (!units.includes(unit)) throw forbidden(`${what} is not visible to your unit`);
}

export async function assertUnitExists(pool: Pool, unit: string): Promise<void> {
  const { rowCount } = await pool.query('SELECT 1 FROM units WHERE code = $1', [unit]);
  if (!rowCount) throw notFound(`unit ${unit}`);
}
