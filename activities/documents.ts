import { DocumentStore, type NewDocument } from '../infra/document-store';
import type { ActivityDeps } from './index';
import { permanentUnlessTransient } from './records';

/** The document text is stored and hashed (SHA-256) as UTF-8 bytes and served as stored. */
export type StoreDocumentInput = NewDocument;

export function createDocumentActivities(deps: ActivityDeps) {
  const store = new DocumentStore(deps.pool);
  return {
    /** Stores a generated document (审核意见书, 催告书, decision) once; served by GET /api/documents/:id. */
    async storeDocument(input: StoreDocumentInput): Promise<{ documentId: string; sha256: string }> {
      try {
        const doc = await store.store(input);
        return { documentId: doc.id, sha256: doc.sha256 };
      } catch (err) {
        return permanentUnlessTransient(err);
      }
    },
  };
}
