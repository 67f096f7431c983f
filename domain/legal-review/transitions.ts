// 法制审核 (本政办发〔2019〕34号): WHICH action is allowed WHEN, and why not. One row per action:
// the statuses it is allowed in, the rule id a refusal carries, the article it rests on, and the
// guard (further conditions on the state and the arguments). Workflow validators call `check`; the
// API answers a refusal with 409 {error, rule, basis}. What an allowed action DOES is in reducer.ts.
import { LEGAL_REVIEW_RULES, opinionIssues, reviewedDraft, reviewerEligibility, type ReviewerProfile } from '../review-rules';
import { currentRound, STATUS_LABELS, type ReviewState } from './state';
import type { ActionArgs, ActionName, ReviewStatus } from './types';

export interface Refusal {
  rule: string;
  basis: string;
  message: string;
}

export type { ActionArgs, ActionName } from './types';

interface Transition<A extends ActionName> {
  /** What the action is called in a refusal (不能…). */
  label: string;
  /** Statuses the action is allowed in; otherwise refused with rule `wrong_state`. */
  from: readonly ReviewStatus[];
  /** The article of 本政办发〔2019〕34号 the action rests on (the refusal's basis). */
  article: string;
  /** Further conditions: a refusal, or undefined when allowed. */
  guard?: (s: ReviewState, a: ActionArgs[A], now: string) => Refusal | undefined;
}

/** A small allowance for clocks that differ between the caller and the service. */
export const DECISION_CLOCK_SKEW_MS = 5 * 60_000;
const OPEN: readonly ReviewStatus[] = ['awaiting_materials', 'awaiting_assignment', 'in_review', 'extension_requested', 'returned', 'disputed'];
const at = (article: string) => `${LEGAL_REVIEW_RULES} ${article}`;

// ---- guards, each one rule ----
const no = (rule: string, article: string, message: string): Refusal => ({ rule, basis: at(article), message });
const required = (value: string | undefined, what: string, article: string) => (!value?.trim() ? no('missing_reason', article, `须写明${what}`) : undefined);
const assignedReviewer = (s: ReviewState, by: string, what: string) =>
  s.reviewer?.personId !== by ? no('not_assigned_reviewer', '第十一条', `只有本案的审核人员（${s.reviewer?.personId ?? '尚未分配'}）可以${what}`) : undefined;
// Between a submission becoming complete and its clock starting nothing may be decided.
const clockRunning = (s: ReviewState) => (!currentRound(s).deadline ? no('clock_not_started', '第十二条', '审核期限正在计算，请稍后再试') : undefined);
const first = (...checks: Array<Refusal | undefined>) => checks.find((c) => c !== undefined);
// Separation of duties (our reading of 第五条 办审分离, 第十四条, 第十五条 回避): who asked may not decide,
// and a head with an interest in the case may not decide at all (the next head or 集体讨论 does).
const interested = (s: ReviewState, person: string) => s.input.interestedPersons.includes(person) || s.recusals.some((r) => r.personId === person);
const interestedHead = (s: ReviewState, by: string) =>
  interested(s, by) ? no('interested_head', '第十五条', `${by} 与本案有利害关系，应当回避，不能作出决定；由其他负责人决定或提交集体讨论`) : undefined;

