// Plan templates are DATA (plans/templates/*.json), one per document, validated here when loaded:
// the shape (zod), the units (every unit a template names must exist), the step ids (unique, the
// document's own numbers), the dependencies (named steps, no cycle). Dates are relative to the
// plan's start (`afterStart`: "45d", "3m") or to a base year (`monthDay` in the start's year +
// `yearOffset`), so a template can be run again.
import { z } from 'zod';
import { addDays, addMonths, compareDates, isIsoDate, yearOf } from '../dates';
import type { PlanInput, PlanStep } from './types';

const unitCode = z.string().regex(/^[a-z0-9]+(\.[a-z0-9]+)*$/, 'a unit code such as benxi.ybj');
const dueSchema = z.union([
  z.object({ afterStart: z.string().regex(/^[1-9]\d{0,3}[dm]$/, 'N days (d) or months (m) after the start, e.g. "45d"') }).strict(),
  z.object({ monthDay: z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'MM-DD'), yearOffset: z.number().int().min(0).max(5).default(0) }).strict(),
]);

export const templateStepSchema = z
  .object({
    id: z.string().regex(/^[0-9]{1,2}[a-z]?$/, "the document's own number, e.g. 11a"),
    title: z.string().min(1).max(100),
    description: z.string().max(1000).optional(),
    lead: unitCode,
    responsible: z.array(unitCode).min(1),
    supervising: z.array(unitCode).default([]),
    dependsOn: z.array(z.string()).default([]),
    due: dueSchema,
    basis: z.string().min(1),
  })
  .strict();

export const templateSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string().min(1),
    source: z.string().min(1),
    jurisdiction: z.enum(['benxi', 'jinzhou', 'luzhou']),
    /** 领导小组办公室 / the unit that owns the plan */
    office: unitCode,
    /** where overdue steps are escalated besides the office */
    government: unitCode,
    /** how the dates are counted: from the plan's start, or within the base year (the start's year) */
    dates: z.enum(['relative-to-start', 'base-year']),
    steps: z.array(templateStepSchema).min(1),
  })
  .strict();

export type PlanTemplate = z.infer<typeof templateSchema>;
export type TemplateStep = z.infer<typeof templateStepSchema>;

export class TemplateError extends Error {
  override name = 'TemplateError';
  constructor(
    readonly template: string,
    readonly problems: string[],
  ) {
    super(`plan template ${template}: ${problems.join('; ')}`);
  }
}

/** The steps in an order where every dependency comes first; a cycle is named. */
export function topologicalOrder(steps: Array<{ id: string; dependsOn: string[] }>): { order: string[]; cycle?: string[] } {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: string[] = [];
  const path: string[] = [];
  let cycle: string[] | undefined;
  const visit = (id: string): void => {
    if (cycle) return;
    const st = state.get(id);
    if (st === 'done') return;
    if (st === 'visiting') {
      cycle = [...path.slice(path.indexOf(id)), id];
      return;
    }
    state.set(id, 'visiting');
    path.push(id);
    for (const dep of byId.get(id)?.dependsOn ?? []) if (byId.has(dep)) visit(dep);
    path.pop();
    state.set(id, 'done');
    order.push(id);
  };
  for (const s of steps) visit(s.id);
  return cycle ? { order, cycle } : { order };
}

/**
 * Parses and checks one template. `knownUnits` are the units in Postgres: a template naming any
 * other unit is refused, as is a dependency on a step that does not exist or a cycle.
 */
export function parseTemplate(raw: unknown, knownUnits: ReadonlySet<string>, name = 'template'): PlanTemplate {
  const parsed = templateSchema.safeParse(raw);
  if (!parsed.success) throw new TemplateError(name, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  const t = parsed.data;
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const s of t.steps) {
    if (ids.has(s.id)) problems.push(`step ${s.id}: duplicate step id`);
    ids.add(s.id);
  }
  const named = (code: string, where: string) => {
    if (!knownUnits.has(code)) problems.push(`${where}: unknown unit ${code}`);
  };
  named(t.office, 'office');
  named(t.government, 'government');
  for (const s of t.steps) {
    named(s.lead, `step ${s.id} lead`);
    s.responsible.forEach((u) => named(u, `step ${s.id} responsible`));
    s.supervising.forEach((u) => named(u, `step ${s.id} supervising`));
    for (const d of s.dependsOn) {
      if (!ids.has(d)) problems.push(`step ${s.id}: depends on unknown step ${d}`);
      if (d === s.id) problems.push(`step ${s.id}: depends on itself`);
    }
    if (t.dates === 'base-year' && 'afterStart' in s.due) problems.push(`step ${s.id}: a base-year template dates its steps with monthDay`);
  }
  const { cycle } = topologicalOrder(t.steps);
  if (cycle) problems.push(`dependency cycle: ${cycle.join(' → ')}`);
  if (problems.length) throw new TemplateError(t.id, problems);
  return t;
}

/** The last day of a step for a plan starting on `startsOn`. */
export function resolveDue(due: TemplateStep['due'], startsOn: string): string {
  if ('afterStart' in due) {
    const n = Number(due.afterStart.slice(0, -1));
    return due.afterStart.endsWith('m') ? addMonths(startsOn, n) : addDays(startsOn, n);
  }
  return `${yearOf(startsOn) + due.yearOffset}-${due.monthDay}`;
}

/** A plan's input from a template: every step's due date resolved, in dependency order. */
export function instantiate(t: PlanTemplate, args: { planId: string; startsOn: string; title?: string; createdBy: string; createdAt: string }): PlanInput {
  if (!isIsoDate(args.startsOn)) throw new RangeError(`startsOn: not a date ${args.startsOn}`);
  const order = topologicalOrder(t.steps).order;
  const byId = new Map(t.steps.map((s) => [s.id, s]));
  const steps: PlanStep[] = order.map((id) => {
    const s = byId.get(id)!;
    return { id: s.id, title: s.title, description: s.description, lead: s.lead, responsible: s.responsible, supervising: s.supervising, dependsOn: s.dependsOn, due: resolveDue(s.due, args.startsOn), basis: s.basis };
  });
  const late = steps.filter((s) => compareDates(s.due, args.startsOn) < 0);
  if (late.length) throw new RangeError(`startsOn: ${args.startsOn} is after the due date of step(s) ${late.map((s) => s.id).join(', ')} of ${t.id}`);
  return { planId: args.planId, template: t.id, title: args.title ?? t.title, startsOn: args.startsOn, office: t.office, government: t.government, source: t.source, steps, createdBy: args.createdBy, createdAt: args.createdAt };
}

/** Every unit a template names (for seeding checks and the API). */
export function unitsOf(t: PlanTemplate): string[] {
  return [...new Set([t.office, t.government, ...t.steps.flatMap((s) => [s.lead, ...s.responsible, ...s.supervising])])];
}
