import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createCalendarActivities } from '../activities/calendar';
import type { RecordStage } from '../activities/records';
import type { createReviewActivities } from '../activities/reviews';
import {
  CHECKLIST_ITEMS,
  describeMissing,
  LEGAL_REVIEW_RULES,
  missingMaterials,
  OPINION_LABELS,
  opinionIssues,
  reviewerEligibility,
  type Material,
  type ReviewerProfile,
} from '../domain/review-rules';
import {
  addMaterialsUpdate,
  assignReviewerUpdate,
  decideDisputeUpdate,
  decideExtensionUpdate,
  declareRecusalUpdate,
  disputeUpdate,
  FINAL_REVIEW_STATUSES,
  giveOpinionUpdate,
  requestExtensionUpdate,
  resubmitUpdate,
  reviewStateQuery,
  withdrawUpdate,
  type LegalReviewInput,
  type ProjectedReview,
  type ReviewEvent,
  type ReviewRound,
  type ReviewStatus,
  type ReviewView,
} from './legal-review-messages';
import { CaseNumberKey, DeadlineKey, DeadlineProvisionalKey, OverdueKey, ProcessKindKey, StatusKey, UnitKey, WarningLevelKey } from './search-attributes';
import { setCurrentDetails } from './shared/details';
import { LegalDeadline, type DeadlineRequest, type DeadlineSchedule } from './shared/legal-deadline';
import { appendCaseRecord, escalate, storeDocument, tell, type NotifyInput } from './shared/record-and-notify';

export * from './legal-review-messages';

const activityOptions = { startToCloseTimeout: '30 seconds', retry: { maximumInterval: '1 minute' } } as const;
const reviews = proxyActivities<ReturnType<typeof createReviewActivities>>(activityOptions);
const calendar = proxyActivities<ReturnType<typeof createCalendarActivities>>(activityOptions);

