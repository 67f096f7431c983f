// The legal review's state (plain JSON: carried across continue-as-new) and what is read from it.
import { missingMaterials, type Material } from '../review-rules';
import { FINAL_REVIEW_STATUSES, type LegalReviewInput, type ProjectedReview, type ReviewEvent, type ReviewRound, type ReviewStatus, type ReviewView, type WarningLevel } from './types';

export interface ReviewContext {
  unitName: string;
  /** Its 司法局 (or superior organ): told of overdue reviews and overruled opinions. */
  supervisorUnit: string | null;
}

export interface ReviewState {
  workflowId: string;
  input: LegalReviewInput;
  context: ReviewContext;
  status: ReviewStatus;
  rounds: ReviewRound[];
  reviewer: { personId: string; name: string | null } | null;
  recusals: ReviewView['recusals'];
  history: ReviewEvent[];
  revision: number;
  flagReason: string | null;
  /** The clock's level while it runs ('none' when it has stopped). */
  warningLevel: WarningLevel;
  /** The round whose missing materials the handler was last told about. */
  missingToldForRound: number;
  /** Joint decision: the views of the participating units' legal offices (第四条); absent in older states. */
  participantViews?: ReviewView['participantViews'];
  /** The decision recorded through the review; absent until made (and in older states). */
  decision?: ReviewView['decision'];
}

export const STATUS_LABELS: Record<ReviewStatus, string> = {
  awaiting_materials: '待补充送审材料',
  awaiting_assignment: '待分配审核人员',
  in_review: '审核中',
  extension_requested: '延期待负责人审批',
  returned: '已退回承办机构（待重新送审或提出异议）',
  disputed: '异议待负责人决定',
  passed: '审核通过',
  overruled: '负责人/集体讨论未采纳审核意见',
  withdrawn: '已撤回',
};

export const currentRound = (s: ReviewState): ReviewRound => s.rounds[s.rounds.length - 1]!;
export const isFinal = (s: ReviewState): boolean => FINAL_REVIEW_STATUSES.includes(s.status);

export function newRound(input: LegalReviewInput, round: number, materials: Material[], receivedAt: string | null): ReviewRound {
  return {
    round,
    receivedAt,
    materials: [...materials],
    missing: missingMaterials(input, materials),
    deadline: null,
    lastDay: null,
    deadlineBasis: null,
    deadlineCapped: false,
    deadlineProvisional: false,
    escalations: 0,
    extension: null,
    opinion: null,
    dispute: null,
  };
}

/** The state a review starts in: complete submissions wait for a reviewer, others for materials. */
export function initialState(input: LegalReviewInput, workflowId: string, context: ReviewContext): ReviewState {
  const first = newRound(input, 1, input.materials, null);
  if (first.missing.length === 0) first.receivedAt = input.receivedAt;
  return {
    workflowId,
    input,
    context,
    status: first.missing.length ? 'awaiting_materials' : 'awaiting_assignment',
    rounds: [first],
    reviewer: null,
    recusals: [],
    history: [],
    revision: 0,
    flagReason: null,
    warningLevel: 'none',
    missingToldForRound: 0,
  };
}

export function view(s: ReviewState): ReviewView {
  const round = currentRound(s);
  const { input } = s;
  return JSON.parse(
    JSON.stringify({
      id: input.reviewId,
      workflowId: s.workflowId,
      unit: input.unit,
      caseNumber: input.caseNumber,
      title: input.title,
      decisionKind: input.decisionKind,
      procedure: input.procedure,
      party: input.party,
      caseDeadline: input.caseDeadline,
      caseDeadlineBasis: input.caseDeadlineBasis,
      caseDeadlinePassedAtSubmission: input.caseDeadlinePassedAtSubmission === true,
      submissionNo: input.submissionNo ?? 1,
      interestedPersons: input.interestedPersons,
      submittedBy: input.submittedBy,
      status: s.status,
      round: round.round,
      reviewer: s.reviewer?.personId ?? null,
      deadline: round.deadline,
      lastDay: round.lastDay,
      overdue: s.warningLevel === 'red',
      warningLevel: s.warningLevel,
      escalations: round.escalations,
      extended: round.extension?.decision?.approve === true,
      missingMaterials: round.missing,
      opinion: round.opinion,
      dispute: round.dispute,
      flagged: s.flagReason !== null,
      flagReason: s.flagReason,
      recusals: s.recusals,
      jointUnits: input.jointUnits ?? [],
      participantViews: s.participantViews ?? [],
      entrustingUnit: input.entrustingUnit ?? null,
      decision: s.decision ?? null,
      rounds: s.rounds,
      history: s.history,
      revision: s.revision,
    } satisfies ReviewView),
  );
}

/** The projection: the view without its event list (the case record holds the steps). */
export function projection(s: ReviewState): ProjectedReview {
  const { history: _events, ...rest } = view(s);
  return rest;
}

/** Who has the ball, for the Temporal UI. */
export function whoHasTheBall(s: ReviewState): string {
  switch (s.status) {
    case 'awaiting_materials':
    case 'returned':
      return `承办机构 ${s.input.submittedBy}`;
    case 'awaiting_assignment':
      return '法制机构（待分配审核人员）';
    case 'in_review':
      return `审核人员 ${s.reviewer?.name ?? s.reviewer?.personId}`;
    case 'extension_requested':
    case 'disputed':
      return `${s.input.unit} 负责人`;
    case 'passed':
    case 'overruled':
      return s.decision ? '—' : `承办机构 ${s.input.submittedBy}（待作出决定，经本审核记录）`;
    default:
      return '—';
  }
}

/** The Temporal UI's current details. */
export function details(s: ReviewState): { step: string; who: string; deadline?: string; note?: string } {
  const round = currentRound(s);
  return {
    step: `${STATUS_LABELS[s.status]}（第${round.round}次送审）`,
    who: whoHasTheBall(s),
    deadline: s.status === 'returned' || isFinal(s) ? undefined : (round.deadline ?? undefined),
    note: s.warningLevel === 'red' ? '**已超期**，已督办（每日 08:30 的督办汇总继续列出）' : undefined,
  };
}
