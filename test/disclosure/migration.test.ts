import { freshDatabase } from '../helpers/database';

describe('migration 0012: jurisdictions, units, disclosures', () => {
  it('every unit has a jurisdiction; 锦州 and 潞州 units seeded with their supervisors; benxi codes kept', async () => {
    const db = await freshDatabase();
    try {
      const { rows } = await db.pool.query(`SELECT code, jurisdiction, supervisor_code FROM units ORDER BY code`);
      const by = Object.fromEntries(rows.map((r) => [r.code, r]));
      expect(by['benxi.ybj']).toMatchObject({ jurisdiction: 'benxi', supervisor_code: 'benxi.sfj' });
      for (const c of ['jinzhou.scjgj', 'jinzhou.ybj']) expect(by[c]).toMatchObject({ jurisdiction: 'jinzhou', supervisor_code: 'jinzhou.sfj' });
      expect(by['luzhou.ybj']).toMatchObject({ jurisdiction: 'luzhou', supervisor_code: 'luzhou.sfj' });
      expect(rows.every((r) => r.jurisdiction)).toBe(true);
      const cols = await db.pool.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'disclosures'`);
      const names = cols.rows.map((r) => r.column_name);
      for (const c of ['id', 'workflow_id', 'unit_code', 'jurisdiction', 'case_number', 'decision_number', 'decision_id', 'source', 'kind', 'status', 'deadline', 'overdue', 'warning_level', 'published_at', 'takedown_at', 'taken_down_at', 'takedown_reason', 'takedown_explanation', 'public_view', 'view', 'revision', 'run_id', 'as_of', 'created_at', 'updated_at'])
        expect(names).toContain(c);
      await expect(db.pool.query(`INSERT INTO disclosures (workflow_id, unit_code, jurisdiction, case_number, source, kind, status) VALUES ('x','benxi.ybj','benxi','c','decision','penalty','draft')`)).rejects.toThrow(/check/);
    } finally {
      await db.drop();
    }
  });
});
