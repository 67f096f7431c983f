import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { DRAW_ALGORITHM, draw, type DrawConflict, type DrawEntity, type DrawInspector, type DrawResult } from '../domain/draws/algorithm';
import { canonicalJson } from './canonical-json';
import { CaseRecordStore } from './case-record-store';
import { inTransaction } from './db';
import { NotificationStore } from './notification-store';

export interface InspectionMatter {
  matter: string;
  basis: string;
  subject: string;
  objectKind: string;
  content: string;
  ratio: number;
  method: string;
  frequency: string;
}

export interface DrawRecord extends DrawResult {
  id: string;
  unit: string;
  matter: string;
  drawnBy: string;
  drawnAt: string;
  seed: string;
  algorithm: string;
  count: number;
  inspectorsPerEntity: number;
  snapshots: { entities: { hash: string; items: DrawEntity[] }; inspectors: { hash: string; items: DrawInspector[]; conflicts: DrawConflict[] } };
  replaces: string | null;
  replaceReason: string | null;
  record: { unit: string; caseNumber: string; seq: number | null };
}

/** The draws of one matter are recorded in one hash-chained record (case_record) of the unit. */
export const drawRecordCase = (matter: string) => `双随机-${matter}`;

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
/** The hash of a directory snapshot: SHA-256 of its canonical JSON (keys sorted, no spaces). */
export const snapshotHash = (value: unknown) => sha256(canonicalJson(value));

const toDraw = (r: any): DrawRecord => ({
  id: r.id,
  unit: r.unit_code,
  matter: r.matter,
  drawnBy: r.drawn_by,
  drawnAt: new Date(r.drawn_at).toISOString(),
  seed: r.seed,
  algorithm: r.algorithm,
  count: r.count,
  inspectorsPerEntity: r.inspectors_per_entity,
  entities: r.result.entities,
  assignments: r.result.assignments,
  snapshots: { entities: { hash: r.entities_hash, items: r.entities_snapshot }, inspectors: { hash: r.inspectors_hash, items: r.inspectors_snapshot.inspectors, conflicts: r.inspectors_snapshot.conflicts } },
  replaces: r.replaces,
  replaceReason: r.replace_reason,
  record: { unit: r.unit_code, caseNumber: drawRecordCase(r.matter), seq: r.record_seq },
});

export class DrawStore {
  constructor(
    private readonly pool: Pool,
    private readonly opts: { emailEnabled?: boolean } = {},
  ) {}

  async putMatter(unit: string, m: InspectionMatter, by: string): Promise<{ created: boolean }> {
    const { rows } = await this.pool.query(
      `INSERT INTO inspection_matters AS m (unit_code, matter, basis, subject, object_kind, content, ratio, method, frequency, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (unit_code, matter) DO UPDATE SET basis = EXCLUDED.basis, subject = EXCLUDED.subject, object_kind = EXCLUDED.object_kind,
         content = EXCLUDED.content, ratio = EXCLUDED.ratio, method = EXCLUDED.method, frequency = EXCLUDED.frequency, updated_by = EXCLUDED.updated_by, updated_at = now()
       RETURNING (xmax = 0) AS created`,
      [unit, m.matter, m.basis, m.subject, m.objectKind, m.content, m.ratio, m.method, m.frequency, by],
    );
    return { created: rows[0].created };
  }

  async matters(unit: string): Promise<InspectionMatter[]> {
    const { rows } = await this.pool.query('SELECT * FROM inspection_matters WHERE unit_code = $1 ORDER BY matter', [unit]);
    return rows.map((r) => ({ matter: r.matter, basis: r.basis, subject: r.subject, objectKind: r.object_kind, content: r.content, ratio: Number(r.ratio), method: r.method, frequency: r.frequency }));
  }

