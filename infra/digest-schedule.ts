import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Logger } from './logger';

/** The service's own task queue gets `daily-digest`; another deployment (a test) its own schedule. */
export const DEFAULT_TASK_QUEUE = 'sanxiang';
export const digestScheduleId = (taskQueue: string) => (taskQueue === DEFAULT_TASK_QUEUE ? 'daily-digest' : `daily-digest-${taskQueue}`);

function digestSchedule(taskQueue: string): ScheduleOptions {
  const scheduleId = digestScheduleId(taskQueue);
  return {
    scheduleId,
    spec: { calendars: [{ hour: 8, minute: 30 }], timezone: 'Asia/Shanghai' },
    // By name: the workflow code itself stays out of the API process.
    action: { type: 'startWorkflow', workflowType: 'digestWorkflow', workflowId: scheduleId, taskQueue, args: [{}] },
    // A digest missed while the service was down still goes out the same day; never two at once.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '12 hours' },
    memo: { purpose: '每日期限提醒：各单位两个工作日内到期与已超期事项，监督单位所辖超期事项' },
  };
}

/** Creates the daily digest schedule, or brings an existing one to this spec (idempotent). */
export async function ensureDigestSchedule(client: Client, taskQueue: string, log?: Logger): Promise<{ scheduleId: string; created: boolean }> {
  const options = digestSchedule(taskQueue);
  try {
    await client.schedule.create(options);
    log?.info({ scheduleId: options.scheduleId }, 'digest schedule created');
    return { scheduleId: options.scheduleId, created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(options.scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  return { scheduleId: options.scheduleId, created: false };
}
