import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Logger } from './logger';
import { DEFAULT_TASK_QUEUE } from './digest-schedule';

/** The service's own task queue gets `daily-anchor`; another deployment (a test) its own schedule. */
export const anchorScheduleId = (taskQueue: string) => (taskQueue === DEFAULT_TASK_QUEUE ? 'daily-anchor' : `daily-anchor-${taskQueue}`);

function anchorSchedule(taskQueue: string): ScheduleOptions {
  const scheduleId = anchorScheduleId(taskQueue);
  return {
    scheduleId,
    spec: { calendars: [{ hour: 0, minute: 15 }], timezone: 'Asia/Shanghai' },
    // By name: the workflow code itself stays out of the API process.
    action: { type: 'startWorkflow', workflowType: 'anchorWorkflow', workflowId: scheduleId, taskQueue, args: [{}] },
    // An anchor missed while the service was down is published when it is back (same day); never two at once.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '12 hours' },
    memo: { purpose: '每日存证：全部案件记录、抽查、公示的 Merkle 根，公布于门户并送监督单位' },
  };
}

/** Creates the daily anchor schedule, or brings an existing one to this spec (idempotent). */
export async function ensureAnchorSchedule(client: Client, taskQueue: string, log?: Logger): Promise<{ scheduleId: string; created: boolean }> {
  const options = anchorSchedule(taskQueue);
  try {
    await client.schedule.create(options);
    log?.info({ scheduleId: options.scheduleId }, 'anchor schedule created');
    return { scheduleId: options.scheduleId, created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(options.scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  return { scheduleId: options.scheduleId, created: false };
}
