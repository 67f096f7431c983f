import { z } from 'zod';
import { LEGAL_REVIEW_RULES, reviewedDraft, reviewRequirement } from '../../domain/review-rules';
import { catalogueContradiction, currentCatalogue } from '../../infra/review-catalogue';
import { CaseRecordStore } from '../../infra/case-record-store';
import { recordDecisionUpdate, type ProjectedReview, type ReviewView } from '../../workflows/legal-review-messages';
import { idempotencyKeyOf } from '../actions';
import { conflict, mapTemporalError } from '../errors';
import { isGone } from '../process-start';
import { reply, type Routes } from '../route';
import type { PartyViewer } from '../../domain/personal-data';
import { visibleUnits } from '../scope';
import { legalInstant } from '../schemas';
import { caseNumberSchema } from './cases';
import { decisionClassification } from './reviews';
import { decisionEnforcementBody, presentDecisionEnforcement, saveDecisionEnforcement } from './decision-service';
import { discloseDecision } from './disclosures';

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
  draft_sha256: string | null;
  review_submission_no: number | null;
  classification: unknown;
  catalogue_version: number | null;
  /** 1 for the case's first decision; a remade decision (重新作出, after its own review) the next. */
  decision_seq: number;
  /** The decision number a remade decision replaces. */
  supersedes: string | null;
}

/** A small allowance for clocks that differ between the caller and the service. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** How long the gate waits for the opinion's two 意见书 copies to reach the case record (they follow the projection by moments). */
const RECORD_WAIT_MS = 5_000;
const gate = (article: string) => `${LEGAL_REVIEW_RULES} ${article}`;

/**
 * The record entries the decision must come after (第二条, 第十三条, 第十四条): the opinion, its two
 * 意见书 copies, and for an overruled opinion the overruling decision, all of the review's workflow.
 */