  /** Replaces the unit's directory of entities in scope (past draws keep their own snapshots). */
  async putEntities(unit: string, entities: DrawEntity[]): Promise<{ count: number; hash: string }> {
    await inTransaction(this.pool, async (c) => {
      await c.query('DELETE FROM inspection_entities WHERE unit_code = $1', [unit]);
      for (const e of entities) await c.query('INSERT INTO inspection_entities (unit_code, entity_id, name, kind) VALUES ($1, $2, $3, $4)', [unit, e.id, e.name, e.kind]);
    });
    return { count: entities.length, hash: (await this.snapshot(unit)).entitiesHash };
  }

  async putInspectors(unit: string, inspectors: DrawInspector[]): Promise<{ count: number; hash: string }> {
    await inTransaction(this.pool, async (c) => {
      await c.query('DELETE FROM inspection_inspectors WHERE unit_code = $1', [unit]);
      for (const i of inspectors) await c.query('INSERT INTO inspection_inspectors (unit_code, person_id, name, certificate_no) VALUES ($1, $2, $3, $4)', [unit, i.personId, i.name, i.certificateNo]);
    });
    return { count: inspectors.length, hash: (await this.snapshot(unit)).inspectorsHash };
  }

  async putConflicts(unit: string, conflicts: Array<DrawConflict & { reason: string }>): Promise<{ count: number }> {
    await inTransaction(this.pool, async (c) => {
      await c.query('DELETE FROM inspection_conflicts WHERE unit_code = $1', [unit]);
      for (const x of conflicts) await c.query('INSERT INTO inspection_conflicts (unit_code, person_id, entity_id, reason) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [unit, x.personId, x.entityId, x.reason]);
    });
    return { count: conflicts.length };
  }

  /** Both directories as they are now, sorted, with their hashes. */
  async snapshot(unit: string, db: Pick<Pool, 'query'> = this.pool) {
    const e = await db.query('SELECT entity_id, name, kind FROM inspection_entities WHERE unit_code = $1 ORDER BY entity_id COLLATE "C"', [unit]);
    const i = await db.query('SELECT person_id, name, certificate_no FROM inspection_inspectors WHERE unit_code = $1 ORDER BY person_id COLLATE "C"', [unit]);
    const c = await db.query('SELECT person_id, entity_id FROM inspection_conflicts WHERE unit_code = $1 ORDER BY person_id COLLATE "C", entity_id COLLATE "C"', [unit]);
    const entities: DrawEntity[] = e.rows.map((r) => ({ id: r.entity_id, name: r.name, kind: r.kind }));
    const inspectors = { inspectors: i.rows.map((r) => ({ personId: r.person_id, name: r.name, certificateNo: r.certificate_no })) as DrawInspector[], conflicts: c.rows.map((r) => ({ personId: r.person_id, entityId: r.entity_id })) as DrawConflict[] };
    return { entities, inspectors, entitiesHash: snapshotHash(entities), inspectorsHash: snapshotHash(inspectors) };
  }

  /**
   * One draw, in one go: the seed is made HERE (32 random bytes), both directories are snapshot
   * and hashed, the public algorithm runs, and everything goes into the matter's hash-chained
   * record first, then the `draws` row (append-only). Throws DrawRefused (→ 409) before anything
   * is stored when the directories cannot give the draw asked for.
   */
  async create(args: { unit: string; matter: string; count: number; inspectorsPerEntity: number; by: string; replaces?: { id: string; reason: string } }): Promise<DrawRecord> {
    const snap = await this.snapshot(args.unit);
    const seed = randomBytes(32).toString('hex');
    const result = draw(seed, snap.entities, snap.inspectors.inspectors, snap.inspectors.conflicts, args.count, args.inspectorsPerEntity);
    const id = randomUUID();
    const drawnAt = new Date().toISOString();
    const names = new Map(snap.entities.map((e) => [e.id, e.name]));
    const entry = await new CaseRecordStore(this.pool).append({
      unit: args.unit,
      caseNumber: drawRecordCase(args.matter),
      stage: 'investigation',
      actor: args.by,
      action: 'draw.made',
      summary: `双随机抽取（${args.matter}）：从 ${snap.entities.length} 个检查对象中抽取 ${args.count} 个，每个对象 ${args.inspectorsPerEntity} 名检查人员：${result.entities.map((e) => names.get(e)).join('、')}${args.replaces ? `（重新抽取，原抽取 ${args.replaces.id}，理由：${args.replaces.reason}）` : ''}`,
      occurredAt: drawnAt,
      idempotencyKey: `draw:${id}`,
      payload: {
        drawId: id,
        seed,
        algorithm: DRAW_ALGORITHM,
        count: args.count,
        inspectorsPerEntity: args.inspectorsPerEntity,
        snapshots: { entities: snap.entities, entitiesHash: snap.entitiesHash, inspectors: snap.inspectors, inspectorsHash: snap.inspectorsHash },
        result,
        ...(args.replaces ? { replaces: args.replaces.id, replaceReason: args.replaces.reason } : {}),
      },
    });
    const { rows } = await this.pool.query(
      `INSERT INTO draws (id, unit_code, matter, drawn_by, drawn_at, seed, algorithm, count, inspectors_per_entity, entities_snapshot, entities_hash, inspectors_snapshot, inspectors_hash, result, replaces, replace_reason, record_seq)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING *`,
      [id, args.unit, args.matter, args.by, drawnAt, seed, DRAW_ALGORITHM, args.count, args.inspectorsPerEntity, JSON.stringify(snap.entities), snap.entitiesHash, JSON.stringify(snap.inspectors), snap.inspectorsHash, JSON.stringify(result), args.replaces?.id ?? null, args.replaces?.reason ?? null, entry.seq],
    );
    const made = toDraw(rows[0]);
    await this.notifyDrawn(made, snap.inspectors.inspectors);
    return made;
  }

  /** The drawn names go to the inspecting unit at once (its inbox; webhook/email by the dispatcher). */
  private async notifyDrawn(d: DrawRecord, inspectors: DrawInspector[]): Promise<void> {
    const entity = new Map(d.snapshots.entities.items.map((e) => [e.id, e.name]));
    const person = new Map(inspectors.map((i) => [i.personId, `${i.name}（${i.certificateNo}）`]));
    const lines = d.assignments.map((a, n) => `${n + 1}. ${entity.get(a.entity)}：${a.inspectors.map((p) => person.get(p)).join('、')}`);
    await new NotificationStore(this.pool).record(
      {
        idempotencyKey: `draw:${d.id}:notice`,
        unit: d.unit,
        kind: 'action_required',
        subject: `双随机抽取结果：${d.matter}（${d.entities.length} 个检查对象）`,
        body: `${d.drawnAt} 抽取（种子 ${d.seed}），请按以下安排实施检查：\n${lines.join('\n')}`,
        link: { path: `/api/draws/${d.id}` },
      },
      { emailEnabled: Boolean(this.opts.emailEnabled) },
    );
  }

  async get(id: string): Promise<DrawRecord | undefined> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
    const { rows } = await this.pool.query('SELECT * FROM draws WHERE id = $1', [id]);
    return rows[0] ? toDraw(rows[0]) : undefined;
  }

  async recordResult(drawId: string, r: { entity: string; finishedAt: string; normal: boolean; findings: string; by: string; followUp: Record<string, unknown> }): Promise<{ created: boolean }> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO draw_results (draw_id, entity_id, finished_at, normal, findings, recorded_by, follow_up) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [drawId, r.entity, r.finishedAt, r.normal, r.findings, r.by, JSON.stringify(r.followUp)],
    );
    return { created: (rowCount ?? 0) > 0 };
  }

  async results(drawId: string) {
    const { rows } = await this.pool.query('SELECT * FROM draw_results WHERE draw_id = $1 ORDER BY entity_id', [drawId]);
    return rows.map((r) => ({ entity: r.entity_id, finishedAt: new Date(r.finished_at).toISOString(), normal: r.normal, findings: r.findings, recordedBy: r.recorded_by, followUp: r.follow_up }));
  }
}
