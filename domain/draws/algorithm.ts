// 双随机 (郑政办〔2016〕14号 (五); domain spec §7): the draw's algorithm, fixed and public so that
// anyone can recompute a draw from its record in a few lines. Pure; Node's crypto only for SHA-256.
import { createHash } from 'node:crypto';

export const DRAW_ALGORITHM =
  'sha256-rank-v1: rank entities by hex(SHA-256(seed + ":" + entityId)) ascending, take the first count; ' +
  'for each drawn entity rank the inspectors without a conflict with it by hex(SHA-256(seed + ":" + entityId + ":" + personId)) ascending, take the first inspectorsPerEntity';

export interface DrawEntity {
  id: string;
  name: string;
  kind: string;
}
export interface DrawInspector {
  personId: string;
  name: string;
  certificateNo: string;
}
export interface DrawConflict {
  personId: string;
  entityId: string;
}
export interface DrawResult {
  entities: string[];
  assignments: Array<{ entity: string; inspectors: string[] }>;
}

const sha256hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export class DrawRefused extends Error {
  override name = 'DrawRefused';
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The draw. Throws `DrawRefused` when the directory has fewer entities than `count`, or a drawn
 * entity fewer qualified inspectors without a conflict than `inspectorsPerEntity` (行政处罚法
 * 第四十二条: at least two officers).
 */
export function draw(seed: string, entities: readonly Pick<DrawEntity, 'id'>[], inspectors: readonly Pick<DrawInspector, 'personId'>[], conflicts: readonly DrawConflict[], count: number, inspectorsPerEntity: number): DrawResult {
  if (!/^[0-9a-f]{64}$/.test(seed)) throw new RangeError('seed: 32 bytes as 64 lower-case hex digits');
  if (inspectorsPerEntity < 2) throw new DrawRefused('draw.two_officers', 'inspectorsPerEntity: at least two inspectors per entity (行政处罚法 第四十二条)');
  if (entities.length < count) throw new DrawRefused('draw.too_few_entities', `the directory holds ${entities.length} entities, fewer than the ${count} to draw`);
  const rank = <T>(items: readonly T[], key: (t: T) => string) =>
    items
      .map((item) => ({ item, h: sha256hex(key(item)) }))
      .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0))
      .map((x) => x.item);
  const chosen = rank(entities, (e) => `${seed}:${e.id}`).slice(0, count).map((e) => e.id);
  const conflicted = new Set(conflicts.map((c) => `${c.personId}\u0000${c.entityId}`));
  const assignments = chosen.map((entity) => {
    const eligible = inspectors.filter((i) => !conflicted.has(`${i.personId}\u0000${entity}`));
    if (eligible.length < inspectorsPerEntity)
      throw new DrawRefused('draw.too_few_inspectors', `entity ${entity}: ${eligible.length} qualified inspectors without a conflict of interest, ${inspectorsPerEntity} needed`);
    return { entity, inspectors: rank(eligible, (i) => `${seed}:${entity}:${i.personId}`).slice(0, inspectorsPerEntity).map((i) => i.personId) };
  });
  return { entities: chosen, assignments };
}
