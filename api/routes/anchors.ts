import { z } from 'zod';
import { AnchorStore } from '../../infra/anchor-store';
import { notFound } from '../errors';
import { isoDate } from '../schemas';
import type { Routes } from '../route';

const anchorSchema = z.object({
  date: z.string(),
  root: z.string(),
  leafCount: z.number(),
  cases: z.number(),
  draws: z.number(),
  disclosures: z.number(),
  discrepancies: z.array(z.object({ key: z.string(), anchoredSeq: z.number(), currentSeq: z.number().nullable(), problem: z.string() })),
  publishedAt: z.string(),
});
const dateParams = z.object({ date: isoDate });

/**
 * The daily anchors on the public portal (issue 14): anyone may copy a day's Merkle root, so a
 * later rewrite of the records (or of the anchors table) shows against the copies held outside.
 */
export function anchorRoutes(routes: Routes): void {
  routes.add(
    {
      method: 'get',
      path: '/public/anchors',
      tag: 'public',
      summary: 'The published daily anchors, newest first (100): Merkle root over every case record head, draw and disclosure publication',
      responses: { 200: { description: 'the anchors', schema: z.object({ items: z.array(anchorSchema) }) } },
    },
    async ({ deps }) => ({ items: await new AnchorStore(deps.pool).list(100) }),
  );
  routes.add(
    {
      method: 'get',
      path: '/public/anchors/:date',
      tag: 'public',
      summary: "One day's anchor; `recomputedRoot` is the root recomputed now from the stored leaves (equal to `root` unless the anchors were tampered with)",
      params: dateParams,
      responses: { 200: { description: 'the anchor', schema: anchorSchema.extend({ recomputedRoot: z.string(), holds: z.boolean() }) }, 404: { description: 'no anchor that day' } },
    },
    async ({ params, deps }) => {
      const store = new AnchorStore(deps.pool);
      const anchor = await store.get(params.date);
      if (!anchor) throw notFound(`anchor ${params.date}`);
      const recomputedRoot = await store.recomputeRoot(params.date);
      return { ...anchor, recomputedRoot, holds: recomputedRoot === anchor.root };
    },
  );
}
