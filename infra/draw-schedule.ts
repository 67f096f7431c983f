import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { createHash } from 'node:crypto';

/** The frequencies a matter's list may name, as Schedule calendars (09:00 Asia/Shanghai on the 1st). */
export const DRAW_FREQUENCIES: Record<string, { month: number[] | '*'; label: string }> = {
  每月: { month: '*', label: 'monthly' },
  每季度: { month: [1, 4, 7, 10], label: 'quarterly' },
  每半年: { month: [1, 7], label: 'half-yearly' },
  每年: { month: [1], label: 'yearly' },
};

/** Temporal ids stay ASCII: the matter (often Chinese) is hashed into the id. */
export const drawScheduleId = (unit: string, matter: string) => `draw-${unit}-${createHash('sha256').update(matter).digest('hex').slice(0, 12)}`;

const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'] as const;

function drawSchedule(taskQueue: string, a: { unit: string; matter: string; frequency: string; count: number; inspectorsPerEntity: number }): ScheduleOptions {
  const f = DRAW_FREQUENCIES[a.frequency];
  if (!f) throw new RangeError(`frequency: one of ${Object.keys(DRAW_FREQUENCIES).join('、')} for a scheduled draw`);
  const scheduleId = drawScheduleId(a.unit, a.matter);
  return {
    scheduleId,
    spec: { calendars: [{ dayOfMonth: 1, hour: 9, minute: 0, month: f.month === '*' ? '*' : f.month.map((m) => MONTHS[m - 1]!) } as never], timezone: 'Asia/Shanghai' },
    action: { type: 'startWorkflow', workflowType: 'scheduledDrawWorkflow', workflowId: scheduleId, taskQueue, args: [{ unit: a.unit, matter: a.matter, count: a.count, inspectorsPerEntity: a.inspectorsPerEntity, scheduleId }] },
    // A draw missed while the service was down is made once when it is back (within a day); never two at once.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    memo: { purpose: `双随机定期抽取：${a.unit} ${a.matter}（${a.frequency}）` },
  };
}

/** Creates a matter's draw schedule, or brings it to this spec (idempotent). */
export async function ensureDrawSchedule(client: Client, taskQueue: string, a: { unit: string; matter: string; frequency: string; count: number; inspectorsPerEntity: number }): Promise<{ scheduleId: string; created: boolean }> {
  const options = drawSchedule(taskQueue, a);
  try {
    await client.schedule.create(options);
    return { scheduleId: options.scheduleId, created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(options.scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  return { scheduleId: options.scheduleId, created: false };
}