async function reviewRecordComplete(pool: Parameters<typeof currentCatalogue>[0], unit: string, caseNumber: string, workflowId: string, overruled: boolean): Promise<string[]> {
  const wanted = ['review.opinion', 'review.opinion.archived', 'review.opinion.returned_to_handler', ...(overruled ? ['review.opinion_overruled'] : [])];
  const until = Date.now() + RECORD_WAIT_MS;
  for (;;) {
    const { rows } = await pool.query<{ action: string }>(
      `SELECT DISTINCT action FROM case_record WHERE unit_code = $1 AND case_number = $2 AND payload->>'workflowId' = $3 AND action = ANY($4)`,
      [unit, caseNumber, workflowId, wanted],
    );
    const missing = wanted.filter((a) => !rows.some((r) => r.action === a));
    if (missing.length === 0 || Date.now() > until) return missing;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const present = (r: DecisionRow, viewer: PartyViewer) => ({
  unit: r.unit_code,
  caseNumber: r.case_number,
  decisionNumber: r.decision_number,
  decidedAt: r.decided_at.toISOString(),
  recordedBy: r.recorded_by,
  reviewId: r.review_id,
  basis: r.basis,
  basisDetail: r.basis_detail,
  flagged: r.flagged,
  draftSha256: r.draft_sha256,
  reviewSubmissionNo: r.review_submission_no,
  classification: r.classification ?? null,
  catalogueVersion: r.catalogue_version,
  decisionSeq: r.decision_seq,
  supersedes: r.supersedes,
  ...presentDecisionEnforcement(r, viewer),
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
        /** The SHA-256 of the decision's text: for a reviewed case, the draft the review passed (a different text needs a new review). */
        draftSha256: z.string().trim().toLowerCase().regex(/^[0-9a-f]{64}$/, 'SHA-256 in hex').optional(),
        /** Only for a case with no review on record: why none is needed (checked against the unit's 目录清单, 第十八条). */
        classification: z.object({ ...decisionClassification, matter: z.string().trim().min(1).max(200).optional() }).optional(),
        /** Issue 11: kind, party, obligation, enforcementPower (decision-service.ts). */
        ...decisionEnforcementBody,
      }),
      responses: {
        201: { description: 'recorded (flagged when the opinion was overruled)' },
        200: { description: 'this decision was already recorded' },
        409: { description: 'review required and not passed, or another decision is recorded for the case' },
      },
    },
    async ({ body, principal, deps, req }) => {
      const unit = principal.unit;
      const { rows: existing } = await deps.pool.query<DecisionRow>('SELECT * FROM decisions WHERE unit_code = $1 AND case_number = $2 ORDER BY decision_seq DESC', [unit, body.caseNumber]);
      const same = existing.find((d) => d.decision_number === body.decisionNumber);
      if (same) {
        if (!(await recordedThroughReview(deps.pool, same))) await appendDecisionRecord(deps.pool, same);
        await discloseDecision(deps, same); // issue 12: the item exists (idempotent; a retry after a crash creates it)
        return reply(200, present(same, principal));
      }
      const latestDecision = existing[0];
      let recordedByReview = false;

      let basis: Basis;
      let basisDetail: string;
      let reviewId: string | null = null;
      let draftSha256: string | null = null;
      let reviewSubmissionNo: number | null = null;
      let classification: unknown = null;
      let catalogueVersion: number | null = null;
      const decidedAtMs = Date.parse(body.decidedAt);
      if (decidedAtMs > Date.now() + CLOCK_SKEW_MS) {
        throw conflict(`决定日期 ${body.decidedAt} 晚于当前时间：不能记录尚未作出的决定`, { rule: 'decided_in_future', basis: gate('第二条') });
      }
      // The case's latest submission decides (earlier ones, e.g. withdrawn, are kept but superseded).
      const { rows: reviews } = await deps.pool.query<{ id: string; status: string; view: ProjectedReview | null; workflow_id: string; submission_no: number }>(
        'SELECT id, status, view, workflow_id, submission_no FROM reviews WHERE unit_code = $1 AND case_number = $2 ORDER BY submission_no DESC LIMIT 1',
        [unit, body.caseNumber],
      );
      const review = reviews[0];
      // A remade decision (重新作出) is the case's next decision, and only after its own review (a submission after the latest decision's).
      if (latestDecision && !(review && review.submission_no > (latestDecision.review_submission_no ?? 0) && latestDecision.review_id !== review.id)) {
        throw conflict(`案件 ${body.caseNumber} 已记录决定 ${latestDecision.decision_number}；重新作出决定的，须先就重新作出的决定送审（POST /api/reviews，remake: true）`, {
          rule: 'one_decision_per_case',
          basis: gate('第二条'),
          decisionNumber: latestDecision.decision_number,
        });
      }
      if (review) {
        reviewId = review.id;
        reviewSubmissionNo = review.submission_no;
        // The decision is recorded through the review itself (its recordDecision Update): validated against the
        // opinion (or the overruling) and the reviewed draft, and entered in the case record after them by construction.
        const through = review.status === 'passed' || review.status === 'overruled' ? await decideThroughReview(deps, review, { ...body, by: principal.personId }, idempotencyKeyOf(req)) : 'gone';
        if (through !== 'gone') {
          recordedByReview = true;
          if (through.draftSha256) draftSha256 = through.draftSha256;
        }
        if (through === 'gone' && (review.status === 'passed' || review.status === 'overruled')) {
          // A review whose workflow ended at its opinion (before decisions went through the review): the gate checks the record.
          const overruled = review.status === 'overruled';
          const round = review.view?.rounds?.[review.view.rounds.length - 1];
          // 1. The decision comes after the opinion, both 意见书 copies (and the overruling decision) in the case record.
          const missing = await reviewRecordComplete(deps.pool, unit, body.caseNumber, review.workflow_id, overruled);
          if (missing.length) {
            throw conflict(`案件 ${body.caseNumber} 的审核意见书尚未全部入卷（缺 ${missing.join('、')}）：决定须在审核意见及其两份意见书记录之后记录，请稍后重试`, {
              rule: 'review_record_incomplete',
              basis: gate('第十三条、第十四条'),
              missing,
            });
          }
          // 2. Not dated before the passed opinion, or before the decision that overruled it.
          const since = overruled ? review.view?.dispute?.decision?.at : review.view?.opinion?.at;
          if (since && decidedAtMs < Date.parse(since)) {
            throw conflict(`决定日期 ${body.decidedAt} 早于${overruled ? '负责人/集体讨论不采纳审核意见的决定' : '审核通过'}（${since}）：未经审核不得作出决定`, {
              rule: 'decided_before_review',
              basis: gate(overruled ? '第二条、第十四条' : '第二条'),
              reviewedAt: since,
            });
          }
          // 3. The decision is the draft that was reviewed (its hash); a different text needs a new review.
          const draft = round ? reviewedDraft(round.materials) : undefined;
          if (draft?.sha256) {
            if (!body.draftSha256) throw conflict('须提供决定书文本的 SHA-256（draftSha256），以证明作出的决定即经审核的决定书草案', { rule: 'draft_hash_required', basis: gate('第二条') });
            if (body.draftSha256 !== draft.sha256) {
              throw conflict(`决定书文本（${body.draftSha256}）不是经法制审核的草案（${draft.sha256}）：文本改变的，须重新送审`, {
                rule: 'draft_not_reviewed',
                basis: gate('第二条、第十四条'),
                reviewedSha256: draft.sha256,
              });
            }
            draftSha256 = draft.sha256;
          } else if (body.draftSha256) {
            draftSha256 = body.draftSha256;
          }
        }
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
        // 第十八条: the unit's catalogue (data, with its versions) is checked; a classification it contradicts is refused.
        const catalogue = await currentCatalogue(deps.pool, unit);
        const contradiction = catalogue ? catalogueContradiction(catalogue.items, body.classification) : undefined;
        if (catalogue && contradiction) {
          throw conflict(
            `本机关法制审核目录清单（第 ${catalogue.version} 版）列有“${contradiction.description}”，与所述分类（未列入目录）矛盾：该决定应当进行法制审核（${LEGAL_REVIEW_RULES} 第十八条）`,
            { rule: 'catalogue_contradicts', basis: gate('第十八条'), catalogueVersion: catalogue.version, item: contradiction },
          );
        }
        basis = 'review_not_required';
        basisDetail = requirement.reason;
        classification = body.classification;
        catalogueVersion = catalogue?.version ?? null;
        draftSha256 = body.draftSha256 ?? null;
      } else {
        throw conflict(
          `案件 ${body.caseNumber} 没有法制审核记录：重大行政执法决定须先送审（POST /api/reviews）；不属于重大决定的，请在 classification 中写明决定类别、程序和第六条情形`,
          { rule: 'review_unknown', basis: `${LEGAL_REVIEW_RULES} 第二条、第六条`, reviewRequired: 'unknown' },
        );
      }

      const flagged = basis === 'head_overruled' || basis === 'collective_overruled';
      const inserted = await deps.pool.query<DecisionRow>(
        `INSERT INTO decisions (unit_code, case_number, decision_number, decided_at, recorded_by, review_id, basis, basis_detail, flagged,
                                draft_sha256, review_submission_no, classification, catalogue_version, decision_seq, supersedes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING RETURNING *`,
        [
          unit,
          body.caseNumber,
          body.decisionNumber,
          body.decidedAt,
          principal.personId,
          reviewId,
          basis,
          basisDetail,
          flagged,
          draftSha256,
          reviewSubmissionNo,
          classification === null ? null : JSON.stringify(classification),
          catalogueVersion,
          (latestDecision?.decision_seq ?? 0) + 1,
          latestDecision?.decision_number ?? null,
        ],
      );
      // Lost a race with another request for this case or this decision number.
      if (!inserted.rows[0]) throw conflict(`case ${body.caseNumber} or decision ${body.decisionNumber} was recorded meanwhile`, { rule: 'one_decision_per_case', basis: null });
      // Recorded by the review's workflow already (after the opinion and its copies); otherwise here.
      if (!recordedByReview) await appendDecisionRecord(deps.pool, inserted.rows[0]);
      const saved = await saveDecisionEnforcement(deps.pool, inserted.rows[0], { ...body, classification: body.classification ?? null });
      await discloseDecision(deps, saved); // issue 12: the disclosure item and its start (disclosures.ts)
      return reply(201, present(saved, principal));
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
      return { items: rows.map((r) => present(r, principal)) };
    },
  );
}

