import { proxyActivities } from '@temporalio/workflow';
import type { createDigestActivities, DigestItem } from '../activities/digest';
import { tell } from './shared/record-and-notify';

const digest = proxyActivities<ReturnType<typeof createDigestActivities>>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumInterval: '1 minute', maximumAttempts: 10 },
});

export interface DigestInput {
  /** The moment the digest is for; a scheduled run leaves it out (now). */
  at?: string;
}

export interface DigestResult {
  date: string;
  skipped: boolean;
  reason?: string;
  /** The units told, and the supervising units told about their units' overdue work. */
  units: string[];
  supervisors: string[];
}

const MAX_LINES = 200;

/** `total` is how many there are in all; the activity sends at most a page of them. */
function listing(title: string, items: DigestItem[], total = items.length): string {
  if (total === 0) return '';
  const lines = items.slice(0, MAX_LINES).map((item, i) => `${i + 1}. ${item.line}`);
  const shown = Math.min(items.length, MAX_LINES);
  if (total > shown) lines.push(`…… 另有 ${total - shown} 项，请在系统中查看`);
  return `${title}（${total} 项）：\n${lines.join('\n')}`;
}

/** A result from before the page limit carries no totals: its lists are complete. */
const total = (given: number | undefined, items: DigestItem[]) => given ?? items.length;

/**
 * The daily digest (schedule `daily-digest`, 08:30 Asia/Shanghai): on working days only, each
 * unit gets its items due within two working days and its overdue items, and each supervising unit
 * the overdue items of the units it supervises. Idempotent per day and unit.
 */
export async function digestWorkflow(input: DigestInput = {}): Promise<DigestResult> {
  const day = await digest.digestDay(input.at ?? new Date().toISOString());
  if (!day.workingDay) return { date: day.date, skipped: true, reason: `${day.date} 不是工作日`, units: [], supervisors: [] };

  const { units, supervisors: overdueBySupervisor, understaffed = [] } = await digest.collectDigestItems();
  // A supervising unit also hears of its units below the review staffing target (本政办发〔2019〕27号), with or without overdue items.
  const staffingOf = (unit: string) => understaffed.find((u) => u.unit === unit)?.lines ?? [];
  const supervisors = [
    ...overdueBySupervisor,
    ...understaffed.filter((u) => !overdueBySupervisor.some((s) => s.unit === u.unit)).map((u) => ({ unit: u.unit, overdue: [] as DigestItem[], overdueTotal: 0 })),
  ];
  const staffingSection = (unit: string) => {
    const lines = staffingOf(unit);
    return lines.length ? `法制审核人员未达配备标准的单位（${lines.length} 个；原则上不少于执法人员总数的5%，本政办发〔2019〕27号）：\n${lines.map((l, i) => `${i + 1}. ${l}`).join('\n')}` : '';
  };
  await Promise.all([
    ...units.map((u) =>
      tell({
        idempotencyKey: `digest:${day.date}:${u.unit}`,
        unit: u.unit,
        kind: total(u.overdueTotal, u.overdue) ? 'escalation' : 'reminder',
        subject: `每日期限提醒 ${day.date}：${total(u.dueSoonTotal, u.dueSoon)} 项两个工作日内到期，${total(u.overdueTotal, u.overdue)} 项已超期`,
        body: [listing('已超期', u.overdue, total(u.overdueTotal, u.overdue)), listing('两个工作日内到期', u.dueSoon, total(u.dueSoonTotal, u.dueSoon))].filter(Boolean).join('\n\n'),
        link: { path: '/api/inbox' },
      }),
    ),
    ...supervisors.map((s) =>
      tell({
        idempotencyKey: `digest:${day.date}:${s.unit}:supervised`,
        unit: s.unit,
        kind: 'escalation',
        subject: `所监督单位超期事项 ${day.date}：${total(s.overdueTotal, s.overdue)} 项${staffingOf(s.unit).length ? `；${staffingOf(s.unit).length} 个单位法制审核人员未达配备标准` : ''}`,
        body: [listing('所监督单位已超期事项', s.overdue.map((item) => ({ ...item, line: `${item.unit}｜${item.line}` })), total(s.overdueTotal, s.overdue)), staffingSection(s.unit)].filter(Boolean).join('\n\n'),
      }),
    ),
  ]);
  return { date: day.date, skipped: false, units: units.map((u) => u.unit), supervisors: supervisors.map((s) => s.unit) };
}
