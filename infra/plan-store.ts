import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { parseTemplate, type PlanTemplate } from '../domain/rollout/template';
import type { PlanInput, PlanState } from '../domain/rollout/types';

type Queryable = Pick<PoolClient, 'query'>;

/** plans/templates/ in a checkout (infra/ → ..) or a build (dist/infra/ → ../..). */
export function templatesDir(): string {
  for (const dir of [path.resolve(__dirname, '..', 'plans', 'templates'), path.resolve(__dirname, '..', '..', 'plans', 'templates')]) if (existsSync(dir)) return dir;
  throw new Error('plans/templates not found');
}

/** Reads and validates every template against the units in Postgres; one bad template refuses the load. */
export async function loadTemplates(pool: Pick<Pool, 'query'>, dir = templatesDir()): Promise<Map<string, PlanTemplate>> {
  const { rows } = await pool.query<{ code: string }>('SELECT code FROM units');
  const known = new Set(rows.map((r) => r.code));
  const out = new Map<string, PlanTemplate>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const t = parseTemplate(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), known, file);
    if (`${t.id}.json` !== file) throw new Error(`plan template ${file}: id ${t.id} does not match the file name`);
    out.set(t.id, t);
  }
  return out;
}

export interface PlanRow {
  id: string;
  template: string;
  title: string;
  office: string;
  startsOn: string;
  workflowId: string;
  input: PlanInput;
  createdBy: string;
  createdAt: string;
  status: string;
  view: PlanState | null;
}

const toRow = (r: any): PlanRow => ({
  id: r.id,
  template: r.template,
  title: r.title,
  office: r.office_unit,
  startsOn: typeof r.starts_on === 'string' ? r.starts_on : r.starts_on.toISOString().slice(0, 10),
  workflowId: r.workflow_id,
  input: r.input,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at).toISOString(),
  status: r.status,
  view: r.view,
});

/** The `plans` table: the API inserts the row with the start request; the plan workflow keeps `view` current. */
export class PlanStore {
  constructor(private readonly pool: Pick<Pool, 'query'>) {}

  static async insert(db: Queryable, input: PlanInput, workflowId: string): Promise<void> {
    await db.query(
      `INSERT INTO plans (id, template, title, office_unit, starts_on, workflow_id, input, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [input.planId, input.template, input.title, input.office, input.startsOn, workflowId, JSON.stringify(input), input.createdBy, input.createdAt],
    );
  }

  async get(id: string): Promise<PlanRow | undefined> {
    const { rows } = await this.pool.query("SELECT *, to_char(starts_on, 'YYYY-MM-DD') AS starts_on FROM plans WHERE id = $1", [id]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async list(units?: string[]): Promise<PlanRow[]> {
    const { rows } = await this.pool.query("SELECT *, to_char(starts_on, 'YYYY-MM-DD') AS starts_on FROM plans ORDER BY created_at DESC LIMIT 200");
    const all = rows.map(toRow);
    return units ? all.filter((p) => units.includes(p.office) || p.input.steps.some((s) => [s.lead, ...s.responsible, ...s.supervising].some((u) => units.includes(u)))) : all;
  }

  /** The workflow's state, if newer than the stored one (workflow time, then revision). */
  async project(p: { workflowId: string; runId: string; asOf: string; view: PlanState }): Promise<{ applied: boolean }> {
    const { rowCount } = await this.pool.query(
      `UPDATE plans SET view = $2, status = $3, revision = $4, run_id = $5, as_of = $6, updated_at = now()
        WHERE workflow_id = $1 AND (COALESCE(as_of, '-infinity'::timestamptz), revision) < ($6::timestamptz, $4)`,
      [p.workflowId, JSON.stringify(p.view), p.view.status, p.view.revision, p.runId, p.asOf],
    );
    return { applied: (rowCount ?? 0) > 0 };
  }
}
