// Basis changes (本政办发〔2019〕35号 第二十六条): a law or the unit's functions changed; the affected
// pre-disclosure items must be updated within 20 working days. Pure: state, the completing action
// and its refusal.

export const BASIS_CHANGE_BASIS = '本政办发〔2019〕35号 第二十六条';
export const BASIS_CHANGE_STATUTE = 'updatePreDisclosure' as const;

export const basisChangeWorkflowId = (unit: string, changeId: string) => `basis-change-${unit}-${changeId}`;
export const basisChangeCaseNumber = (changeId: string) => `basis-change-${changeId}`;

/** Ids and dates only: the description stays in Postgres. */
export interface BasisChangeInput {
  changeId: string;
  unit: string;
  /** YYYY-MM-DD: the day the law or the functions changed (not counted) */
  effectiveOn: string;
}

export interface BasisChangeState extends BasisChangeInput {
  status: 'open' | 'completed';
  clock?: { deadline: string; lastDay: string; level: 'none' | 'yellow' | 'red' };
  overdue: boolean;
  escalations: number;
  completedAt?: string;
  completedBy?: string;
  completedLate?: boolean;
  revision: number;
}

export interface CompleteBasisChangeRequest {
  by: string;
  unit: string;
}

export const initialBasisChangeState = (input: BasisChangeInput): BasisChangeState => ({ ...input, status: 'open', overdue: false, escalations: 0, revision: 0 });

/** The period starts on the effective day (Asia/Shanghai; the day itself is not counted). */
export const basisChangeFrom = (effectiveOn: string) => `${effectiveOn}T12:00:00+08:00`;

export function checkComplete(s: BasisChangeState, r: CompleteBasisChangeRequest): { rule: string; basis: string; message: string } | undefined {
  if (s.status !== 'open') return { rule: 'basis_change.already_completed', basis: BASIS_CHANGE_BASIS, message: `已于 ${s.completedAt ?? ''} 完成更新` };
  if (r.unit !== s.unit) return { rule: 'basis_change.other_unit', basis: BASIS_CHANGE_BASIS, message: `由本单位（${s.unit}）更新事前公开内容` };
  return undefined;
}

export function completed(s: BasisChangeState, r: CompleteBasisChangeRequest, at: string): BasisChangeState {
  const late = s.overdue || (s.clock ? Date.parse(at) > Date.parse(s.clock.deadline) : false);
  return { ...s, status: 'completed', completedAt: at, completedBy: r.by, completedLate: late, clock: undefined, overdue: false, revision: s.revision + 1 };
}
