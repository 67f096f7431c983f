// The annual statistics task's messages, shared by the workflow and the API (which never imports activities).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PublishStatisticsRequest, StatisticsTaskState } from '../domain/statistics/process';

export * from '../domain/statistics/process';

export const annualStatisticsQuery = defineQuery<{ year: number; started: string[]; existing: string[] }>('annualStatistics');
export const statisticsTaskStateQuery = defineQuery<StatisticsTaskState>('statisticsTaskState');
/** The unit checked the figures (publisher or admin): computed again from the data and published on the portal. */
export const publishStatisticsUpdate = defineUpdate<StatisticsTaskState, [PublishStatisticsRequest]>('statistics.publish');
