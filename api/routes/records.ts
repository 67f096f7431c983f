import type { Pool } from 'pg';
import { z } from 'zod';
import { AnchorStore } from '../../infra/anchor-store';
import { CaseRecordStore } from '../../infra/case-record-store';
import { DocumentStore } from '../../infra/document-store';
import type { Principal } from '../auth';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';
import type { Routes } from '../route';
import { textAsSeen, type PartyViewer } from '../../domain/personal-data';
import { unitVisibleOr404, visibleOr404 } from '../scope';
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
  const caseUnit = async (deps: ApiDeps, principal: Principal, unit: string | undefined, caseNumber: string) =>
    unitVisibleOr404(deps.pool, principal, unit ?? principal.unit, `case ${caseNumber}`);

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
      const docs = await storesOf(deps.pool).documents.listForCase(unit, params.caseNumber);
      const parties = await casePartiesOf(deps.pool, unit, params.caseNumber);
      return docs.map((d) => ({ ...d, title: textAsSeen(d.title, principal, [unit], parties) }));
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
      // Another unit's document is "not found": its existence is not the caller's business.
      const doc = await visibleOr404(deps.pool, principal, await storesOf(deps.pool).documents.get(params.id), (d) => [d.unit], `document ${params.id}`);
      const shown = await documentAsSeen(deps.pool, principal, doc);
      res.setHeader('X-Content-SHA256', doc.sha256);
      // The masked copy of a text document (a supervisor's view) is not the stored document: its own ETag, and it says so.
      res.setHeader('ETag', shown.masked ? `"sha256-${doc.sha256}-masked"` : `"sha256-${doc.sha256}"`);
      if (shown.masked) res.setHeader('X-Content-Masked', 'party-data');
      // A stored document is shown, never run: nosniff (app-wide), a sandboxing CSP, and its file name.
      res.setHeader('Content-Disposition', `inline; filename="document"; filename*=UTF-8''${encodeURIComponent(shown.title)}`);
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; sandbox");
      return { status: 200, body: shown.content, contentType: doc.contentType };
    },
  );
}

/** The parties of a case as Postgres holds them: its decisions' and its legal reviews' (the workflows carry none). */
export async function casePartiesOf(pool: Pool, unit: string, caseNumber: string): Promise<Array<{ kind?: string; idNumber?: string; phone?: string; address?: string }>> {
  const { rows } = await pool.query<{ party: { kind?: string; idNumber?: string; phone?: string; address?: string } | null }>(
    `SELECT party FROM decisions WHERE unit_code = $1 AND case_number = $2 AND party IS NOT NULL
     UNION ALL SELECT submission->'party' FROM reviews WHERE unit_code = $1 AND case_number = $2 AND submission ? 'party'`,
    [unit, caseNumber],
  );
  return rows.map((r) => r.party).filter((p): p is NonNullable<typeof p> => p !== null && typeof p === 'object');
}

/**
 * A stored document as the caller may see it (domain/personal-data.ts): in full to the staff whose
 * work needs the party's data; a text document masked for everyone else (identity number, phone and
 * address of the case's parties, and whatever the recognisers find). Binary content is never masked
 * (the processes generate none).
 */
async function documentAsSeen(pool: Pool, viewer: PartyViewer, doc: { unit: string; caseNumber: string; title: string; contentType: string; content: Buffer }): Promise<{ content: Buffer; title: string; masked: boolean }> {
  const parties = await casePartiesOf(pool, doc.unit, doc.caseNumber);
  const title = textAsSeen(doc.title, viewer, [doc.unit], parties);
  if (!/^text\/|json|xml/.test(doc.contentType)) return { content: doc.content, title, masked: false };
  const text = doc.content.toString('utf8');
  const shown = textAsSeen(text, viewer, [doc.unit], parties);
  return shown === text ? { content: doc.content, title, masked: false } : { content: Buffer.from(shown, 'utf8'), title, masked: true };
}
