import { log, ParentClosePolicy, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { createStatisticsActivities } from '../activities/statistics';
import { escalationRecipients } from './case-file-effects';
import { DB_ACTIVITY } from './kit/activity-options';
import type { ClockHooks } from './kit/clock';
import { ProcessKit, type KitCarry } from './kit/process';
import { refuse } from './kit/refuse';
import { initialSearchAttributes } from './search-attributes';
import {
  checkPublish,
  initialStatisticsState,
  publishStatisticsUpdate,
  published,
  STATISTICS_BASIS,
  STATISTICS_PERIOD,
  statisticsCaseNumber,
  statisticsPeriodFrom,
  statisticsTaskStateQuery,
  annualStatisticsQuery,
  statisticsTaskWorkflowId,
  type PublishStatisticsRequest,
  type StatisticsClockView,
  type StatisticsTaskInput,
  type StatisticsTaskState,
} from './statistics-messages';

export * from './statistics-messages';

const db = proxyActivities<ReturnType<typeof createStatisticsActivities>>(DB_ACTIVITY);

/** The Asia/Shanghai calendar year of an instant (workflow time). */
const shanghaiYear = (ms: number) => new Date(ms + 8 * 3_600_000).getUTCFullYear();

/**
 * Started every 1 January (Asia/Shanghai) by the Temporal Schedule `annual-statistics`
 * (infra/statistics-schedule.ts): one task workflow per unit for last year's figures. A task
 * already started for that unit and year (a repeated run) is left alone. The run ends when the
 * tasks it started have ended (query `annualStatistics`: the year and the units).
 */
export async function annualStatisticsWorkflow(input: { year?: number } = {}): Promise<{ year: number; started: string[]; existing: string[] }> {
  const year = input.year ?? shanghaiYear(Date.now()) - 1;
  const started: string[] = [];
  const existing: string[] = [];
  const running: Array<Promise<unknown>> = [];
  setHandler(annualStatisticsQuery, () => ({ year, started, existing }));
  const units = await db.statisticsUnits();
  for (const unit of units) {
    try {
      const child = await startChild(statisticsTaskWorkflow, {
        workflowId: statisticsTaskWorkflowId(unit, year),
        args: [{ unit, year }],
        staticSummary: `${year} 年度行政执法统计：${unit}，${year + 1}-01-31 前公布`,
        typedSearchAttributes: [...initialSearchAttributes('statistics', unit, statisticsCaseNumber(year), 'pending')] as never,
        // Each task has its own clock; this run ends once all are started.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      started.push(unit);
      running.push(child.result().catch((err: unknown) => log.warn('statistics task failed', { unit, year, error: (err as Error).message })));
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) existing.push(unit);
      else log.warn('statistics task not started', { unit, year, error: (err as Error).message });
    }
  }
  // The round ends when every task it started has ended (its history: one start and one end per unit).
  await Promise.all(running);
  return { year, started, existing };
}

export interface StatisticsTaskCarry {
  state: StatisticsTaskState;
  kit: KitCarry;
}

/**
 * One unit's annual statistics (锦州 (一)4(5), 潞州 plan): last year's figures, computed from the
 * system's own data, to be checked by the unit (a publisher or admin approves) and published on
 * the portal by 31 January on the shared clock (yellow, last day, one escalation to the
 * supervising unit); on publication they are sent to the government and the superior department.
 */
export async function statisticsTaskWorkflow(input: StatisticsTaskInput, carried?: StatisticsTaskCarry): Promise<{ unit: string; year: number; status: string }> {
  const { workflowId } = workflowInfo();
  const { unit, year } = input;
  const caseNumber = statisticsCaseNumber(year);
  const kit = new ProcessKit({ unit, caseNumber, link: { workflowId, caseNumber, path: `/api/units/${unit}/statistics/${year}` }, carry: carried?.kit });
  let state: StatisticsTaskState = carried?.state ?? initialStatisticsState(input);
  const canDue = () => kit.continueAsNewDue();
  const project = () => db.projectStatisticsTask({ workflowId, runId: workflowInfo().runId, state });
  const show = () =>
    kit.showState(state.status, { step: state.status === 'pending' ? `${year} 年度统计待核对公布` : `${year} 年度统计已公布`, who: unit, deadline: state.clock?.lastDay });
  const set = async (next: StatisticsTaskState, entry?: { action: string; summary: string; actor: string; payload?: Record<string, unknown> }) => {
    state = { ...next, revision: Math.max(next.revision, state.revision + 1) };
    if (entry) await kit.record({ ...entry, payload: { year, ...entry.payload } });
    await project();
    show();
  };
  const validate = (r: PublishStatisticsRequest) => {
    const refusal = checkPublish(state, r);
    if (refusal) refuse(refusal.rule, refusal.basis, refusal.message);
  };

  setHandler(statisticsTaskStateQuery, () => state);
  setHandler(
    publishStatisticsUpdate,
    (r) =>
      kit.exclusive(async () => {
        validate(r);
        await db.publishAnnualStatistics({ unit, year, by: r.by });
        const to = await db.statisticsRecipients(unit);
        const sentTo = [...new Set([to.government, to.superior].filter((u): u is string => !!u && u !== unit))];
        const next = published(state, r, new Date().toISOString(), sentTo);
        await set(next, {
          actor: r.by,
          action: 'statistics.published',
          summary: `${year} 年度行政执法统计经核对公布${next.publishedLate ? '（逾期）' : ''}；报送 ${sentTo.join('、') || '（无）'}`,
          payload: { late: next.publishedLate, sentTo, government: to.government, governmentIs: to.governmentIs, superior: to.superior },
        });
        for (const recipient of sentTo) {
          const role = recipient === to.government ? (to.governmentIs === 'government' ? '本级人民政府' : '司法行政部门（未设政府单位）') : '上级主管部门';
          kit.notify(
            { unit: recipient, kind: 'info', subject: `${unit} ${year} 年度行政执法统计已公布`, body: `单位 ${unit} 的 ${year} 年度行政执法数据统计已经核对并在公示平台公布（/portal/units/${unit}/statistics/${year}），报送${role}（${STATISTICS_BASIS}）。` },
            `statistics:sent:${recipient}`,
          );
        }
        return state;
      }),
    { validator: validate },
  );

  if (!carried) {
    await set(state, { actor: 'system', action: 'statistics.task.created', summary: `${year} 年度行政执法数据统计：由本单位核对后于 ${year + 1}-01-31 前公布（${STATISTICS_BASIS}）` });
    kit.notify({ unit, kind: 'action_required', subject: `请于 ${year + 1}-01-31 前核对并公布 ${year} 年度行政执法统计`, body: `系统已按本单位 ${year} 年度的执法数据生成统计（GET /api/units/${unit}/statistics/${year}），请公示审核人核对后公布（POST …/publish）。` }, 'statistics:task');
  } else await project();
  kit.initialised();
  show();

  const view = (s: { deadline: string; lastDay: string }, level: StatisticsClockView['level']): StatisticsClockView => ({ deadline: s.deadline, lastDay: s.lastDay, level });
  const hooks: ClockHooks = kit.hooked({
    onYellow: async (s, tag) => {
      kit.notify({ unit, kind: 'reminder', subject: `年度统计公布期限将至：${year} 年度（${s.lastDay}）`, body: `${year} 年度行政执法统计须于 ${s.lastDay} 前核对公布（${STATISTICS_BASIS}）。` }, `statistics:${tag}`);
      await set({ ...state, clock: view(s, 'yellow') });
    },
    onLastDay: async (s, tag) => {
      kit.notify({ unit, kind: 'reminder', subject: `今日为 ${year} 年度统计公布期限最后一日`, body: `${year} 年度行政执法统计的公布期限为今日（${s.lastDay}）。` }, `statistics:${tag}`);
      await set({ ...state, clock: view(s, 'yellow') });
    },
    onOverdue: async (s, tag) => {
      await set(
        { ...state, clock: view(s, 'red'), overdue: true, escalations: state.escalations + 1 },
        { actor: 'system', action: 'statistics.overdue', summary: `${year} 年度行政执法统计公布期限 ${s.lastDay} 已过，仍未公布`, payload: { lastDay: s.lastDay } },
      );
      const supervisor = (await escalationRecipients(unit)).filter((u) => u !== unit);
      for (const to of supervisor) kit.notify({ unit: to, kind: 'escalation', subject: `年度统计逾期未公布：${unit} ${year} 年度`, body: `单位 ${unit} 的 ${year} 年度行政执法统计公布期限 ${s.lastDay} 已过，仍未公布（${STATISTICS_BASIS}）。` }, `statistics:${tag}:${to}`);
    },
  });

  while (state.status === 'pending') {
    if (canDue()) return kit.continueAsNew<typeof statisticsTaskWorkflow>(() => [input, { state, kit: kit.carry() }]);
    if (!kit.clock) {
      const clock = kit.startClock({ from: statisticsPeriodFrom(year), steps: [STATISTICS_PERIOD] }, hooks, kit.carriedClock);
      const s = await clock.start();
      await kit.persist('clock', () => set({ ...state, clock: view(s, clock.level) }));
    }
    await kit.clock!.waitUntil(() => state.status !== 'pending', canDue, () => kit.msUntilRetirement());
  }
  if (kit.clock) kit.stopClock();
  show();
  await kit.settled();
  return { unit, year, status: state.status };
}
