import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { canonicalJson } from './canonical-json';
import { inTransaction } from './db';

/**
 * Daily anchors (issue 14): a Merkle root over every case record's head, every draw and every
 * disclosure publication, published on the portal (GET /public/anchors) and sent to the
 * supervising units, i.e. copied outside this database. A case verifies against the last anchor:
 * its entry at the anchored seq must still exist with the anchored hash.
 */
export type LeafKind = 'case' | 'draw' | 'disclosure';
export interface Leaf {
  kind: LeafKind;
  key: string;
  seq: number | null;
  value: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A leaf's hash: its kind, key, seq and value, canonically. */
export const leafHash = (l: Leaf): string => sha256(`leaf\u0000${canonicalJson({ kind: l.kind, key: l.key, seq: l.seq, value: l.value })}`);

/** Leaves in (kind, key) order; pairs hashed upwards, an odd node carried up unchanged; no leaves: sha256("empty"). */
export function merkleRoot(leaves: Leaf[]): string {
  let level = [...leaves].sort(compareLeaves).map(leafHash);
  if (level.length === 0) return sha256('empty');
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? sha256(`node\u0000${level[i]}${level[i + 1]}`) : level[i]!);
    level = next;
  }
  return level[0]!;
}

const compareLeaves = (a: Leaf, b: Leaf) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
export const caseKey = (unit: string, caseNumber: string) => `${unit}|${caseNumber}`;

export interface Anchor {
  date: string;
  root: string;
  leafCount: number;
  cases: number;
  draws: number;
  disclosures: number;
  discrepancies: Array<{ key: string; anchoredSeq: number; currentSeq: number | null; problem: 'tail_deleted' | 'rewritten' }>;
  publishedAt: string;
}

type Q = Pick<Pool, 'query'> | PoolClient;

function anchorOf(r: { anchor_date: string; root: string; leaf_count: number; cases: number; draws: number; disclosures: number; discrepancies: Anchor['discrepancies']; published_at: Date }): Anchor {
  return { date: r.anchor_date, root: r.root, leafCount: r.leaf_count, cases: r.cases, draws: r.draws, disclosures: r.disclosures, discrepancies: r.discrepancies, publishedAt: r.published_at.toISOString() };
}
const ANCHOR_COLUMNS = `to_char(anchor_date, 'YYYY-MM-DD') AS anchor_date, root, leaf_count, cases, draws, disclosures, discrepancies, published_at`;

/** Every leaf as the data stands now. */
async function currentLeaves(q: Q): Promise<Leaf[]> {
  const cases = await q.query<{ unit_code: string; case_number: string; seq: number; hash: string }>(
    `SELECT DISTINCT ON (unit_code, case_number) unit_code, case_number, seq, hash FROM case_record ORDER BY unit_code, case_number, seq DESC`,
  );
  const draws = await q.query<Record<string, unknown> & { id: string }>(
    `SELECT id, unit_code, matter, drawn_by, drawn_at, seed, algorithm, count, inspectors_per_entity, entities_hash, inspectors_hash, result, replaces, replace_reason FROM draws`,
  );
  const disclosures = await q.query<{ id: string; public_view: unknown; published_at: Date }>(
    `SELECT id, public_view, published_at FROM disclosures WHERE published_at IS NOT NULL AND public_view IS NOT NULL`,
  );
  return [
    ...cases.rows.map((r) => ({ kind: 'case' as const, key: caseKey(r.unit_code, r.case_number), seq: r.seq, value: r.hash })),
    ...draws.rows.map((r) => ({ kind: 'draw' as const, key: r.id, seq: null, value: sha256(canonicalJson(r)) })),
    ...disclosures.rows.map((r) => ({ kind: 'disclosure' as const, key: r.id, seq: null, value: sha256(canonicalJson({ publicView: r.public_view, publishedAt: r.published_at })) })),
  ];
}