export const TRANSITIONS: { [A in ActionName]: Transition<A> } = {
  addMaterials: {
    label: '补充材料',
    from: ['awaiting_materials', 'awaiting_assignment', 'in_review', 'extension_requested'],
    article: '第九条',
    guard: (_s, a) => (a.materials.length === 0 ? no('no_materials', '第九条', '没有提交任何材料') : undefined),
  },
  assignReviewer: {
    label: '分配审核人员',
    from: ['awaiting_materials', 'awaiting_assignment', 'in_review'],
    article: '第七条',
    guard: (s, a) => {
      if (s.reviewer?.personId === a.reviewerId) return no('already_assigned', '第七条', `${a.reviewerId} 已是本案审核人员`);
      // The legal office decides who reviews (第七条): assigning oneself, or taking over another's review, is for its lead or the head.
      if (!a.byLead && a.reviewerId === a.by) return no('self_assignment_needs_lead', '第七条', `${a.by} 不能自行确定为本案审核人员，须由法制机构负责人或机关负责人指定`);
      if (!a.byLead && s.reviewer) return no('takeover_needs_lead', '第七条', `本案已由 ${s.reviewer.personId} 审核；更换审核人员须由法制机构负责人或机关负责人决定`);
      const eligibility = reviewerEligibility({
        personId: a.reviewerId,
        profile: a.profile as ReviewerProfile | null,
        // An entrusted organisation's decision is reviewed by the entrusting unit's legal office (第四条).
        reviewUnit: s.input.entrustingUnit ?? s.input.unit,
        decisionKind: s.input.decisionKind,
        submittedBy: s.input.submittedBy,
        interestedPersons: s.input.interestedPersons,
        recusedPersons: s.recusals.map((r) => r.personId),
        caseHandlers: [...(s.input.caseHandlers ?? []), ...(a.caseHandlers ?? [])],
      });
      return eligibility.ok ? undefined : no(eligibility.rule, '第七条、第十五条', eligibility.message);
    },
  },
  declareRecusal: {
    label: '申明回避',
    from: OPEN,
    article: '第十五条',
    guard: (s, a) => first(required(a.reason, '回避理由', '第十五条'), s.recusals.some((r) => r.personId === a.by) ? no('already_recused', '第十五条', `${a.by} 已申明回避`) : undefined),
  },
  orderRecusal: {
    label: '决定回避',
    from: OPEN,
    article: '第十五条',
    guard: (s, a) =>
      first(
        required(a.reason, '回避理由', '第十五条'),
        a.personId === a.by ? no('order_own_recusal', '第十五条', `${a.by} 本人回避的，请申明回避（POST …/recusal）`) : undefined,
        s.recusals.some((r) => r.personId === a.personId) ? no('already_recused', '第十五条', `${a.personId} 已回避`) : undefined,
        interestedHead(s, a.by),
      ),
  },
  requestExtension: {
    label: '申请延期',
    from: ['in_review'],
    article: '第十二条',
    guard: (s, a, now) =>
      first(
        clockRunning(s),
        assignedReviewer(s, a.by, '申请延期'),
        required(a.reason, '延期理由（案件复杂的情形）', '第十二条'),
        currentRound(s).extension ? no('one_extension_per_round', '第十二条', `本轮审核已申请过延期，每次送审只能延长一次（${LEGAL_REVIEW_RULES} 第十二条）`) : undefined,
        // "经负责人批准可以延长" presupposes a period that has not run out (review C3).
        Date.parse(now) > Date.parse(currentRound(s).deadline!) ? no('extension_after_deadline', '第十二条', `审核期限已于 ${currentRound(s).deadline} 届满，不能再申请延长`) : undefined,
      ),
  },
  decideExtension: {
    label: '审批延期',
    from: ['extension_requested'],
    article: '第十二条',
    guard: (s, a) =>
      first(
        required(a.note, '审批意见', '第十二条'),
        currentRound(s).extension?.by === a.by ? no('same_person_extension', '第十二条', `${a.by} 申请了延期，不能自己批准；由机关负责人审批`) : undefined,
        interestedHead(s, a.by),
      ),
  },
  giveOpinion: {
    label: '提出审核意见',
    from: ['in_review', 'extension_requested'],
    article: '第十一条、第十三条',
    guard: (s, a) => {
      const issues = opinionIssues(a);
      return first(clockRunning(s), assignedReviewer(s, a.by, '提出审核意见'), issues.length ? no('inconsistent_opinion', '第十一条、第十三条', issues.map((i) => `${i.path}: ${i.message}`).join('; ')) : undefined);
    },
  },
  resubmit: {
    label: '重新送审',
    from: ['returned'],
    article: '第十四条',
    guard: (s, a) => {
      const kind = currentRound(s).opinion?.kind;
      // 不同意 (beyond powers / abuse) and 移送 (suspected crime, outside jurisdiction) are not fixed by a new draft (our choice, review M2).
      if (kind === 'disapprove' || kind === 'transfer')
        return no('no_fresh_round', '第十三条', `审核意见为“${kind === 'transfer' ? '移送' : '不同意'}”：不能重新送审，只能撤回${kind === 'transfer' ? '并移送' : ''}，或提出异议报请负责人决定`);
      return required(a.note, '对审核意见的处理情况', '第十四条');
    },
  },
  dispute: {
    label: '提出异议',
    from: ['returned'],
    article: '第十四条',
    guard: (s, a) =>
      first(required(a.reason, '异议理由', '第十四条'), currentRound(s).dispute ? no('already_disputed', '第十四条', '对本次审核意见的异议已由负责人决定；请按意见处理后重新送审') : undefined),
  },
  decideDispute: {
    label: '决定异议',
    from: ['disputed'],
    article: '第十四条',
    guard: (s, a) =>
      first(
        required(a.reasons, '决定理由', '第十四条'),
        currentRound(s).dispute?.by === a.by ? no('same_person_dispute', '第十四条', `${a.by} 提出了异议，不能自己决定；由机关负责人决定或提交集体讨论`) : undefined,
        interestedHead(s, a.by),
        // 涉嫌犯罪应当移送 (国务院令第310号): not the head's alone to waive; a collective discussion with its meeting record may.
        a.outcome === 'overrule' && currentRound(s).opinion?.kind === 'transfer'
          ? no('transfer_needs_collective', '第十四条', '移送（涉嫌犯罪或超出管辖）的审核意见不能由负责人一人决定不采纳，须经集体讨论并附会议记录')
          : undefined,
        a.outcome === 'collective' && !a.meetingRecordRef?.trim() ? no('meeting_record_required', '第十四条', `集体讨论决定须附会议记录（${LEGAL_REVIEW_RULES} 第十四条第（二）项）`) : undefined,
        a.outcome === 'collective' && !a.collectiveOutcome ? no('collective_outcome_required', '第十四条', '须写明集体讨论的结论：维持（uphold）或不采纳（overrule）审核意见') : undefined,
      ),
  },
  requestMaterials: {
    label: '要求补充材料',
    from: ['in_review'],
    article: '第十条',
    guard: (s, a) =>
      first(
        clockRunning(s),
        assignedReviewer(s, a.by, '要求补充材料'),
        a.items.length === 0 ? no('no_items', '第十条', '须写明需要补充的材料') : undefined,
        a.items.some((i) => !i.what?.trim()) ? no('missing_reason', '第十条', '每项须写明需要补充的内容') : undefined,
      ),
  },
  participantView: {
    label: '记录参与审核意见',
    from: ['awaiting_materials', 'awaiting_assignment', 'in_review', 'extension_requested'],
    article: '第四条',
    guard: (s, a) =>
      first(
        !(s.input.jointUnits ?? []).includes(a.unit)
          ? no('not_participating_unit', '第四条', `${a.unit} 不是本案共同作出决定的机关；共同决定由牵头机关法制机构审核，其他机关法制机构参与审核`)
          : undefined,
        (s.participantViews ?? []).some((v) => v.unit === a.unit) ? no('view_already_recorded', '第四条', `${a.unit} 的参与审核意见已经记录`) : undefined,
        required(a.text, '参与审核意见', '第四条'),
      ),
  },
  recordDecision: {
    label: '记录作出的决定',
    from: ['passed', 'overruled'],
    article: '第二条、第十四条',
    guard: (s, a, now) => {
      if (s.decision) return no('one_decision_per_review', '第二条', `本次审核已记录决定 ${s.decision.decisionNumber}；重新作出决定须重新送审`);
      const decidedAt = Date.parse(a.decidedAt);
      if (Number.isNaN(decidedAt)) return no('decided_at_invalid', '第二条', `决定日期 ${a.decidedAt} 无法识别`);
      if (decidedAt > Date.parse(now) + DECISION_CLOCK_SKEW_MS) return no('decided_in_future', '第二条', `决定日期 ${a.decidedAt} 晚于当前时间：不能记录尚未作出的决定`);
      const round = currentRound(s);
      const overruled = s.status === 'overruled';
      const since = overruled ? round.dispute?.decision?.at : round.opinion?.at;
      if (since && decidedAt < Date.parse(since)) {
        return no('decided_before_review', overruled ? '第二条、第十四条' : '第二条', `决定日期 ${a.decidedAt} 早于${overruled ? '负责人/集体讨论不采纳审核意见的决定' : '审核通过'}（${since}）：未经审核不得作出决定`);
      }
      const draft = reviewedDraft(round.materials);
      if (draft?.sha256) {
        if (!a.draftSha256) return no('draft_hash_required', '第二条', '须提供决定书文本的 SHA-256（draftSha256），以证明作出的决定即经审核的决定书草案');
        if (a.draftSha256 !== draft.sha256) return no('draft_not_reviewed', '第二条、第十四条', `决定书文本（${a.draftSha256}）不是经法制审核的草案（${draft.sha256}）：文本改变的，须重新送审`);
      }
      return undefined;
    },
  },
  withdraw: {
    label: '撤回',
    from: OPEN,
    article: '第九条',
    guard: (_s, a) => required(a.reason, '撤回理由', '第九条'),
  },
};

/** Why `action` with `args` is not allowed now, or undefined when it is. */
export function check<A extends ActionName>(s: ReviewState, action: A, args: ActionArgs[A], now: string): Refusal | undefined {
  const t = TRANSITIONS[action] as Transition<A>;
  if (!t.from.includes(s.status)) return no('wrong_state', t.article, `审核处于“${STATUS_LABELS[s.status]}”状态，不能${t.label}`);
  return t.guard?.(s, args, now);
}
