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

/**
 * THE visibility rule of id-addressed resources (issue 14: no existence oracle). A resource the
 * caller may not see answers exactly what a resource that does not exist answers: `404 {error:
 * "<what> not found"}`, with no unit named, whether it exists in another unit or not at all.
 * `units` are the units whose staff see the resource (its own unit; e.g. for a legal review also the
 * joint and entrusting units); the caller sees it when one of them is its unit or a unit it
 * supervises (visibleUnits).
 */
export async function visibleOr404<T>(pool: Pool, principal: Principal, found: T | null | undefined, units: (row: T) => readonly string[], what: string): Promise<T> {
  if (found === null || found === undefined) throw notFound(what);
  const own = units(found);
  if (own.includes(principal.unit)) return found;
  const visible = await visibleUnits(pool, principal);
  if (!own.some((u) => visible.includes(u))) throw notFound(what);
  return found;
}

/**
 * An action on an id-addressed resource: invisible → the same 404 as a missing one (visibleOr404);
 * visible but not the caller's to act on (a supervising unit reads, it does not act) → 403 that
 * names no unit. `actors` are the units that act on it (default: the units that see it).
 */
export async function actableOr404<T>(
  pool: Pool,
  principal: Principal,
  found: T | null | undefined,
  units: (row: T) => readonly string[],
  what: string,
  actors: (row: T) => readonly string[] = units,
): Promise<T> {
  const row = await visibleOr404(pool, principal, found, units, what);
  if (!actors(row).includes(principal.unit)) throw forbidden(`${what}: your unit may read it, not act on it`);
  return row;
}

/** A resource named by a unit given in the query (e.g. a case: ?unit=): an invisible unit is the same 404 as a missing resource. */
export async function unitVisibleOr404(pool: Pool, principal: Principal, unit: string, what: string): Promise<string> {
  return visibleOr404(pool, principal, unit, (u) => [u], what);
}

/**
 * Unit-coded routes (/api/units/:code/…, ?unit= on lists): unit codes are public (GET /api/units),
 * so a unit the caller may not see is a 403 that names no unit.
 */
export async function assertCanSee(pool: Pool, principal: Principal, unit: string): Promise<void> {
  const units = await visibleUnits(pool, principal);
  if (!units.includes(unit)) throw forbidden('that unit is not visible to yours');
}

export async function assertUnitExists(pool: Pool, unit: string): Promise<void> {
  const { rowCount } = await pool.query('SELECT 1 FROM units WHERE code = $1', [unit]);
  if (!rowCount) throw notFound(`unit ${unit}`);
}