/**
 * Records the decision through the review's workflow (its `recordDecision` Update; the
 * Idempotency-Key becomes the update id, so a retried request gets the first answer). Answers the
 * decision as the review recorded it, or 'gone' when the workflow has ended without one (a review
 * that ended at its opinion, before decisions went through the review). Refusals are 409 {error, rule, basis}.
 */
async function decideThroughReview(
  deps: Parameters<Parameters<Routes['add']>[1]>[0]['deps'],
  review: { workflow_id: string; view: ProjectedReview | null },
  decision: { by: string; decisionNumber: string; decidedAt: string; draftSha256?: string },
  key: string | undefined,
): Promise<NonNullable<ReviewView['decision']> | 'gone'> {
  const already = review.view?.decision;
  if (already?.decisionNumber === decision.decisionNumber) return already; // recorded by the review; the row was not written yet
  if (already) throw conflict(`本次审核已记录决定 ${already.decisionNumber}；重新作出决定须重新送审`, { rule: 'one_decision_per_review', basis: gate('第二条') });
  let result: ReviewView;
  try {
    result = await deps.temporal.workflow.getHandle(review.workflow_id).executeUpdate(recordDecisionUpdate, {
      args: [{ by: decision.by, decisionNumber: decision.decisionNumber, decidedAt: decision.decidedAt, ...(decision.draftSha256 ? { draftSha256: decision.draftSha256 } : {}) }],
      ...(key ? { updateId: `decision:${key}` } : {}),
    });
  } catch (err) {
    if (isGone(err)) return 'gone';
    throw mapTemporalError(err) ?? err;
  }
  if (result.decision?.decisionNumber !== decision.decisionNumber) {
    throw conflict(`Idempotency-Key 已用于记录决定 ${result.decision?.decisionNumber}`, { rule: 'idempotency_key_reused', basis: null });
  }
  return result.decision;
}

/** The review's workflow recorded this decision in the case record itself. */
async function recordedThroughReview(pool: ConstructorParameters<typeof CaseRecordStore>[0], d: DecisionRow): Promise<boolean> {
  if (!d.review_id) return false;
  const { rows } = await pool.query<{ n: string | null }>(`SELECT view->'decision'->>'decisionNumber' AS n FROM reviews WHERE id = $1`, [d.review_id]);
  return rows[0]?.n === d.decision_number;
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
    payload: {
      decisionNumber: d.decision_number,
      basis: d.basis,
      reviewId: d.review_id,
      flagged: d.flagged,
      // The recorded decision quotes the reviewed draft's hash (第二条); a decision without review keeps its classification (第十八条).
      draftSha256: d.draft_sha256,
      reviewSubmissionNo: d.review_submission_no,
      ...(d.classification ? { classification: d.classification, catalogueVersion: d.catalogue_version } : {}),
    },
    idempotencyKey: `decision:${d.unit_code}:${d.case_number}:${d.decision_number}`,
  });
}
