// The plan as people draw it: a Gantt chart, one bar per step on a time axis, arrows from each
// dependency, coloured by status, overdue steps outlined in red and marked 超期. Pure: state in,
// SVG text out (every text escaped).
import { addDays, compareDates, daysBetween } from '../dates';
import type { PlanState, StepStatus } from './types';

export const STATUS_COLOURS: Record<StepStatus, string> = { blocked: '#b0b7c3', open: '#4a90d9', in_progress: '#f5a623', awaiting_signoff: '#9b59b6', done: '#2e9e5b' };
export const STATUS_LABELS: Record<StepStatus, string> = { blocked: '未开始（等待前置）', open: '可办理', in_progress: '办理中', awaiting_signoff: '待监督确认', done: '已完成' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderPlanChart(state: PlanState, today: string, unitNames: Record<string, string> = {}): string {
  const name = (u: string) => unitNames[u] ?? u;
  const steps = state.steps;
  const byId = new Map(steps.map((s) => [s.id, s]));
  // A bar runs from when the step could start (its dependencies' last due day, or when it opened) to its due day (or when done).
  const startOf = new Map<string, string>();
  for (const s of steps) {
    const fromDeps = s.dependsOn.map((d) => byId.get(d)?.due ?? state.startsOn).reduce((a, b) => (compareDates(a, b) > 0 ? a : b), state.startsOn);
    const opened = s.openedAt ? s.openedAt.slice(0, 10) : undefined;
    let start = opened && compareDates(opened, fromDeps) < 0 ? opened : fromDeps;
    if (compareDates(start, s.due) > 0) start = s.due;
    startOf.set(s.id, start);
  }
  const endOf = (s: (typeof steps)[number]) => (s.doneAt && compareDates(s.doneAt.slice(0, 10), s.due) > 0 ? s.doneAt.slice(0, 10) : s.due);
  let last = steps.map(endOf).reduce((a, b) => (compareDates(a, b) > 0 ? a : b), state.startsOn);
  if (compareDates(today, last) > 0 && daysBetween(last, today) < 120) last = today;
  const span = Math.max(1, daysBetween(state.startsOn, last) + 1);
  const labelW = 330;
  const chartW = 760;
  const rowH = 34;
  const top = 78;
  const W = labelW + chartW + 70;
  const H = top + steps.length * rowH + 70;
  const x = (date: string) => labelW + (Math.min(Math.max(daysBetween(state.startsOn, date), 0), span) / span) * chartW;
  const rowY = new Map(steps.map((s, i) => [s.id, top + i * rowH]));
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif" font-size="13">`);
  out.push(`<title>${esc(state.title)}</title>`);
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>');
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="12" y="26" font-size="18" font-weight="bold">${esc(state.title)}</text>`);
  out.push(`<text x="12" y="48" font-size="12" fill="#555">${esc(`自 ${state.startsOn} 起 · 计划办公室 ${name(state.office)} · 截至 ${today}`)}</text>`);
  // Month ticks on the axis.
  out.push('<g class="axis">');
  for (let d = state.startsOn; compareDates(d, last) <= 0; d = addDays(d, 1)) {
    if (d.slice(8) !== '01' && d !== state.startsOn) continue;
    if (d !== state.startsOn && x(d) - x(state.startsOn) < 80) continue;
    const px = x(d).toFixed(1);
    out.push(`<line x1="${px}" y1="${top - 8}" x2="${px}" y2="${top + steps.length * rowH}" stroke="#e3e6ea"/>`);
    out.push(`<text x="${px}" y="${top - 12}" font-size="11" fill="#666">${esc(d === state.startsOn ? d : `${d.slice(0, 4)}年${Number(d.slice(5, 7))}月`)}</text>`);
  }
  out.push('</g>');
  out.push('<g class="rows">');
  steps.forEach((s, i) => {
    if (i % 2 === 0) out.push(`<rect x="0" y="${rowY.get(s.id)!}" width="${W}" height="${rowH}" fill="#f3f5f8"/>`);
  });
  out.push('</g>');
  // Dependencies before the bars, so bars are drawn over them: elbow lines from the end of the
  // dependency's bar down to the start of the step's bar.
  out.push('<g class="dependencies">');
  for (const s of steps) {
    for (const d of s.dependsOn) {
      const dep = byId.get(d);
      if (!dep) continue;
      const x1 = x(endOf(dep));
      const y1 = rowY.get(d)! + rowH / 2;
      const x2 = x(startOf.get(s.id)!);
      const y2 = rowY.get(s.id)! + rowH / 2;
      const xm = Math.max(x1 + 4, x2 - 8);
      out.push(`<path class="dependency" data-from="${esc(d)}" data-to="${esc(s.id)}" d="M ${x1.toFixed(1)} ${y1} H ${xm.toFixed(1)} V ${y2} H ${(x2 - 1).toFixed(1)}" fill="none" stroke="#7a8594" stroke-width="1" marker-end="url(#arrow)"/>`);
    }
  }
  out.push('</g>');
  out.push('<g class="steps">');
  steps.forEach((s) => {
    const y = rowY.get(s.id)!;
    const x1 = x(startOf.get(s.id)!);
    const x2 = Math.max(x1 + 6, x(endOf(s)) + chartW / span);
    const overdue = s.overdue || (s.status !== 'done' && compareDates(today, s.due) > 0);
    const fill = STATUS_COLOURS[s.status];
    out.push(`<g class="step${overdue ? ' overdue' : ''}" data-step="${esc(s.id)}" data-status="${s.status}">`);
    out.push(`<title>${esc(`步骤 ${s.id} ${s.title}\n状态：${STATUS_LABELS[s.status]}${overdue ? '（超期）' : ''}\n期限：${s.due}\n牵头：${name(s.lead)}\n责任：${s.responsible.map(name).join('、')}${s.supervising.length ? `\n监督：${s.supervising.map(name).join('、')}` : ''}`)}</title>`);
    out.push(`<text x="12" y="${y + 21}" font-weight="bold">${esc(s.id)}</text>`);
    out.push(`<text x="44" y="${y + 15}">${esc(s.title.length > 16 ? `${s.title.slice(0, 16)}…` : s.title)}</text>`);
    out.push(`<text x="44" y="${y + 29}" font-size="11" fill="#666">${esc(`牵头 ${name(s.lead)}`)}</text>`);
    out.push(`<rect x="${x1.toFixed(1)}" y="${y + 7}" width="${(x2 - x1).toFixed(1)}" height="${rowH - 14}" rx="4" fill="${fill}"${overdue ? ' stroke="#d0021b" stroke-width="3"' : ''}/>`);
    out.push(`<text x="${(x2 + 6).toFixed(1)}" y="${y + 22}" font-size="11" fill="${overdue ? '#d0021b' : '#333'}">${esc(`${s.due.slice(5)}${overdue ? ' 超期' : ''}${s.status === 'done' ? ' ✓' : ''}`)}</text>`);
    out.push('</g>');
  });
  out.push('</g>');
  if (compareDates(today, state.startsOn) >= 0 && compareDates(today, last) <= 0) {
    const tx = x(today).toFixed(1);
    out.push(`<g class="today"><line x1="${tx}" y1="${top - 8}" x2="${tx}" y2="${top + steps.length * rowH}" stroke="#d0021b" stroke-dasharray="4 3"/><text x="${tx}" y="${top + steps.length * rowH + 14}" font-size="11" fill="#d0021b" text-anchor="middle">今天</text></g>`);
  }
  // Legend.
  const ly = top + steps.length * rowH + 38;
  out.push('<g class="legend">');
  (Object.keys(STATUS_COLOURS) as StepStatus[]).forEach((st, i) => {
    const lx = 12 + i * 150;
    out.push(`<rect x="${lx}" y="${ly}" width="16" height="12" rx="2" fill="${STATUS_COLOURS[st]}"/><text x="${lx + 22}" y="${ly + 11}" font-size="12">${esc(STATUS_LABELS[st])}</text>`);
  });
  out.push(`<rect x="${12 + 5 * 150}" y="${ly}" width="16" height="12" rx="2" fill="#fff" stroke="#d0021b" stroke-width="3"/><text x="${12 + 5 * 150 + 22}" y="${ly + 11}" font-size="12">超期</text>`);
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n');
}
