import type { Pool } from 'pg';
import { z } from 'zod';
import { AnchorStore } from '../../infra/anchor-store';
import { CaseRecordStore } from '../../infra/case-record-store';
import { DocumentStore } from '../../infra/document-store';
import type { Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';
import type { Routes } from '../route';
import { assertCanSee, visibleUnits } from '../scope';
import { caseNumberSchema } from './cases';

const caseParams = z.object({ caseNumber: caseNumberSchema });
const unitQuery = z.object({ unit: z.string().optional() });

const documentRef = z.object({ documentId: z.string(), sha256: z.string(), kind: z.string() });
const entrySchema = z.object({
  seq: z.number(),
  stage: z.string(),
  actor: z.string(),
  unit: z.string(),
  action: z.string(),
  summary: z.string(),
  occurredAt: z.string(),
  recordedAt: z.string(),
  documents: z.array(documentRef),
  payload: z.record(z.string(), z.unknown()),
  idempotencyKey: z.string(),
  prevHash: z.string(),
  hash: z.string(),
});

/** The case record (执法全过程记录) and the documents the processes generated. */
export function recordRoutes(routes: Routes): void {
  const storesOf = (pool: Pool) => ({ records: new CaseRecordStore(pool), documents: new DocumentStore(pool) });

  /** The unit whose case is asked for: the caller's own, or (for a supervisor) ?unit=. */
  const caseUnit = async (deps: ApiDeps, principal: Principal, unit: string | undefined, caseNumber: string) => {
    const target = unit ?? principal.unit;
    await assertCanSee(deps.pool, principal, target, `case ${caseNumber}`);
    return target;
  };

  routes.add(
    {
      method: 'get',
      path: '/api/cases/:caseNumber/record',
      tag: 'records',
      summary: "A case's append-only record: every step with actor, time, documents (SHA-256) and the hash chain",
      roles: [],
      params: caseParams,
      query: unitQuery,
      responses: { 200: { description: 'the record', schema: z.object({ unit: z.string(), caseNumber: z.string(), entries: z.array(entrySchema) }) } },
    },
    async ({ params, query, principal, deps }) => {
      const unit = await caseUnit(deps, principal, query.unit, params.caseNumber);
      const entries = await storesOf(deps.pool).records.list(unit, params.caseNumber);
      if (entries.length === 0) {
        const { rowCount } = await deps.pool.query('SELECT 1 FROM cases WHERE unit_code = $1 AND case_number = $2', [unit, params.caseNumber]);
        if (!rowCount) throw notFound(`case ${params.caseNumber}`);
      }
      return { unit, caseNumber: params.caseNumber, entries };
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/cases/:caseNumber/record/verify',
      tag: 'records',
      summary: "Recomputes the case record's hash chain from the stored entries and names the first entry that does not hold; then checks the case against the last published anchor (GET /public/anchors): a removed tail or a rewritten chain no longer matches the anchored head",
      roles: [],
      params: caseParams,
      query: unitQuery,
    },
    async ({ params, query, principal, deps }) => {
      const unit = await caseUnit(deps, principal, query.unit, params.caseNumber);
      const chain = await storesOf(deps.pool).records.verify(unit, params.caseNumber);
      // The chain alone cannot see a removed tail (what remains still links) nor a chain rewritten
      // from its start: the anchor published outside the database can.
      const anchor = await new AnchorStore(deps.pool).checkCase(unit, params.caseNumber);
      const anchorHolds = !anchor.anchored || anchor.holds;
      return { ...chain, valid: chain.valid && anchorHolds, chainValid: chain.valid, anchor };
    },
  );

  routes.add(
    { method: 'get', path: '/api/cases/:caseNumber/documents', tag: 'records', summary: "The documents generated for a case (metadata and SHA-256)", roles: [], params: caseParams, query: unitQuery },
    async ({ params, query, principal, deps }) => {
      const unit = await caseUnit(deps, principal, query.unit, params.caseNumber);
      return storesOf(deps.pool).documents.listForCase(unit, params.caseNumber);
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/api/documents/:id',
      tag: 'records',
      summary: 'A generated document as stored, with its content type; X-Content-SHA256 carries the hash the case record quotes',
      roles: [],
      params: z.object({ id: z.uuid() }),
      responses: { 200: { description: 'the document' }, 404: { description: 'no such document in the units the caller can see' } },
    },
    async ({ params, principal, deps, res }) => {
      const doc = await storesOf(deps.pool).documents.get(params.id);
      // Another unit's document is "not found": its existence is not the caller's business.
      if (!doc || !(await visibleUnits(deps.pool, principal)).includes(doc.unit)) throw notFound(`document ${params.id}`);
      res.setHeader('X-Content-SHA256', doc.sha256);
      res.setHeader('ETag', `"sha256-${doc.sha256}"`);
      // A stored document is shown, never run: nosniff (app-wide), a sandboxing CSP, and its file name.
      res.setHeader('Content-Disposition', `inline; filename="document"; filename*=UTF-8''${encodeURIComponent(doc.title)}`);
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; sandbox");
      return { status: 200, body: doc.content, contentType: doc.contentType };
    },
  );
}
