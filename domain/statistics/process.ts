// Annual statistics (锦政办发〔2019〕23号 (一)4(5); 潞州 plan 二): the yearly task per unit. Pure:
// the state, the one action (the unit checked the figures → publish) and when it is refused.

export const STATISTICS_BASIS = '锦政办发〔2019〕23号 (一)4(5)；潞州区行政执法“三项制度”实施方案 二';

/** statistics-<unit>-<year>: one task per unit and year, started on 1 January of year + 1. */
export const statisticsTaskWorkflowId = (unit: string, year: number) => `statistics-${unit}-${year}`;
export const statisticsCaseNumber = (year: number) => `statistics-${year}`;

/** The last day to publish: 31 January of the following year (a fixed date: not extended to a working day). */
export const statisticsDueDay = (year: number) => `${year + 1}-01-31`;
/** The deadline request's start: 1 January of the following year, 00:00 Asia/Shanghai (not counted) + 30 days = 31 January. */
export const statisticsPeriodFrom = (year: number) => `${year + 1}-01-01T00:00:00+08:00`;
export const STATISTICS_PERIOD = { period: '30d', extend: false } as const;

export interface StatisticsTaskInput {
  unit: string;
  year: number;
}

export interface StatisticsClockView {
  deadline: string;
  lastDay: string;
  level: 'none' | 'yellow' | 'red';
}

/** Who received the published figures: the government (and which rule chose it) and the superior department. */
export interface StatisticsRecipients {
  government: string | null;
  /** 'government': the jurisdiction's 人民政府 unit; 'justice-bureau': no government seeded, the supervising 司法局 */
  governmentIs: 'government' | 'justice-bureau' | 'none';
  superior: string | null;
}

export interface StatisticsTaskState extends StatisticsTaskInput {
  status: 'pending' | 'published';
  clock?: StatisticsClockView;
  overdue: boolean;
  escalations: number;
  publishedAt?: string;
  publishedBy?: string;
  publishedLate?: boolean;
  sentTo: string[];
  revision: number;
}

export interface PublishStatisticsRequest {
  by: string;
  /** the principal's roles: a publisher or an admin of the unit approves */
  roles: string[];
  unit: string;
}

export interface Refusal {
  rule: string;
  basis: string;
  message: string;
}

export const initialStatisticsState = (input: StatisticsTaskInput): StatisticsTaskState => ({ ...input, status: 'pending', overdue: false, escalations: 0, sentTo: [], revision: 0 });

export function checkPublish(s: StatisticsTaskState, r: PublishStatisticsRequest): Refusal | undefined {
  if (s.status !== 'pending') return { rule: 'statistics.already_published', basis: STATISTICS_BASIS, message: `${s.year} 年度统计已公布（${s.publishedAt ?? ''}）` };
  if (r.unit !== s.unit) return { rule: 'statistics.other_unit', basis: STATISTICS_BASIS, message: `年度统计由本单位（${s.unit}）核对公布` };
  if (!r.roles.includes('publisher') && !r.roles.includes('admin')) return { rule: 'statistics.not_publisher', basis: STATISTICS_BASIS, message: '须由本单位公示审核人（publisher）或管理员核对后公布' };
  return undefined;
}

/** The figures are published: the state after it (late when past the deadline or already overdue). */
export function published(s: StatisticsTaskState, r: PublishStatisticsRequest, at: string, sentTo: string[]): StatisticsTaskState {
  const late = s.overdue || (s.clock ? Date.parse(at) > Date.parse(s.clock.deadline) : false);
  return { ...s, status: 'published', publishedAt: at, publishedBy: r.by, publishedLate: late, clock: undefined, overdue: false, sentTo, revision: s.revision + 1 };
}
