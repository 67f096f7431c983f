import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE } from './digest-schedule';
import type { Logger } from './logger';

/** The service's own task queue gets `annual-statistics`; another deployment (a test) its own schedule. */
export const statisticsScheduleId = (taskQueue: string) => (taskQueue === DEFAULT_TASK_QUEUE ? 'annual-statistics' : `annual-statistics-${taskQueue}`);

export function statisticsSchedule(taskQueue: string): ScheduleOptions {
  const scheduleId = statisticsScheduleId(taskQueue);
  return {
    scheduleId,
    // 1 January, 00:10 Asia/Shanghai: the tasks for last year's figures (due 31 January).
    spec: { calendars: [{ month: 'JANUARY', dayOfMonth: 1, hour: 0, minute: 10 }], timezone: 'Asia/Shanghai' },
    // By name: the workflow code stays out of the API process. The workflow takes the year from its start time.
    action: { type: 'startWorkflow', workflowType: 'annualStatisticsWorkflow', workflowId: scheduleId, taskQueue, args: [{}] },
    // Missed while the service was down: still run within a week (the tasks are idempotent per unit and year).
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' },
    memo: { purpose: '每年1月1日：各单位核对并于1月31日前公布上一年度行政执法数据统计（锦政办发〔2019〕23号 (一)4(5)；潞州区实施方案）' },
  };
}

/** Creates the annual statistics schedule, or brings an existing one to this spec (idempotent). */
export async function ensureStatisticsSchedule(client: Client, taskQueue: string, log?: Logger): Promise<{ scheduleId: string; created: boolean }> {
  const options = statisticsSchedule(taskQueue);
  try {
    await client.schedule.create(options);
    log?.info({ scheduleId: options.scheduleId }, 'annual statistics schedule created');
    return { scheduleId: options.scheduleId, created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(options.scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  return { scheduleId: options.scheduleId, created: false };
}
