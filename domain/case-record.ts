// One entry of the case record (执法全过程记录, 本政办发〔2019〕33号) as processes state it: what
// happened, by whom, when. Where it is stored (unit, case, key, hash chain) is the store's business.

export const RECORD_STAGES = ['start', 'investigation', 'review', 'decision', 'service', 'performance', 'enforcement', 'archive', 'other'] as const;
export type RecordStage = (typeof RECORD_STAGES)[number];

export interface RecordFact {
  stage: RecordStage;
  /** person id, or 'system' */
  actor: string;
  /** short code, e.g. 'review.opinion' */
  action: string;
  /** human-readable (Chinese) */
  summary: string;
  /** ISO-8601 */
  occurredAt: string;
  documents?: { documentId: string; sha256: string; kind: string }[];
  payload?: Record<string, unknown>;
}
