// The review staffing target, per unit (API: GET /api/units/:code/review-staffing; the supervisors' daily digest).
import { reviewerQualification } from '../domain/review-rules';
import { loadReviewerProfile } from './review-store';

/** The staffing target: reviewers ≥ 5% of the unit's enforcement officers (本政办发〔2019〕27号; 锦州 plan). */
export const STAFFING_RATIO = 0.05;

/** A unit's review staffing against the target; `belowTarget` null when the officers' number is not reported. */
export async function reviewStaffing(pool: Parameters<typeof loadReviewerProfile>[0], unit: string) {
  const { rows } = await pool.query<{ enforcement_officers: number | null; enforcement_officers_set_at: Date | null }>(
    'SELECT enforcement_officers, enforcement_officers_set_at FROM units WHERE code = $1',
    [unit],
  );
  if (!rows[0]) return null;
  const { rows: people } = await pool.query<{ person_id: string }>('SELECT person_id FROM reviewer_profiles WHERE unit_code = $1', [unit]);
  const profiles = await Promise.all(people.map((p) => loadReviewerProfile(pool, p.person_id)));
  const qualified = profiles.filter((p) => p && reviewerQualification(p).qualified).length;
  const officers = rows[0].enforcement_officers;
  const required = officers === null ? null : Math.ceil(officers * STAFFING_RATIO);
  return {
    unit,
    enforcementOfficers: officers,
    officersReportedAt: rows[0].enforcement_officers_set_at?.toISOString() ?? null,
    qualifiedReviewers: qualified,
    required,
    ratio: officers ? qualified / officers : null,
    belowTarget: required === null ? null : qualified < required,
    basis: '法制审核人员原则上不少于本单位执法人员总数的5%（本政办发〔2019〕27号）',
  };
}

/** Units with a reported number of officers below the target, grouped by their supervising unit (the daily digest). */
export async function understaffedUnitsBySupervisor(pool: Parameters<typeof loadReviewerProfile>[0]): Promise<Array<{ supervisor: string; units: Array<NonNullable<Awaited<ReturnType<typeof reviewStaffing>>>> }>> {
  const { rows } = await pool.query<{ code: string; supervisor_code: string }>(
    'SELECT code, supervisor_code FROM units WHERE supervisor_code IS NOT NULL AND enforcement_officers IS NOT NULL ORDER BY code',
  );
  const out = new Map<string, Array<NonNullable<Awaited<ReturnType<typeof reviewStaffing>>>>>();
  for (const { code, supervisor_code } of rows) {
    const staffing = await reviewStaffing(pool, code);
    if (!staffing?.belowTarget) continue;
    out.set(supervisor_code, [...(out.get(supervisor_code) ?? []), staffing]);
  }
  return [...out.entries()].map(([supervisor, units]) => ({ supervisor, units })).sort((a, b) => a.supervisor.localeCompare(b.supervisor));
}
