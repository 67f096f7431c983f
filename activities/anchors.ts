import { shanghaiDateOf } from '../domain/dates';
import { AnchorStore, type Anchor } from '../infra/anchor-store';
import type { ActivityDeps } from './index';
import { permanentUnlessTransient } from './records';

/** The daily anchor (issue 14): computed and stored once per date; who is told. */
export function createAnchorActivities({ pool }: Pick<ActivityDeps, 'pool'>) {
  const store = new AnchorStore(pool);
  return {
    async publishAnchor(input: { at: string }): Promise<{ anchor: Anchor; created: boolean; supervisors: string[] }> {
      try {
        const { anchor, created } = await store.publish(shanghaiDateOf(input.at));
        const { rows } = await pool.query<{ code: string }>('SELECT DISTINCT supervisor_code AS code FROM units WHERE supervisor_code IS NOT NULL ORDER BY 1');
        return { anchor, created, supervisors: rows.map((r) => r.code) };
      } catch (err) {
        return permanentUnlessTransient(err);
      }
    },
  };
}
