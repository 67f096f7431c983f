import { createHash, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { IdempotencyKeyReusedError } from './case-record-store';

export interface NewDocument {
  unit: string;
  caseNumber: string;
  kind: string;
  title: string;
  contentType: string;
  /** The document text; stored and hashed as its UTF-8 bytes. */
  content: string;
  idempotencyKey: string;
}

export interface StoredDocument {
  id: string;
  unit: string;
  caseNumber: string;
  kind: string;
  title: string;
  contentType: string;
  sha256: string;
  createdAt: string;
}

export const sha256Hex = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

const META = `id, unit_code, case_number, kind, title, content_type, sha256, created_at`;

const toMeta = (row: any): StoredDocument => ({
  id: row.id,
  unit: row.unit_code,
  caseNumber: row.case_number,
  kind: row.kind,
  title: row.title,
  contentType: row.content_type,
  sha256: row.sha256,
  createdAt: new Date(row.created_at).toISOString(),
});

/** Documents the processes generate (审核意见书, 催告书, decisions), immutable, with their hash. */
export class DocumentStore {
  constructor(private readonly pool: Pool) {}

  /** Stores a document once per idempotency key; a retry with the same content returns it, other content is refused. */
  async store(input: NewDocument): Promise<StoredDocument> {
    const bytes = Buffer.from(input.content, 'utf8');
    const { rows } = await this.pool.query(
      `INSERT INTO case_documents (id, unit_code, case_number, kind, title, content_type, content, sha256, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING ${META}`,
      [randomUUID(), input.unit, input.caseNumber, input.kind, input.title, input.contentType, bytes, sha256Hex(bytes), input.idempotencyKey],
    );
    if (rows[0]) return toMeta(rows[0]);
    const existing = await this.pool.query(`SELECT ${META} FROM case_documents WHERE idempotency_key = $1`, [input.idempotencyKey]);
    const doc = toMeta(existing.rows[0]);
    if (doc.unit !== input.unit || doc.caseNumber !== input.caseNumber) {
      throw new IdempotencyKeyReusedError(`idempotency key ${input.idempotencyKey} already used for a document of case ${doc.unit}/${doc.caseNumber}`);
    }
    // The same document again returns it; another document under the same key is an error, never the old one.
    if (doc.sha256 !== sha256Hex(bytes) || doc.kind !== input.kind || doc.title !== input.title || doc.contentType !== input.contentType) {
      throw new IdempotencyKeyReusedError(`idempotency key ${input.idempotencyKey} already used for document ${doc.id} with other content`);
    }
    return doc;
  }

  async get(id: string): Promise<(StoredDocument & { content: Buffer }) | undefined> {
    const { rows } = await this.pool.query(`SELECT ${META}, content FROM case_documents WHERE id = $1`, [id]);
    return rows[0] ? { ...toMeta(rows[0]), content: rows[0].content } : undefined;
  }

  async listForCase(unit: string, caseNumber: string): Promise<StoredDocument[]> {
    const { rows } = await this.pool.query(`SELECT ${META} FROM case_documents WHERE unit_code = $1 AND case_number = $2 ORDER BY created_at, id`, [unit, caseNumber]);
    return rows.map(toMeta);
  }
}
