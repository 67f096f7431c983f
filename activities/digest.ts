import { heartbeat } from '@temporalio/activity';
import { formatShanghaiInstant, shanghaiDateOf } from '../domain/dates';
import { CalendarStore } from '../infra/calendar-store';
import { understaffedUnitsBySupervisor } from '../infra/review-staffing';
import { DeadlineKey, OverdueKey, ProcessKindKey, StatusKey, UnitKey, CaseNumberKey, WarningLevelKey, type ProcessKind } from '../workflows/search-attributes';
import type { ActivityDeps } from './index';

export interface DigestItem {
  workflowId: string;
  unit: string;
  caseNumber?: string;
  processKind?: string;
  status?: string;
  /** 'YYYY-MM-DDTHH:mm:ss+08:00' */
  deadline?: string;
  overdue: boolean;
  /** One line for a person: what, which case, by when. */
  line: string;
}

/**
 * Each list holds at most DIGEST_PAGE items (the most urgent first) and says how many there are
 * in all, so the activity's result stays small however much is overdue (a Temporal payload is
 * limited to a few MB); the rest is in the system (GET /api/reviews?overdue=true, the Temporal UI).
 */
export const DIGEST_PAGE = 200;

export interface DigestItems {
  /** Per unit with anything to report: due within two working days (WarningLevel yellow) and overdue. */
  units: Array<{ unit: string; dueSoon: DigestItem[]; overdue: DigestItem[]; dueSoonTotal: number; overdueTotal: number }>;
  /** Per supervising unit: the overdue items of the units it supervises (units.supervisor_code). */
  supervisors: Array<{ unit: string; overdue: DigestItem[]; overdueTotal: number }>;
  /** Per supervising unit: its units below the review staffing target (reviewers ≥ 5% of enforcement officers, 本政办发〔2019〕27号). */
  understaffed?: Array<{ unit: string; lines: string[] }>;
}

const PROCESS_LABEL: Record<ProcessKind, string> = {
  'legal-review': '法制审核',
  'case-file': '执法案卷',
  'av-record': '音像记录存储',
  enforcement: '催告与强制执行',
  disclosure: '执法公示',
  rollout: '实施方案任务',
  'rollout-step': '实施方案步骤',
  inspection: '双随机抽查',
  statistics: '年度执法统计公布',
  'basis-change': '事前公开内容更新',
};

/** What the workflow is about (its ProcessKind). */
function describe(workflowId: string, processKind: string | undefined): string {
  void workflowId;
  return PROCESS_LABEL[processKind as ProcessKind] ?? processKind ?? '事项';
}

/** Items still open are found through Temporal visibility: the search attributes are the truth. */
const OPEN_WITH_WARNING = 'ExecutionStatus = "Running" AND (WarningLevel = "yellow" OR Overdue = true)';

export function createDigestActivities(deps: ActivityDeps) {
  const calendar = new CalendarStore(deps.pool);

  return {
    /** The unit supervising `unit`'s enforcement (司法行政部门 / 上级机关), if any. */
    async supervisingUnitOf(unit: string): Promise<string | null> {
      const { rows } = await deps.pool.query<{ supervisor_code: string | null }>('SELECT supervisor_code FROM units WHERE code = $1', [unit]);
      return rows[0]?.supervisor_code ?? null;
    },

    /** The Shanghai date of `at` and whether it is a working day by the published calendar. */
    async digestDay(at: string): Promise<{ date: string; workingDay: boolean; provisional: boolean }> {
      const date = shanghaiDateOf(at);
      const info = (await calendar.calendar()).dayInfo(date);
      return { date, workingDay: info.workday, provisional: !info.published };
    },

    async collectDigestItems(): Promise<DigestItems> {
      if (!deps.temporal) throw new Error('no Temporal client configured for this worker');
      const byUnit = new Map<string, { dueSoon: DigestItem[]; overdue: DigestItem[] }>();
      let seen = 0;
      for await (const wf of deps.temporal.workflow.list({ query: OPEN_WITH_WARNING })) {
        const sa = wf.typedSearchAttributes;
        const unit = sa.get(UnitKey);
        if (!unit) continue;
        const deadlineAt = sa.get(DeadlineKey);
        const overdue = sa.get(OverdueKey) === true;
        const item: DigestItem = {
          workflowId: wf.workflowId,
          unit,
          caseNumber: sa.get(CaseNumberKey),
          processKind: sa.get(ProcessKindKey),
          status: sa.get(StatusKey),
          deadline: deadlineAt ? formatShanghaiInstant(deadlineAt) : undefined,
          overdue,
          line: '',
        };
        const what = describe(item.workflowId, item.processKind);
        const when = item.deadline ? item.deadline.replace('T', ' ').slice(0, 16) : '未定';
        item.line = `${what}｜${item.caseNumber ?? item.workflowId}｜期限 ${when}${overdue ? '（已超期）' : ''}｜${item.workflowId}`;
        const lists = byUnit.get(unit) ?? { dueSoon: [], overdue: [] };
        (overdue ? lists.overdue : sa.get(WarningLevelKey) === 'yellow' ? lists.dueSoon : []).push(item);
        byUnit.set(unit, lists);
        if (++seen % 100 === 0) heartbeat(seen);
      }
      const byDeadline = (a: DigestItem, b: DigestItem) => (a.deadline ?? '').localeCompare(b.deadline ?? '') || a.workflowId.localeCompare(b.workflowId);
      const units = [...byUnit.entries()]
        .map(([unit, l]) => ({ unit, dueSoon: l.dueSoon.sort(byDeadline), overdue: l.overdue.sort(byDeadline), dueSoonTotal: l.dueSoon.length, overdueTotal: l.overdue.length }))
        .sort((a, b) => a.unit.localeCompare(b.unit));

      const { rows } = await deps.pool.query<{ code: string; supervisor_code: string }>(
        'SELECT code, supervisor_code FROM units WHERE supervisor_code IS NOT NULL AND code = ANY($1)',
        [units.filter((u) => u.overdue.length > 0).map((u) => u.unit)],
      );
      const supervised = new Map<string, DigestItem[]>();
      for (const { code, supervisor_code } of rows) {
        const list = supervised.get(supervisor_code) ?? [];
        list.push(...units.find((u) => u.unit === code)!.overdue);
        supervised.set(supervisor_code, list);
      }
      const supervisors = [...supervised.entries()]
        .map(([unit, overdue]) => ({ unit, overdue: overdue.sort((a, b) => a.unit.localeCompare(b.unit) || byDeadline(a, b)).slice(0, DIGEST_PAGE), overdueTotal: overdue.length }))
        .sort((a, b) => a.unit.localeCompare(b.unit));
      const understaffed = (await understaffedUnitsBySupervisor(deps.pool)).map(({ supervisor, units: below }) => ({
        unit: supervisor,
        lines: below.slice(0, DIGEST_PAGE).map((u) => `${u.unit}｜法制审核人员 ${u.qualifiedReviewers} 名，执法人员 ${u.enforcementOfficers} 名，应不少于 ${u.required} 名`),
      }));
      return {
        units: units.map((u) => ({ ...u, dueSoon: u.dueSoon.slice(0, DIGEST_PAGE), overdue: u.overdue.slice(0, DIGEST_PAGE) })),
        supervisors,
        understaffed,
      };
    },
  };
}
