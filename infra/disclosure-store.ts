import type { Pool } from 'pg';
import { publicViewOf, type DecisionFacts } from '../domain/disclosure/content';
import type { PartyData } from '../domain/disclosure/mask';
import type { CorrectionState, DisclosureProjection, DisclosureState } from '../domain/disclosure/types';

type Queryable = Pick<Pool, 'query'>;

/** The facts of an item's decision (with the party, which never leaves Postgres unmasked). */
export async function decisionFactsOf(db: Queryable, disclosureId: string): Promise<DecisionFacts | undefined> {
  const { rows } = await db.query(
    `SELECT x.case_number, x.kind AS item_kind, x.decision_number AS item_number, x.decided_at AS item_date, x.public_view, x.facts,
            d.party, d.obligation, d.classification, d.decision_number, d.decided_at, u.name AS unit_name
       FROM disclosures x JOIN units u ON u.code = x.unit_code LEFT JOIN decisions d ON d.id = x.decision_id
      WHERE x.id = $1`,
    [disclosureId],
  );
  const r = rows[0];
  if (!r) return undefined;
  const decidedAt = r.item_date ?? r.decided_at;
  if (r.facts) {
    // An inspection result (no decision): what was inspected, found and concluded.
    const f = r.facts as { party: PartyData | null; content: string; result: string };
    return { caseNumber: r.case_number, kind: r.item_kind, decisionNumber: r.item_number ?? null, decidedAt: decidedAt ? new Date(decidedAt).toISOString() : null, party: f.party, obligation: null, matter: f.content, result: f.result, unitName: r.unit_name };
  }
  return {
    caseNumber: r.case_number,
    kind: r.item_kind,
    decisionNumber: r.item_number ?? r.decision_number ?? null,
    decidedAt: decidedAt ? new Date(decidedAt).toISOString() : null,
    party: (r.party as PartyData | null) ?? null,
    obligation: r.obligation ?? null,
    matter: (r.classification as { matter?: string } | null)?.matter ?? null,
    unitName: r.unit_name,
  };
}

/**
 * The `disclosures` table: the API inserts the row with its start request; the disclosure workflow
 * keeps status, clock and dates current, and this store builds `public_view` (masked) from the
 * decision in Postgres and the item's corrections. The newest run wins (workflow time, then revision).
 */
export class DisclosureStore {
  constructor(private readonly pool: Queryable) {}

  async project(p: DisclosureProjection): Promise<{ applied: boolean }> {
    const v: DisclosureState = p.view;
    const facts = await decisionFactsOf(this.pool, v.disclosureId);
    const publicView = facts ? publicViewOf(facts, v.corrections) : null;
    const lastCheck = v.checks.at(-1);
    const { rowCount } = await this.pool.query(
      `UPDATE disclosures AS x SET status = $2, view = $3, revision = $4, run_id = $5, run_started_at = $6, as_of = $7,
              deadline = $8, warning_level = $9, overdue = $10, published_at = $11, takedown_at = $12, taken_down_at = $13,
              takedown_reason = $14, takedown_explanation = $15, public_view = $16, checked_by = $17, checked_at = $18, check_note = $19,
              updated_at = now()
        WHERE x.workflow_id = $1 AND (COALESCE(x.as_of, '-infinity'::timestamptz), x.revision) < ($7::timestamptz, $4::integer)`,
      [
        p.workflowId,
        v.status,
        JSON.stringify(v),
        v.revision,
        p.runId,
        p.runStartedAt,
        p.asOf,
        v.clock?.deadline ?? null,
        v.clock?.level ?? 'none',
        v.overdue,
        v.publishedAt ?? null,
        v.takedownAt ?? null,
        v.takenDownAt ?? null,
        v.takedownReason ?? null,
        v.takedownExplanation ?? null,
        publicView ? JSON.stringify(publicView) : null,
        lastCheck?.by ?? null,
        lastCheck?.at ?? null,
        lastCheck?.note ?? null,
      ],
    );
    return { applied: (rowCount ?? 0) > 0 };
  }

  async projectCorrection(p: { workflowId: string; runId: string; asOf: string; view: CorrectionState }): Promise<{ applied: boolean }> {
    const v = p.view;
    const { rowCount } = await this.pool.query(
      `UPDATE disclosure_corrections AS c SET status = $2, view = $3, revision = $4, run_id = $5, as_of = $6, deadline = $7, warning_level = $8,
              overdue = $9, decided_by = $10, decided_at = $11, outcome_reason = $12, updated_at = now()
        WHERE c.workflow_id = $1 AND (COALESCE(c.as_of, '-infinity'::timestamptz), c.revision) < ($6::timestamptz, $4::integer)`,
      [p.workflowId, v.status, JSON.stringify(v), v.revision, p.runId, p.asOf, v.clock?.deadline ?? null, v.clock?.level ?? 'none', v.overdue, v.decidedBy ?? null, v.decidedAt ?? null, v.reason ?? null],
    );
    return { applied: (rowCount ?? 0) > 0 };
  }
}
