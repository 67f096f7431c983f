import { z } from 'zod';
import { LEGAL_REVIEW_RULES, reviewRequirement } from '../../domain/review-rules';
import { CaseRecordStore } from '../../infra/case-record-store';
import type { ProjectedReview } from '../../workflows/legal-review-messages';
import { conflict } from '../errors';
import { reply, type Routes } from '../route';
import { visibleUnits } from '../scope';
import { legalInstant } from '../schemas';
import { caseNumberSchema } from './cases';
import { decisionClassification } from './reviews';

type Basis = 'review_passed' | 'head_overruled' | 'collective_overruled' | 'review_not_required';

interface DecisionRow {
  unit_code: string;
  case_number: string;
  decision_number: string;
  decided_at: Date;
  recorded_by: string;
  review_id: string | null;
  basis: Basis;
  basis_detail: string;
  flagged: boolean;
}

const present = (r: DecisionRow) => ({
  unit: r.unit_code,
  caseNumber: r.case_number,
  decisionNumber: r.decision_number,
  decidedAt: r.decided_at.toISOString(),
  recordedBy: r.recorded_by,
  reviewId: r.review_id,
  basis: r.basis,
  basisDetail: r.basis_detail,
  flagged: r.flagged,
});

/**
 * The gate of 第二条 and 第十四条: a major decision is recorded only after its review passed, or
 * after the head / a collective discussion overruled the opinion (recorded, and flagged for
 * supervisors: 第十六条第（一）项). A case without a review must show, by its classification, that it
 * needs none.
 */
export function decisionRoutes(routes: Routes): void {
  routes.add(
    {
      method: 'post',
      path: '/api/decisions',
      tag: 'reviews',
      summary: 'Record that a decision was made; refused (409) for a major decision whose legal review has not passed',
      roles: ['handler', 'head'],
      body: z.object({
        caseNumber: caseNumberSchema,
        decisionNumber: z.string().trim().min(1).max(100),
        decidedAt: legalInstant,
        /** Only for a case with no review on record: why none is needed. */
        classification: z.object(decisionClassification).optional(),
      }),
      responses: {
        201: { description: 'recorded (flagged when the opinion was overruled)' },
        200: { description: 'this decision was already recorded' },
        409: { description: 'review required and not passed, or another decision is recorded for the case' },
      },
    },
    async ({ body, principal, deps }) => {
      const unit = principal.unit;
      const { rows: existing } = await deps.pool.query<DecisionRow>('SELECT * FROM decisions WHERE unit_code = $1 AND case_number = $2', [unit, body.caseNumber]);
      if (existing[0]) {
        if (existing[0].decision_number !== body.decisionNumber) throw conflict(`case ${body.caseNumber} already has decision ${existing[0].decision_number}`, { rule: 'one_decision_per_case', basis: null });
        await appendDecisionRecord(deps.pool, existing[0]);
        return reply(200, present(existing[0]));
      }

      let basis: Basis;
      let basisDetail: string;
      let reviewId: string | null = null;
      const { rows: reviews } = await deps.pool.query<{ id: string; status: string; view: ProjectedReview | null }>(
        'SELECT id, status, view FROM reviews WHERE unit_code = $1 AND case_number = $2',
        [unit, body.caseNumber],
      );
      const review = reviews[0];
      if (review) {
        reviewId = review.id;
        if (review.status === 'passed') {
          basis = 'review_passed';
          basisDetail = `法制审核通过（${review.view?.opinion?.at ?? ''}）`;
        } else if (review.status === 'overruled') {
          const decision = review.view?.dispute?.decision;
          basis = decision?.outcome === 'collective' ? 'collective_overruled' : 'head_overruled';
          basisDetail = review.view?.flagReason ?? '未采纳法制审核意见';
        } else {
          throw conflict(`案件 ${body.caseNumber} 的法制审核尚未通过（状态 ${review.status}）：未经审核或审核未通过的，不得作出重大行政执法决定（${LEGAL_REVIEW_RULES} 第二条、第十四条）`, {
            rule: 'review_not_passed',
            basis: `${LEGAL_REVIEW_RULES} 第二条、第十四条`,
            reviewId: review.id,
            reviewStatus: review.status,
          });
        }
      } else if (body.classification) {
        const requirement = reviewRequirement(body.classification);
        if (requirement.required) {
          throw conflict(
            `案件 ${body.caseNumber} 属于应当进行法制审核的重大行政执法决定（${requirement.grounds.map((g) => `${g.text}，${g.basis}`).join('；')}），尚未送审：未经审核不得作出决定（${LEGAL_REVIEW_RULES} 第二条）`,
            { rule: 'review_required', basis: `${LEGAL_REVIEW_RULES} 第二条`, reviewRequired: true },
          );
        }
        basis = 'review_not_required';
        basisDetail = requirement.reason;
      } else {
        throw conflict(
          `案件 ${body.caseNumber} 没有法制审核记录：重大行政执法决定须先送审（POST /api/reviews）；不属于重大决定的，请在 classification 中写明决定类别、程序和第六条情形`,
          { rule: 'review_unknown', basis: `${LEGAL_REVIEW_RULES} 第二条、第六条`, reviewRequired: 'unknown' },
        );
      }

      const flagged = basis === 'head_overruled' || basis === 'collective_overruled';
      const inserted = await deps.pool.query<DecisionRow>(
        `INSERT INTO decisions (unit_code, case_number, decision_number, decided_at, recorded_by, review_id, basis, basis_detail, flagged)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING *`,
        [unit, body.caseNumber, body.decisionNumber, body.decidedAt, principal.personId, reviewId, basis, basisDetail, flagged],
      );
      // Lost a race with another request for this case or this decision number.
      if (!inserted.rows[0]) throw conflict(`case ${body.caseNumber} or decision ${body.decisionNumber} was recorded meanwhile`, { rule: 'one_decision_per_case', basis: null });
      await appendDecisionRecord(deps.pool, inserted.rows[0]);
      return reply(201, present(inserted.rows[0]));
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/decisions',
      tag: 'reviews',
      summary: 'Recorded decisions of the visible units; flagged=true lists those made against the legal opinion',
      roles: [],
      query: z.object({ flagged: z.enum(['true', 'false']).transform((v) => v === 'true').optional(), unit: z.string().optional() }),
    },
    async ({ query, principal, deps }) => {
      const units = await visibleUnits(deps.pool, principal);
      const wanted = query.unit ? units.filter((u) => u === query.unit) : units;
      const { rows } = await deps.pool.query<DecisionRow>(
        `SELECT * FROM decisions WHERE unit_code = ANY($1) AND ($2::boolean IS NULL OR flagged = $2) ORDER BY decided_at DESC LIMIT 500`,
        [wanted, query.flagged ?? null],
      );
      return { items: rows.map(present) };
    },
  );
}

/** The decision in the case record (stage decision); a retried request appends it once. */
async function appendDecisionRecord(pool: ConstructorParameters<typeof CaseRecordStore>[0], d: DecisionRow): Promise<void> {
  await new CaseRecordStore(pool).append({
    unit: d.unit_code,
    caseNumber: d.case_number,
    stage: 'decision',
    actor: d.recorded_by,
    action: d.flagged ? 'decision.made_against_review_opinion' : 'decision.made',
    summary: `作出决定 ${d.decision_number}：${d.basis_detail}`,
    occurredAt: d.decided_at.toISOString(),
    payload: { decisionNumber: d.decision_number, basis: d.basis, reviewId: d.review_id, flagged: d.flagged },
    idempotencyKey: `decision:${d.unit_code}:${d.case_number}:${d.decision_number}`,
  });
}
