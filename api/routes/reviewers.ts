import { z } from 'zod';
import { loadReviewerProfile } from '../../infra/review-store';
import { reviewerQualification, type ReviewerProfile } from '../../domain/review-rules';
import { forbidden, notFound } from '../errors';
import { reply, type Routes } from '../route';
import { visibleUnits } from '../scope';

const years = z.number().min(0).max(80);

/** The profile with what it allows: qualified at all (第七条), and for penalties (first-time rule). */
function withQualification(p: ReviewerProfile) {
  const q = reviewerQualification(p);
  return {
    ...p,
    qualified: q.qualified,
    qualificationGrounds: q.grounds,
    mayReviewPenalties: q.qualified && (p.reviewedPenaltyBefore || p.legalProfessionQualification),
  };
}

/** 法制审核人员 of a unit (第七条; 本政办发〔2019〕27号), kept by its head or an admin. */
export function reviewerRoutes(routes: Routes): void {
  routes.add(
    {
      method: 'put',
      path: '/api/reviewers/:personId',
      tag: 'reviews',
      summary: "Record or correct a reviewer's qualifications in the caller's unit",
      roles: ['head', 'admin'],
      params: z.object({ personId: z.string().trim().min(1).max(100) }),
      body: z.object({
        name: z.string().trim().min(1).max(100),
        lawDegree: z.boolean(),
        legalWorkYears: years,
        enforcementYears: years,
        legalProfessionQualification: z.boolean(),
        // "Has reviewed a penalty before" is not declared: the service sets it when this person's opinion on a penalty is recorded (issue 10).
      }),
      responses: { 201: { description: 'recorded' }, 200: { description: 'corrected' }, 403: { description: 'the person is a reviewer of another unit' } },
    },
    async ({ params, body, principal, deps }) => {
      const existing = await loadReviewerProfile(deps.pool, params.personId);
      if (existing && existing.unit !== principal.unit) throw forbidden(`reviewer ${params.personId} belongs to another unit`);
      await deps.pool.query(
        `INSERT INTO reviewer_profiles (person_id, unit_code, name, law_degree, legal_work_years, enforcement_years, legal_profession_qualification, reviewed_penalty_before, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, false, $8)
         ON CONFLICT (person_id) DO UPDATE SET name = EXCLUDED.name, law_degree = EXCLUDED.law_degree, legal_work_years = EXCLUDED.legal_work_years,
           enforcement_years = EXCLUDED.enforcement_years, legal_profession_qualification = EXCLUDED.legal_profession_qualification,
           updated_by = EXCLUDED.updated_by, updated_at = now()`,
        [params.personId, principal.unit, body.name, body.lawDegree, body.legalWorkYears, body.enforcementYears, body.legalProfessionQualification, principal.personId],
      );
      const saved = (await loadReviewerProfile(deps.pool, params.personId))!;
      // The qualification's history: who changed what, when (第七条).
      await deps.pool.query('INSERT INTO reviewer_profile_history (person_id, unit_code, changed_by, before, after) VALUES ($1, $2, $3, $4, $5)', [
        params.personId,
        principal.unit,
        principal.personId,
        existing ? JSON.stringify(existing) : null,
        JSON.stringify(saved),
      ]);
      return reply(existing ? 200 : 201, withQualification(saved));
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/reviewers',
      tag: 'reviews',
      summary: "A unit's reviewers with their qualification (default: the caller's unit)",
      roles: [],
      query: z.object({ unit: z.string().optional() }),
    },
    async ({ query, principal, deps }) => {
      const unit = query.unit ?? principal.unit;
      if (!(await visibleUnits(deps.pool, principal)).includes(unit)) throw forbidden('that unit is not visible to yours');
      const { rows } = await deps.pool.query<{ person_id: string }>('SELECT person_id FROM reviewer_profiles WHERE unit_code = $1 ORDER BY name', [unit]);
      const profiles = await Promise.all(rows.map((r) => loadReviewerProfile(deps.pool, r.person_id)));
      const items = profiles.filter((p): p is ReviewerProfile => p !== null).map(withQualification);
      return { unit, items, qualified: items.filter((p) => p.qualified).length };
    },
  );

  routes.add(
    { method: 'get', path: '/api/reviewers/:personId', tag: 'reviews', summary: "A reviewer's profile and qualification", roles: [], params: z.object({ personId: z.string().trim().min(1).max(100) }) },
    async ({ params, principal, deps }) => {
      const profile = await loadReviewerProfile(deps.pool, params.personId);
      if (!profile || !(await visibleUnits(deps.pool, principal)).includes(profile.unit)) throw notFound(`reviewer ${params.personId}`);
      return withQualification(profile);
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/reviewers/:personId/history',
      tag: 'reviews',
      summary: "A reviewer's qualification history: every change with who made it and when",
      roles: [],
      params: z.object({ personId: z.string().trim().min(1).max(100) }),
    },
    async ({ params, principal, deps }) => {
      const profile = await loadReviewerProfile(deps.pool, params.personId);
      if (!profile || !(await visibleUnits(deps.pool, principal)).includes(profile.unit)) throw notFound(`reviewer ${params.personId}`);
      const { rows } = await deps.pool.query(
        'SELECT changed_by AS "changedBy", changed_at AS "changedAt", before, after FROM reviewer_profile_history WHERE person_id = $1 ORDER BY id',
        [params.personId],
      );
      return { personId: params.personId, items: rows };
    },
  );
}
