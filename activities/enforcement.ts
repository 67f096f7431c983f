import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { renderEnforcementDocument, type DocumentFacts, type Party } from '../domain/enforcement/documents';
import type { CourtWindow, EnforcementProjection } from '../domain/enforcement/types';
import { courtWindow, demandLastDay, executionTimeProblem, fineLastDay, substituteMayStart } from '../domain/enforcement/window';
import { STATUTES } from '../domain/statutes';
import { CalendarStore } from '../infra/calendar-store';
import { DocumentStore } from '../infra/document-store';
import { EnforcementStore } from '../infra/enforcement-store';
import { takeDownDisclosuresOfRevokedDecision } from './disclosure';
import { caseFileWorkflowId, enforcementEndedUpdate } from '../workflows/case-file-messages';
import type { ActivityDeps } from './index';
import { permanentUnlessTransient, ValidationError } from './records';

export type EnforcementDateRequest =
  | { kind: 'fineDue'; servedAt: string }
  | { kind: 'demandDeadline'; servedAt: string; workingDays: number }
  | { kind: 'courtWindow'; decisionServedAt: string; demandServedAt: string }
  | { kind: 'substituteMayStart'; servedAt: string }
  | { kind: 'executionTime'; executeAt: string };

export type EnforcementDateResult =
  | { lastDay: string; deadline: string; basis: string; provisional: boolean }
  | { window: CourtWindow }
  | { date: string }
  | { executionTime: 'night' | 'holiday' | 'ok' };

/** Activities of the enforcement process (催告 → 强制执行). Calendar facts are computed here, never in workflow code. */
export function createEnforcementActivities({ pool, temporal }: Pick<ActivityDeps, 'pool' | 'temporal'>) {
  const calendars = new CalendarStore(pool);
  const store = new EnforcementStore(pool);
  const documents = new DocumentStore(pool);
  return {
    async projectEnforcement(projection: EnforcementProjection): Promise<{ applied: boolean }> {
      try {
        return await store.project(projection);
      } catch (err) {
        return permanentUnlessTransient(err);
      }
    },

    async enforcementDates(req: EnforcementDateRequest): Promise<EnforcementDateResult> {
      const cal = await calendars.calendar();
      switch (req.kind) {
        case 'fineDue': {
          const r = fineLastDay(cal, req.servedAt);
          return { lastDay: r.lastDay, deadline: r.deadline, provisional: r.provisional, basis: `收到决定书之日起 ${STATUTES.finePayment.period}（${STATUTES.finePayment.source}）` };
        }
        case 'demandDeadline': {
          const r = demandLastDay(cal, req.servedAt, req.workingDays);
          return { lastDay: r.lastDay, deadline: r.deadline, provisional: r.provisional, basis: `催告书送达之日起 ${req.workingDays} 个工作日（${STATUTES.enforcementDemandPeriod.source}）` };
        }
        case 'courtWindow':
          return { window: courtWindow(cal, req.decisionServedAt, req.demandServedAt) };
        case 'substituteMayStart':
          return { date: substituteMayStart(cal, req.servedAt) };
        case 'executionTime':
          return { executionTime: executionTimeProblem(cal, req.executeAt) ?? 'ok' };
      }
    },

    /**
     * Renders and stores a 催告书 / 代履行催告书 / 强制执行决定书 with the party's data read here from
     * Postgres (never carried by the workflow). Same key and facts → the same document.
     */
    async storeEnforcementDocument(input: { decisionId: string; unit: string; caseNumber: string; idempotencyKey: string; facts: Omit<DocumentFacts, 'unitName'> }): Promise<{ documentId: string; sha256: string; kind: string }> {
      try {
        const { rows } = await pool.query<{ party: Party | null; unit_name: string }>(
          'SELECT d.party, u.name AS unit_name FROM decisions d JOIN units u ON u.code = d.unit_code WHERE d.id = $1',
          [input.decisionId],
        );
        if (!rows[0]) throw new ValidationError(`decision ${input.decisionId} not found`);
        const party: Party = rows[0].party ?? { kind: 'person', name: '（当事人）' };
        const { title, html } = renderEnforcementDocument({ ...input.facts, unitName: rows[0].unit_name }, party);
        const doc = await documents.store({ unit: input.unit, caseNumber: input.caseNumber, kind: input.facts.kind, title, contentType: 'text/html; charset=utf-8', content: html, idempotencyKey: input.idempotencyKey });
        return { documentId: doc.id, sha256: doc.sha256, kind: input.facts.kind };
      } catch (err) {
        return permanentUnlessTransient(err);
      }
    },

    /**
     * Tells the case file (if the case has one) that its enforcement ended: its 30-day archive clock
     * starts. A case file that already knows, or none, is fine.
     */
    async tellCaseFileEnforcementEnded(input: { unit: string; caseNumber: string; endedAt: string; by: string; updateId: string }): Promise<'told' | 'already' | 'no_case_file'> {
      // Issue 12: terminated because the decision was revoked → its disclosure items come down (activities/disclosure.ts).
      await takeDownDisclosuresOfRevokedDecision(pool, temporal, input);
      const { rows } = await pool.query<{ workflow_id: string; status: string }>('SELECT workflow_id, status FROM cases WHERE unit_code = $1 AND case_number = $2', [input.unit, input.caseNumber]);
      if (!rows[0] || !temporal) return 'no_case_file';
      if (rows[0].status !== 'open') return 'already';
      try {
        await temporal.workflow
          .getHandle(rows[0].workflow_id ?? caseFileWorkflowId(input.unit, input.caseNumber))
          .executeUpdate(enforcementEndedUpdate, { args: [{ by: input.by, endedAt: input.endedAt, note: '强制执行程序结束' }], updateId: input.updateId });
        return 'told';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return 'no_case_file';
        if (err instanceof WorkflowUpdateFailedError) return 'already';
        throw err;
      }
    },
  };
}
