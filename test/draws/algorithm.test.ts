import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { draw, DrawRefused } from '../../domain/draws/algorithm';

const entities = Array.from({ length: 30 }, (_, i) => ({ id: `E${String(i).padStart(3, '0')}` }));
const inspectors = Array.from({ length: 8 }, (_, i) => ({ personId: `P${i}` }));

describe('the draw algorithm (public, fixed)', () => {
  it('is the one the issue states: recomputed here in a few lines', () => {
    const seed = randomBytes(32).toString('hex');
    const r = draw(seed, entities, inspectors, [], 5, 2);
    const h = (s: string) => createHash('sha256').update(s).digest('hex');
    const rank = (ids: string[], key: (id: string) => string) => [...ids].sort((a, b) => (h(key(a)) < h(key(b)) ? -1 : 1));
    const mine = rank(entities.map((e) => e.id), (id) => `${seed}:${id}`).slice(0, 5);
    expect(r.entities).toEqual(mine);
    expect(r.assignments).toEqual(mine.map((e) => ({ entity: e, inspectors: rank(inspectors.map((i) => i.personId), (p) => `${seed}:${e}:${p}`).slice(0, 2) })));
  });

  it('the same seed and snapshot always give the same result, whatever order the directory lists come in', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 30 }), (bytes, count) => {
        const seed = Buffer.from(bytes).toString('hex');
        const a = draw(seed, entities, inspectors, [], count, 2);
        const b = draw(seed, [...entities].reverse(), [...inspectors].reverse(), [], count, 2);
        expect(b).toEqual(a);
      }),
      { numRuns: 50 },
    );
  });

  it('an inspector with a conflict of interest is never drawn for that entity', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const seed = Buffer.from(bytes).toString('hex');
        const conflicts = entities.flatMap((e, i) => [{ personId: `P${i % 8}`, entityId: e.id }, { personId: `P${(i + 3) % 8}`, entityId: e.id }]);
        const r = draw(seed, entities, inspectors, conflicts, 30, 3);
        for (const a of r.assignments) for (const p of a.inspectors) expect(conflicts.some((c) => c.personId === p && c.entityId === a.entity)).toBe(false);
      }),
      { numRuns: 30 },
    );
  });

  it('too few qualified inspectors without a conflict, or fewer than two per entity, is refused', () => {
    const seed = 'ab'.repeat(32);
    expect(() => draw(seed, entities, inspectors.slice(0, 2), [{ personId: 'P0', entityId: 'E000' }], 30, 2)).toThrow(DrawRefused);
    expect(() => draw(seed, entities, inspectors, [], 5, 1)).toThrow(/at least two/);
    expect(() => draw(seed, entities, inspectors, [], 31, 2)).toThrow(/fewer than the 31/);
  });
});