const STATUS_LABELS: Record<ReviewStatus, string> = {
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

/** A refused action: the validator throws it, so it never reaches history; the API answers 409. */
const refuse = (rule: string, message: string): never => {
  throw ApplicationFailure.create({ type: rule, message, nonRetryable: true });
};

interface Change {
  actor: string;
  action: string;
  summary: string;
  stage?: RecordStage;
  documents?: { documentId: string; sha256: string; kind: string }[];
  payload?: Record<string, unknown>;
  notices?: NotifyInput[];
}

/**
 * 法制审核 of one major decision (本政办发〔2019〕34号), id review-<unit>-<caseNumber>: complete
 * submission → reviewer → opinion under the 7-working-day clock (+3 if the head approves), and on a
 * return either a resubmission (a new round with a fresh clock) or a dispute the head decides.
 * Every action is an Update whose validator refuses wrong transitions; state is a Query.
 */
export async function legalReviewWorkflow(input: LegalReviewInput): Promise<ReviewView> {
  const { workflowId } = workflowInfo();
  const now = () => new Date().toISOString();
  const link = { workflowId, caseNumber: input.caseNumber, path: `/api/reviews/${input.reviewId}` };

  const firstMissing = missingMaterials(input, input.materials);
  const rounds: ReviewRound[] = [newRound(1, input.materials, firstMissing.length ? null : input.receivedAt)];
  let status: ReviewStatus = firstMissing.length ? 'awaiting_materials' : 'awaiting_assignment';
  let reviewer: { personId: string; name: string | null } | null = null;
  const recusals: ReviewView['recusals'] = [];
  const history: ReviewEvent[] = [];
  let revision = 0;
  let flagReason: string | null = null;
  let clock: LegalDeadline | undefined;
  let context: { unitName: string; supervisorUnit: string | null } = { unitName: input.unit, supervisorUnit: null };

  const current = () => rounds[rounds.length - 1]!;
  const isFinal = () => FINAL_REVIEW_STATUSES.includes(status);
  const deadlineRequest = (round: ReviewRound, extended: boolean): DeadlineRequest => ({
    from: round.receivedAt!,
    steps: extended ? [{ statute: 'legalReview' }, { statute: 'legalReviewExtension' }] : [{ statute: 'legalReview' }],
    capDate: input.caseDeadline,
  });

  function newRound(round: number, materials: Material[], receivedAt: string | null): ReviewRound {
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

  function view(): ReviewView {
    const round = current();
    return JSON.parse(
      JSON.stringify({
        id: input.reviewId,
        workflowId,
        unit: input.unit,
        caseNumber: input.caseNumber,
        title: input.title,
        decisionKind: input.decisionKind,
        procedure: input.procedure,
        party: input.party,
        caseDeadline: input.caseDeadline,
        submittedBy: input.submittedBy,
        status,
        round: round.round,
        reviewer: reviewer?.personId ?? null,
        deadline: round.deadline,
        lastDay: round.lastDay,
        overdue: clock?.overdue ?? false,
        warningLevel: clock?.level ?? 'none',
        escalations: round.escalations,
        extended: round.extension?.decision?.approve === true,
        missingMaterials: round.missing,
        opinion: round.opinion,
        dispute: round.dispute,
        flagged: flagReason !== null,
        flagReason,
        recusals,
        rounds,
        history,
        revision,
      } satisfies ReviewView),
    );
  }

  function projection(): ProjectedReview {
    const { history: _events, ...rest } = view();
    return rest;
  }

  function whoHasTheBall(): string {
    switch (status) {
      case 'awaiting_materials':
      case 'returned':
        return `承办机构 ${input.submittedBy}`;
      case 'awaiting_assignment':
        return '法制机构（待分配审核人员）';
      case 'in_review':
        return `审核人员 ${reviewer?.name ?? reviewer?.personId}`;
      case 'extension_requested':
      case 'disputed':
        return `${input.unit} 负责人`;
      default:
        return '—';
    }
  }

  function showState(): void {
    upsertSearchAttributes([{ key: StatusKey, value: status }]);
    setCurrentDetails({
      step: `${STATUS_LABELS[status]}（第${current().round}次送审）`,
      who: whoHasTheBall(),
      deadline: status === 'returned' || isFinal() ? undefined : (current().deadline ?? undefined),
      note: clock?.overdue ? `**已超期**，第${current().escalations}次督办` : undefined,
    });
  }

  /** Every change: a new revision, the case record, the projection, and whoever must be told. */
  async function commit(change: Change): Promise<void> {
    revision += 1;
    const at = now();
    history.push({ at, actor: change.actor, action: change.action, summary: change.summary });
    showState();
    await Promise.all([
      appendCaseRecord({
        unit: input.unit,
        caseNumber: input.caseNumber,
        stage: change.stage ?? 'review',
        actor: change.actor,
        action: change.action,
        summary: change.summary,
        occurredAt: at,
        documents: change.documents,
        payload: { workflowId, round: current().round, status, ...change.payload },
        idempotencyKey: `${workflowId}:record:${revision}`,
      }),
      reviews.projectReview(projection()),
      ...(change.notices ?? []).map((n) => tell(n)),
    ]);
  }

  /** Reminders change no state worth a record, only the projection (warning level) and inboxes. */
  async function remind(notices: NotifyInput[]): Promise<void> {
    revision += 1;
    showState();
    await Promise.all([reviews.projectReview(projection()), ...notices.map((n) => tell(n))]);
  }

  /** The notice for a milestone; its key is workflowId + round + milestone + n, so a retry sends it once. */
  const notice = (milestone: string, n: number, message: Omit<NotifyInput, 'idempotencyKey' | 'link'>): NotifyInput => ({
    ...message,
    idempotencyKey: `${workflowId}:r${current().round}:${milestone}:${n}`,
    link,
  });
  const toHandler = (milestone: string, kind: NotifyInput['kind'], subject: string, body: string) =>
    notice(milestone, revision + 1, { unit: input.unit, recipientPerson: input.submittedBy, kind, subject, body });
  const toLegalOffice = (milestone: string, n: number, kind: NotifyInput['kind'], subject: string, body: string) =>
    notice(`${milestone}-legal-office`, n, { unit: input.unit, kind, subject: `【法制机构】${subject}`, body });
  const toHead = (milestone: string, n: number, kind: NotifyInput['kind'], subject: string, body: string) =>
    notice(`${milestone}-head`, n, { unit: input.unit, kind, subject: `【负责人】${subject}`, body });
  const caseLabel = `${input.caseNumber}《${input.title}》`;

  const clockHooks = {
    onYellow: (s: DeadlineSchedule) => remind(deadlineReminders('yellow', `法制审核期限将至：${caseLabel}`, `审核期限 ${s.deadline}（${s.basis}），剩余不足两个工作日。`)),
    onLastDay: (s: DeadlineSchedule) => remind(deadlineReminders('last-day', `法制审核今日到期：${caseLabel}`, `今天是审核期限最后一日（${s.lastDay}），请在 ${s.deadline} 前提出审核意见。`)),
    onOverdue: async (s: DeadlineSchedule, n: number) => {
      current().escalations = n;
      const body = `${caseLabel} 的法制审核已于 ${s.deadline} 到期，尚未提出审核意见（第${n}次督办；${LEGAL_REVIEW_RULES} 第十二条、第十六条）。审核人员：${reviewer?.name ?? reviewer?.personId ?? '未分配'}。`;
      // To the unit's head and its supervising 司法局, once per working day until the opinion exists.
      await Promise.all([
        commit({ actor: 'system', action: 'review.overdue', summary: `法制审核超期，第${n}次督办`, payload: { deadline: s.deadline, escalation: n } }),
        escalate({ unit: input.unit, subject: `【督办】${context.unitName} 法制审核超期：${caseLabel}`, body, link, idempotencyKey: `${workflowId}:r${current().round}:overdue:${n}` }),
      ]);
    },
    onChange: async (c: { reason: string; before: DeadlineSchedule; after: DeadlineSchedule }) => {
      applySchedule(c.after);
      await commit({
        actor: 'system',
        action: 'review.deadline_changed',
        summary: `审核期限由 ${c.before.deadline} 变更为 ${c.after.deadline}（${c.reason}）`,
        payload: { before: c.before.deadline, after: c.after.deadline, reason: c.reason, basis: c.after.basis },
      });
    },
  };

  function deadlineReminders(milestone: string, subject: string, body: string): NotifyInput[] {
    const notices = [toLegalOffice(milestone, 1, 'reminder', subject, body)];
    if (reviewer) notices.push(notice(`${milestone}-reviewer`, 1, { unit: input.unit, recipientPerson: reviewer.personId, kind: 'reminder', subject, body }));
    return notices;
  }

  function applySchedule(s: DeadlineSchedule): void {
    const round = current();
    round.deadline = s.deadline;
    round.lastDay = s.lastDay;
    round.deadlineBasis = s.basis;
    round.deadlineCapped = s.capped;
    round.deadlineProvisional = s.provisional;
  }

  // ---- Updates: each validator states the rule; the handler changes state, then records it. ----

  const assertActive = (action: string, allowed: readonly ReviewStatus[]) => {
    if (!allowed.includes(status)) refuse('wrong_state', `审核处于“${STATUS_LABELS[status]}”状态，不能${action}`);
  };
  const assertAssignedReviewer = (by: string, action: string) => {
    if (reviewer?.personId !== by) refuse('not_assigned_reviewer', `只有本案的审核人员（${reviewer?.personId ?? '尚未分配'}）可以${action}`);
  };
  // Between a submission becoming complete and its clock starting (one activity) nothing may be decided.
  const assertClockRunning = () => {
    if (!current().deadline) refuse('clock_not_started', '审核期限正在计算，请稍后再试');
  };
  const required = (value: string, what: string) => {
    if (!value.trim()) refuse('missing_reason', `须写明${what}`);
  };

  /** Wait for the main loop to have started this round's clock (so the answer carries the deadline). */
  const untilClockStarted = (round: ReviewRound) => condition(() => round.deadline !== null || isFinal());

  setHandler(reviewStateQuery, view);

  setHandler(
    addMaterialsUpdate,
    async ({ by, materials, note }) => {
      const round = current();
      round.materials.push(...materials);
      const wasIncomplete = round.missing.length > 0;
      round.missing = missingMaterials(input, round.materials);
      const completed = wasIncomplete && round.missing.length === 0;
      if (completed) {
        round.receivedAt = now();
        status = reviewer ? 'in_review' : 'awaiting_assignment';
      }
      await commit({
        actor: by,
        action: 'review.materials_added',
        summary: `补充送审材料：${materials.map((m) => `${m.kind}（${m.ref}）`).join('、')}${note ? `；${note}` : ''}${completed ? '。送审材料已齐全，审核期限自即日起计算' : round.missing.length ? `。仍缺：${round.missing.join('、')}` : ''}`,
        payload: { materials, complete: round.missing.length === 0 },
        notices: completed ? [toLegalOffice('materials-complete', revision + 1, 'action_required', `送审材料已齐全：${caseLabel}`, '请分配审核人员并在期限内审核。')] : [],
      });
      if (completed) await untilClockStarted(round);
      return view();
    },
    {
      validator: ({ materials }) => {
        assertActive('补充材料', ['awaiting_materials', 'awaiting_assignment', 'in_review', 'extension_requested']);
        if (materials.length === 0) refuse('no_materials', '没有提交任何材料');
      },
    },
  );

  setHandler(
    assignReviewerUpdate,
    async ({ by, reviewerId, profile }) => {
      const before = reviewer;
      reviewer = { personId: reviewerId, name: profile?.name ?? null };
      if (status === 'awaiting_assignment') status = 'in_review';
      await commit({
        actor: by,
        action: 'review.reviewer_assigned',
        summary: `确定审核人员 ${profile?.name ?? reviewerId}（${reviewerId}）${before ? `，替换 ${before.name ?? before.personId}` : ''}`,
        payload: { reviewerId, qualification: profile },
        notices: [
          notice('assigned', revision + 1, {
            unit: input.unit,
            recipientPerson: reviewerId,
            kind: 'action_required',
            subject: `请审核：${caseLabel}`,
            body: current().deadline ? `审核期限 ${current().deadline}。` : '送审材料尚未齐全，齐全后开始计算审核期限。',
          }),
        ],
      });
      return view();
    },
    {
      validator: ({ reviewerId, profile }) => {
        assertActive('分配审核人员', ['awaiting_materials', 'awaiting_assignment', 'in_review']);
        if (reviewer?.personId === reviewerId) refuse('already_assigned', `${reviewerId} 已是本案审核人员`);
        const eligibility = reviewerEligibility({
          personId: reviewerId,
          profile: profile as ReviewerProfile | null,
          reviewUnit: input.unit,
          decisionKind: input.decisionKind,
          submittedBy: input.submittedBy,
          interestedPersons: input.interestedPersons,
          recusedPersons: recusals.map((r) => r.personId),
        });
        if (!eligibility.ok) refuse(eligibility.rule, eligibility.message);
      },
    },
  );

  setHandler(
    declareRecusalUpdate,
    async ({ by, reason }) => {
      recusals.push({ personId: by, reason, at: now() });
      const wasReviewer = reviewer?.personId === by;
      const round = current();
      if (wasReviewer) {
        reviewer = null;
        if (status === 'in_review' || status === 'extension_requested') status = 'awaiting_assignment';
        // A pending extension request was the recused reviewer's; the next reviewer may ask anew.
        if (round.extension && !round.extension.decision) round.extension = null;
      }
      await commit({
        actor: by,
        action: 'review.recusal',
        summary: `${by} 申明回避：${reason}${wasReviewer ? '；已不再担任本案审核人员' : ''}（${LEGAL_REVIEW_RULES} 第十五条）`,
        payload: { personId: by, reason },
        notices: wasReviewer ? [toLegalOffice('recusal', revision + 1, 'action_required', `审核人员回避，请重新分配：${caseLabel}`, `${by} 回避：${reason}`)] : [],
      });
      return view();
    },
    {
      validator: ({ by, reason }) => {
        assertActive('申明回避', ['awaiting_materials', 'awaiting_assignment', 'in_review', 'extension_requested', 'returned', 'disputed']);
        required(reason, '回避理由');
        if (recusals.some((r) => r.personId === by)) refuse('already_recused', `${by} 已申明回避`);
      },
    },
  );

  setHandler(
    requestExtensionUpdate,
    async ({ by, reason }) => {
      current().extension = { reason, by, at: now() };
      status = 'extension_requested';
      await commit({
        actor: by,
        action: 'review.extension_requested',
        summary: `审核人员申请延长审核期限3个工作日：${reason}`,
        payload: { reason },
        notices: [toHead('extension-requested', revision + 1, 'action_required', `延长法制审核期限待审批：${caseLabel}`, `申请理由：${reason}。现审核期限 ${current().deadline}。`)],
      });
      return view();
    },
    {
      validator: ({ by, reason }) => {
        assertActive('申请延期', ['in_review']);
        assertClockRunning();
        assertAssignedReviewer(by, '申请延期');
        required(reason, '延期理由（案件复杂的情形）');
        if (current().extension) refuse('one_extension_per_round', `本轮审核已申请过延期，每次送审只能延长一次（${LEGAL_REVIEW_RULES} 第十二条）`);
      },
    },
  );

  setHandler(
    decideExtensionUpdate,
    async ({ by, approve, note }) => {
      const round = current();
      round.extension!.decision = { approve, note, by, at: now() };
      status = 'in_review';
      if (approve) {
        const request = deadlineRequest(round, true);
        // Computed here as well so the answer carries the new deadline; the clock moves itself.
        applySchedule(await calendar.computeLegalDeadline(request));
        clock?.reschedule(request, '负责人批准延长审核期限');
      }
      await commit({
        actor: by,
        action: approve ? 'review.extension_approved' : 'review.extension_refused',
        summary: approve ? `负责人批准延长审核期限至 ${round.deadline}${round.deadlineCapped ? '（不超过作出决定的法定期限）' : ''}：${note}` : `负责人不批准延长审核期限：${note}`,
        payload: { approve, note, deadline: round.deadline },
        notices: reviewer
          ? [
              notice('extension-decided', 1, {
                unit: input.unit,
                recipientPerson: reviewer.personId,
                kind: 'info',
                subject: `${approve ? '已批准' : '未批准'}延长审核期限：${caseLabel}`,
                body: `审核期限 ${round.deadline}。${note}`,
              }),
            ]
          : [],
      });
      return view();
    },
    {
      validator: ({ note }) => {
        assertActive('审批延期', ['extension_requested']);
        required(note, '审批意见');
      },
    },
  );

  setHandler(
    giveOpinionUpdate,
    async ({ by, kind, checklist, text }) => {
      const round = current();
      const at = now();
      const late = round.deadline !== null && Date.parse(at) > Date.parse(round.deadline);
      const opinion = { kind, checklist, text, by, at, late };
      round.opinion = opinion;
      status = kind === 'approve' ? 'passed' : 'returned';
      const rendered = await reviews.renderReviewOpinion({
        unit: input.unit,
        unitName: context.unitName,
        caseNumber: input.caseNumber,
        title: input.title,
        decisionKind: input.decisionKind,
        party: input.party,
        round: round.round,
        receivedAt: round.receivedAt!,
        deadline: round.deadline!,
        deadlineBasis: round.deadlineBasis ?? '',
        reviewer: { personId: by, name: reviewer?.name ?? null },
        opinion: { kind, checklist, text, at, late },
      });
      const stored = await storeDocument({
        unit: input.unit,
        caseNumber: input.caseNumber,
        kind: 'review_opinion',
        title: rendered.title,
        contentType: 'text/html; charset=utf-8',
        content: rendered.html,
        idempotencyKey: `${workflowId}:r${round.round}:opinion-document`,
      });
      round.opinion = { ...opinion, document: stored };
      const document = { documentId: stored.documentId, sha256: stored.sha256, kind: 'review_opinion' };
      const problems = CHECKLIST_ITEMS.filter((i) => checklist[i].result === 'problem');
      const returned = kind !== 'approve';
      await commit({
        actor: by,
        action: 'review.opinion',
        summary: `法制审核意见：${OPINION_LABELS[kind]}${late ? '（超过审核期限提出）' : ''}${problems.length ? `；问题：${problems.join('、')}` : ''}`,
        documents: [document],
        payload: { kind, checklist, text, late },
        notices: [
          toHandler(
            'opinion',
            returned ? 'action_required' : 'info',
            `法制审核意见（${OPINION_LABELS[kind]}）：${caseLabel}`,
            returned ? `审核未通过，请按意见处理后重新送审，或提出异议报请负责人决定（${LEGAL_REVIEW_RULES} 第十四条）。意见书：/api/documents/${stored.documentId}` : `审核通过，可以作出决定。意见书：/api/documents/${stored.documentId}`,
          ),
        ],
      });
      // 第十三条: one copy archived by the legal office, one returned with the file for the case file.
      for (const c of [
        { copy: 1, action: 'review.opinion.archived', holder: 'legal_office_archive', summary: '审核意见书第一份：法制机构留存归档' },
        { copy: 2, action: 'review.opinion.returned_to_handler', holder: 'handler_case_file', summary: '审核意见书第二份：连同案卷材料回复承办机构，存入执法案卷' },
      ]) {
        await appendCaseRecord({
          unit: input.unit,
          caseNumber: input.caseNumber,
          stage: 'review',
          actor: by,
          action: c.action,
          summary: c.summary,
          occurredAt: at,
          documents: [document],
          payload: { workflowId, round: round.round, copy: c.copy, of: 2, holder: c.holder },
          idempotencyKey: `${workflowId}:r${round.round}:opinion-copy-${c.copy}`,
        });
      }
      if (input.decisionKind === 'penalty') await reviews.notePenaltyReviewed({ personId: by });
      return view();
    },
    {
      validator: (opinion) => {
        assertActive('提出审核意见', ['in_review', 'extension_requested']);
        assertClockRunning();
        assertAssignedReviewer(opinion.by, '提出审核意见');
        const issues = opinionIssues(opinion);
        if (issues.length) refuse('inconsistent_opinion', issues.map((i) => `${i.path}: ${i.message}`).join('; '));
      },
    },
  );

  setHandler(
    resubmitUpdate,
    async ({ by, materials, note }) => {
      const previous = current();
      const round = newRound(previous.round + 1, [...previous.materials, ...materials], null);
      round.note = note;
      rounds.push(round);
      if (round.missing.length === 0) {
        round.receivedAt = now();
        status = reviewer ? 'in_review' : 'awaiting_assignment';
      } else {
        status = 'awaiting_materials';
      }
      await commit({
        actor: by,
        action: 'review.resubmitted',
        summary: `按审核意见处理后重新送审（第${round.round}次）：${note}`,
        payload: { materials, note },
        notices: [toLegalOffice('resubmitted', 1, 'action_required', `重新送审：${caseLabel}`, `第${round.round}次送审：${note}`)],
      });
      if (round.missing.length === 0) await untilClockStarted(round);
      return view();
    },
    {
      validator: ({ note }) => {
        assertActive('重新送审', ['returned']);
        required(note, '对审核意见的处理情况');
      },
    },
  );

  setHandler(
    disputeUpdate,
    async ({ by, reason }) => {
      current().dispute = { reason, by, at: now() };
      status = 'disputed';
      await commit({
        actor: by,
        action: 'review.disputed',
        summary: `承办机构对审核意见有异议，报请负责人决定：${reason}`,
        payload: { reason },
        notices: [toHead('disputed', 1, 'action_required', `对法制审核意见的异议待决定：${caseLabel}`, `异议理由：${reason}（${LEGAL_REVIEW_RULES} 第十四条第（二）项）`)],
      });
      return view();
    },
    {
      validator: ({ reason }) => {
        assertActive('提出异议', ['returned']);
        required(reason, '异议理由');
        if (current().dispute) refuse('already_disputed', '对本次审核意见的异议已由负责人决定；请按意见处理后重新送审');
      },
    },
  );

  setHandler(
    decideDisputeUpdate,
    async ({ by, outcome, reasons, meetingRecordRef, collectiveOutcome }) => {
      const round = current();
      round.dispute!.decision = { outcome, collectiveOutcome, meetingRecordRef, reasons, by, at: now() };
      const overruled = (outcome === 'collective' ? collectiveOutcome : outcome) === 'overrule';
      const how = outcome === 'collective' ? `集体讨论（会议记录 ${meetingRecordRef}）` : '负责人';
      if (overruled) {
        status = 'overruled';
        flagReason = `${how}未采纳法制审核意见（${OPINION_LABELS[round.opinion!.kind]}）：${reasons}`;
      } else {
        status = 'returned';
      }
      const notices = [toHandler('dispute-decided', 'action_required', `${how}对审核意见异议的决定：${caseLabel}`, overruled ? `未采纳审核意见，可以作出决定：${reasons}` : `维持审核意见，请按意见处理后重新送审：${reasons}`)];
      if (overruled && context.supervisorUnit) {
        notices.push(notice('overruled-supervisor', 1, { unit: context.supervisorUnit, kind: 'info', subject: `【监督】${context.unitName} 未采纳法制审核意见：${caseLabel}`, body: flagReason! }));
      }
      await commit({
        actor: by,
        action: overruled ? 'review.opinion_overruled' : 'review.opinion_upheld',
        stage: 'decision',
        summary: overruled ? flagReason! : `${how}维持法制审核意见：${reasons}`,
        payload: { outcome, collectiveOutcome, meetingRecordRef, reasons },
        notices,
      });
      return view();
    },
    {
      validator: ({ outcome, reasons, meetingRecordRef, collectiveOutcome }) => {
        assertActive('决定异议', ['disputed']);
        required(reasons, '决定理由');
        if (outcome === 'collective') {
          if (!meetingRecordRef?.trim()) refuse('meeting_record_required', `集体讨论决定须附会议记录（${LEGAL_REVIEW_RULES} 第十四条第（二）项）`);
          if (!collectiveOutcome) refuse('collective_outcome_required', '须写明集体讨论的结论：维持（uphold）或不采纳（overrule）审核意见');
        }
      },
    },
  );

  setHandler(
    withdrawUpdate,
    async ({ by, reason }) => {
      status = 'withdrawn';
      await commit({ actor: by, action: 'review.withdrawn', summary: `撤回送审：${reason}`, payload: { reason } });
      return view();
    },
    {
      validator: ({ reason }) => {
        if (isFinal()) refuse('wrong_state', `审核已${STATUS_LABELS[status]}，不能撤回`);
        required(reason, '撤回理由');
      },
    },
  );

  // ---- The process ----

  upsertSearchAttributes([
    { key: UnitKey, value: input.unit },
    { key: CaseNumberKey, value: input.caseNumber },
    { key: ProcessKindKey, value: 'legal-review' },
  ]);
  context = await reviews.loadReviewContext({ unit: input.unit });
  await commit({
    actor: input.submittedBy,
    action: 'review.submitted',
    summary: `送审重大行政执法决定：${input.title}（材料 ${input.materials.length} 件）`,
    payload: { decisionKind: input.decisionKind, procedure: input.procedure, scope: input.scope, materials: input.materials, caseDeadline: input.caseDeadline },
  });

  while (!isFinal()) {
    const round = current();
    if (round.missing.length > 0) {
      status = 'awaiting_materials';
      const message = describeMissing(round.missing);
      await commit({
        actor: 'system',
        action: 'review.materials_missing',
        summary: message,
        payload: { missing: round.missing },
        notices: [toHandler('materials-missing', 'action_required', `送审材料不全：${caseLabel}`, message)],
      });
      await condition(() => round.missing.length === 0 || isFinal());
      if (isFinal()) break;
    }

    if (status === 'awaiting_materials') status = reviewer ? 'in_review' : 'awaiting_assignment';
    clock = new LegalDeadline(deadlineRequest(round, false), clockHooks);
    applySchedule(await clock.start());
    await commit({
      actor: 'system',
      action: 'review.clock_started',
      summary: `收到完整送审材料（${round.receivedAt}），审核期限至 ${round.deadline}（${round.deadlineBasis}）`,
      payload: { receivedAt: round.receivedAt, deadline: round.deadline, capped: round.deadlineCapped, provisional: round.deadlineProvisional },
      notices: round.round === 1 && firstMissing.length === 0 && !reviewer ? [toLegalOffice('received', 1, 'action_required', `收到送审材料：${caseLabel}`, `请分配审核人员；审核期限 ${round.deadline}。`)] : [],
    });
    await clock.waitUntil(() => round.opinion !== null || isFinal());
    // The clock has stopped: nothing is outstanding against a deadline until a new round starts one
    // (the round keeps its deadline and escalations for the record).
    clock = undefined;
    upsertSearchAttributes([
      { key: WarningLevelKey, value: 'none' },
      { key: OverdueKey, value: false },
      { key: DeadlineKey, value: null },
      { key: DeadlineProvisionalKey, value: null },
    ]);
    if (isFinal()) break;
    showState();

    // Returned: the handler resubmits (a new round) or disputes; the head may overrule.
    await condition(() => current() !== round || isFinal());
  }

  await condition(allHandlersFinished);
  showState();
  return view();
}