/** The latest anchored leaf of every key (anchor_leaves holds only changes). */
async function anchoredLeaves(q: Q): Promise<Map<string, Leaf>> {
  const { rows } = await q.query<{ kind: LeafKind; key: string; seq: number | null; value: string }>(
    `SELECT DISTINCT ON (kind, key) kind, key, seq, value FROM anchor_leaves ORDER BY kind, key, anchor_date DESC`,
  );
  return new Map(rows.map((r) => [`${r.kind}|${r.key}`, r]));
}

export class AnchorStore {
  constructor(private readonly pool: Pool) {}

  /**
   * The anchor of `date`: computed and stored once (a second call answers the stored one). Heads
   * anchored before that are now shorter or missing are listed as discrepancies.
   */
  async publish(date: string): Promise<{ anchor: Anchor; created: boolean }> {
    return inTransaction(this.pool, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['anchors']);
      const existing = await tx.query(`SELECT ${ANCHOR_COLUMNS} FROM anchors WHERE anchor_date = $1::date`, [date]);
      if (existing.rows[0]) return { anchor: anchorOf(existing.rows[0]), created: false };
      const current = await currentLeaves(tx);
      const before = await anchoredLeaves(tx);
      // Every anchored head must still be there with its hash. A record that no longer agrees keeps
      // its anchored leaf (the anchor never adopts a shortened or rewritten record) and is reported.
      const { rows: broken } = await tx.query<{ key: string; seq: number; head: number | null; hash: string | null }>(
        `SELECT l.key, l.seq, r.hash, (SELECT max(seq) FROM case_record h WHERE h.unit_code = split_part(l.key, '|', 1) AND h.case_number = substr(l.key, strpos(l.key, '|') + 1)) AS head
           FROM (SELECT DISTINCT ON (key) key, seq, value FROM anchor_leaves WHERE kind = 'case' ORDER BY key, anchor_date DESC) l
           LEFT JOIN case_record r ON r.unit_code = split_part(l.key, '|', 1) AND r.case_number = substr(l.key, strpos(l.key, '|') + 1) AND r.seq = l.seq
          WHERE r.hash IS DISTINCT FROM l.value ORDER BY l.key`,
      );
      const discrepancies: Anchor['discrepancies'] = broken.map((b) => ({ key: b.key, anchoredSeq: b.seq, currentSeq: b.head, problem: b.hash === null ? 'tail_deleted' : 'rewritten' }));
      const frozen = new Set(broken.map((b) => `case|${b.key}`));
      const seen = new Set(current.map((l) => `${l.kind}|${l.key}`));
      // A draw or publication that vanished keeps its anchored leaf too (the root covers what was ever anchored).
      const vanished = [...before.entries()].filter(([k, l]) => l.kind !== 'case' && !seen.has(k)).map(([, l]) => l);
      const leaves = [...current.filter((l) => !frozen.has(`${l.kind}|${l.key}`)), ...[...frozen].map((k) => before.get(k)!), ...vanished];
      const changed = leaves.filter((l) => {
        const old = before.get(`${l.kind}|${l.key}`);
        return !old || old.value !== l.value || old.seq !== l.seq;
      });
      const root = merkleRoot(leaves);
      const count = (k: LeafKind) => leaves.filter((l) => l.kind === k).length;
      const { rows } = await tx.query(
        `INSERT INTO anchors (anchor_date, root, leaf_count, cases, draws, disclosures, discrepancies) VALUES ($1::date, $2, $3, $4, $5, $6, $7) RETURNING ${ANCHOR_COLUMNS}`,
        [date, root, leaves.length, count('case'), count('draw'), count('disclosure'), JSON.stringify(discrepancies)],
      );
      for (let i = 0; i < changed.length; i += 1000) {
        const chunk = changed.slice(i, i + 1000);
        await tx.query(
          `INSERT INTO anchor_leaves (anchor_date, kind, key, seq, value)
           SELECT $1::date, * FROM unnest($2::text[], $3::text[], $4::int[], $5::text[])`,
          [date, chunk.map((l) => l.kind), chunk.map((l) => l.key), chunk.map((l) => l.seq), chunk.map((l) => l.value)],
        );
      }
      return { anchor: anchorOf(rows[0]), created: true };
    });
  }

  async list(limit = 100): Promise<Anchor[]> {
    const { rows } = await this.pool.query(`SELECT ${ANCHOR_COLUMNS} FROM anchors ORDER BY anchor_date DESC LIMIT $1`, [limit]);
    return rows.map(anchorOf);
  }

  async get(date: string): Promise<Anchor | null> {
    const { rows } = await this.pool.query(`SELECT ${ANCHOR_COLUMNS} FROM anchors WHERE anchor_date = $1::date`, [date]);
    return rows[0] ? anchorOf(rows[0]) : null;
  }

  /** Recomputes the root of `date` from the stored leaves (every key's latest leaf up to that date). */
  async recomputeRoot(date: string): Promise<string> {
    const { rows } = await this.pool.query<Leaf>(
      `SELECT DISTINCT ON (kind, key) kind, key, seq, value FROM anchor_leaves WHERE anchor_date <= $1::date ORDER BY kind, key, anchor_date DESC`,
      [date],
    );
    return merkleRoot(rows);
  }

  /**
   * A case against the last published anchor: its entry at the anchored seq must exist and carry
   * the anchored hash. `holds` false names the problem: `tail_deleted` (fewer entries than were
   * anchored, or none), `rewritten` (the anchored entry's hash differs).
   */
  async checkCase(unit: string, caseNumber: string): Promise<CaseAnchorCheck> {
    const last = await this.pool.query(`SELECT ${ANCHOR_COLUMNS} FROM anchors ORDER BY anchor_date DESC LIMIT 1`);
    if (!last.rows[0]) return { anchored: false, reason: 'no anchor published yet' };
    const anchor = anchorOf(last.rows[0]);
    const { rows } = await this.pool.query<{ anchor_date: string; seq: number; value: string }>(
      `SELECT to_char(anchor_date, 'YYYY-MM-DD') AS anchor_date, seq, value FROM anchor_leaves WHERE kind = 'case' AND key = $1 ORDER BY anchor_date DESC LIMIT 1`,
      [caseKey(unit, caseNumber)],
    );
    const leaf = rows[0];
    if (!leaf) return { anchored: false, reason: `not in the anchor of ${anchor.date} (recorded after it)`, anchor: { date: anchor.date, root: anchor.root } };
    const [entry, head] = await Promise.all([
      this.pool.query<{ hash: string }>('SELECT hash FROM case_record WHERE unit_code = $1 AND case_number = $2 AND seq = $3', [unit, caseNumber, leaf.seq]),
      this.pool.query<{ n: number }>('SELECT coalesce(max(seq), 0)::int AS n FROM case_record WHERE unit_code = $1 AND case_number = $2', [unit, caseNumber]),
    ]);
    const base = { anchored: true as const, anchor: { date: anchor.date, root: anchor.root }, anchoredOn: leaf.anchor_date, anchoredSeq: leaf.seq, anchoredHash: leaf.value, currentSeq: head.rows[0]!.n };
    if (!entry.rows[0]) return { ...base, holds: false, problem: 'tail_deleted', message: `the record has ${head.rows[0]!.n} entries; the anchor of ${leaf.anchor_date} saw ${leaf.seq} (head ${leaf.value.slice(0, 12)}…)` };
    if (entry.rows[0].hash !== leaf.value) return { ...base, holds: false, problem: 'rewritten', message: `entry ${leaf.seq} has hash ${entry.rows[0].hash.slice(0, 12)}…, anchored ${leaf.value.slice(0, 12)}… on ${leaf.anchor_date}` };
    return { ...base, holds: true };
  }
}

export type CaseAnchorCheck =
  | { anchored: false; reason: string; anchor?: { date: string; root: string } }
  | {
      anchored: true;
      anchor: { date: string; root: string };
      anchoredOn: string;
      anchoredSeq: number;
      anchoredHash: string;
      currentSeq: number;
      holds: boolean;
      problem?: 'tail_deleted' | 'rewritten';
      message?: string;
    };
