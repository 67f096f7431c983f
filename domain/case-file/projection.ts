import type { CaseFileState, WarningLevel } from './types';

/** The list columns of a `cases` row, derived from the case file's state (pure). */
export interface CaseListColumns {
  status: CaseFileState['status'];
  /** The clock that runs now: the urgent start's 24 hours while open, then the 30 archive days. */
  deadlineKind: 'urgent_approval' | 'archive' | null;
  deadline: string | null;
  warningLevel: WarningLevel;
  overdue: boolean;
  avPending: number;
  avOverdue: number;
  archivedAt: string | null;
}

export function caseListColumns(view: CaseFileState): CaseListColumns {
  const approval = view.urgentApproval;
  const pendingAvs = view.avRecords.filter((r) => r.status === 'pending');
  const base = {
    status: view.status,
    avPending: pendingAvs.length,
    avOverdue: pendingAvs.filter((r) => r.level === 'red').length,
    archivedAt: view.archivedAt ?? null,
  };
  if (view.status === 'open' && approval?.status === 'pending' && approval.deadline) {
    const level: WarningLevel = approval.overdue ? 'red' : (approval.level ?? 'yellow');
    return { ...base, deadlineKind: 'urgent_approval', deadline: approval.deadline, warningLevel: level, overdue: level === 'red' };
  }
  if (view.status === 'enforcement_ended' && view.archiveDeadline) {
    const level = view.archiveDeadline.level;
    return { ...base, deadlineKind: 'archive', deadline: view.archiveDeadline.deadline, warningLevel: level, overdue: level === 'red' };
  }
  return { ...base, deadlineKind: null, deadline: null, warningLevel: 'none', overdue: false };
}
