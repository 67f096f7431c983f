// What each legal-review action DOES: decide(state, action, now) → {state, effects}. Pure: no I/O,
// no clock, no Temporal; the workflow runs the effects in order (record, project, notify) and
// tests run this without a server. Which actions are allowed when: transitions.ts.
import type { DeadlineSchedule } from '../../workflows/shared/deadline-types';
import type { RecordFact, RecordStage as CaseRecordStage } from '../case-record';
import { CHECKLIST_ITEMS, describeMissing, LEGAL_REVIEW_RULES, missingMaterials, OPINION_LABELS } from '../review-rules';
import { currentRound, newRound, type ReviewState } from './state';
import type { ActionArgs, ActionName, ReviewRound, WarningLevel } from './types';

export type { ReviewState } from './state';

/** The stages a legal review records in. */
export type RecordStage = Extract<CaseRecordStage, 'review' | 'decision'>;
export type NoticeKind = 'reminder' | 'escalation' | 'info' | 'action_required';
/** Who in the unit a notice is for: the head(s), the legal office (its reviewers and lead). */
export type RecipientRole = 'head' | 'legal_office';

export type ReviewEffect =
  | ({ type: 'record'; stage: RecordStage } & RecordFact)
  | { type: 'project' }
  /** `label` names the notice within the review (round, milestone, clock generation, recipient). */
  | { type: 'notify'; label: string; notice: { unit: string; recipientPerson?: string; recipientRole?: RecipientRole; kind: NoticeKind; subject: string; body: string } }
  | { type: 'notePenaltyReviewed'; personId: string };

type UserAction = { [A in ActionName]: { type: A } & ActionArgs[A] }[ActionName];

/** Everything that can happen to a review: the ten user actions, and what the process itself notices. */
export type ReviewAction =
  | Exclude<UserAction, { type: 'decideExtension' | 'giveOpinion' }>
  /** `schedule`: the extended deadline, computed by the clock before deciding (approvals only). */
  | ({ type: 'decideExtension'; schedule?: DeadlineSchedule; level?: WarningLevel } & ActionArgs['decideExtension'])
  /** `document`: the stored 审核意见书. */
  | ({ type: 'giveOpinion'; document: { documentId: string; sha256: string } } & ActionArgs['giveOpinion'])
  | { type: 'submitted' }
  | { type: 'materialsMissing' }
  | { type: 'clockStarted'; schedule: DeadlineSchedule }
  | { type: 'yellow'; schedule: DeadlineSchedule; tag: string }
  | { type: 'lastDay'; schedule: DeadlineSchedule; tag: string }
  | { type: 'overdue'; schedule: DeadlineSchedule; tag: string }
  | { type: 'deadlineChanged'; before: DeadlineSchedule; after: DeadlineSchedule; reason: string; level: WarningLevel; tag: string }
  | { type: 'clockStopped' };

export interface Decision {
  state: ReviewState;
  effects: ReviewEffect[];
}

/** Was an opinion given at `now` late against the round's deadline? */
export const isLate = (round: ReviewRound, now: string): boolean => round.deadline !== null && Date.parse(now) > Date.parse(round.deadline);

/** The case deadline's last instant (23:59:59 Asia/Shanghai). */
const endOfDay = (date: string) => Date.parse(`${date}T23:59:59+08:00`);

/**
 * The deadline request of a round: 7 working days from complete receipt (+3 when extended), never
 * past the case's own deadline, unless that deadline had already passed at receipt: then it is the
 * handling unit's lateness (flagged at submission), and the review keeps its own full period
 * instead of a clock capped into the past.
 */
export const deadlineRequest = (s: ReviewState, round: ReviewRound, extended: boolean) => ({
  from: round.receivedAt!,
  steps: extended ? [{ statute: 'legalReview' }, { statute: 'legalReviewExtension' }] : [{ statute: 'legalReview' }],
  ...(endOfDay(s.input.caseDeadline) >= Date.parse(round.receivedAt!) ? { capDate: s.input.caseDeadline } : {}),
});

/** Required materials still missing plus what the reviewer asked for and was not yet supplied (第九条、第十条). */
const stillMissing = (s: ReviewState, round: ReviewRound) => {
  const kinds = missingMaterials(s.input, round.materials);
  for (const r of round.requested ?? []) if (!kinds.includes(r.kind)) kinds.push(r.kind);
  return kinds;
};

/** Applies one (allowed) action. Never throws for an allowed action; `check` refuses the others. */
export function decide(previous: ReviewState, action: ReviewAction, now: string): Decision {
  const s: ReviewState = JSON.parse(JSON.stringify(previous));
  const effects: ReviewEffect[] = [];
  const round = currentRound(s);
  const { input } = s;
  const caseLabel = `${input.caseNumber}《${input.title}》`;

  // ---- effect builders ----
  type Notice = Extract<ReviewEffect, { type: 'notify' }>['notice'];
  const tell = (label: string, notice: Notice) => effects.push({ type: 'notify', label: `r${currentRound(s).round}:${label}`, notice });
  const toHandler = (label: string, kind: NoticeKind, subject: string, body: string) => tell(label, { unit: input.unit, recipientPerson: input.submittedBy, kind, subject, body });
  // Addressed to a role in the unit (its inbox shows them to the people holding it), not to the whole unit.
  // An entrusted organisation's decision is reviewed by the entrusting unit's legal office (第四条).
  const reviewingUnit = input.entrustingUnit ?? input.unit;
  const toLegalOffice = (label: string, kind: NoticeKind, subject: string, body: string) =>
    tell(`${label}-legal-office`, { unit: reviewingUnit, recipientRole: 'legal_office', kind, subject, body });
  const toHead = (label: string, kind: NoticeKind, subject: string, body: string) => tell(`${label}-head`, { unit: input.unit, recipientRole: 'head', kind, subject, body });
  const toReviewer = (label: string, kind: NoticeKind, subject: string, body: string) => {
    if (s.reviewer) tell(`${label}-reviewer`, { unit: reviewingUnit, recipientPerson: s.reviewer.personId, kind, subject, body });
  };
  /** Every change: a new revision, the case record, the projection; notices follow. */
  const commit = (c: { actor: string; action: string; summary: string; stage?: RecordStage; documents?: Extract<ReviewEffect, { type: 'record' }>['documents']; payload?: Record<string, unknown> }) => {
    s.revision += 1;
    s.history.push({ at: now, actor: c.actor, action: c.action, summary: c.summary });
    effects.unshift(
      { type: 'record', stage: c.stage ?? 'review', actor: c.actor, action: c.action, summary: c.summary, occurredAt: now, documents: c.documents, payload: { workflowId: s.workflowId, round: currentRound(s).round, status: s.status, ...c.payload } },
      { type: 'project' },
    );
  };
  /** Reminders change no state worth a record: only the projection (warning level) and inboxes. */
  const remind = () => {
    s.revision += 1;
    effects.unshift({ type: 'project' });
  };
  const applySchedule = (schedule: DeadlineSchedule) => {
    round.deadline = schedule.deadline;
    round.lastDay = schedule.lastDay;
    round.deadlineBasis = schedule.basis;
    round.deadlineCapped = schedule.capped;
    round.deadlineProvisional = schedule.provisional;
  };
  const completeRound = () => {
    round.receivedAt = now;
    s.status = s.reviewer ? 'in_review' : 'awaiting_assignment';
  };

  switch (action.type) {
    case 'submitted': {
      // 第十六条 accountability: a decision period that ran out before submission is the handling unit's lateness, not the legal office's.
      const late = input.caseDeadlinePassedAtSubmission
        ? `；送审时作出决定的法定期限（${input.caseDeadline}）已经届满，属承办机构逾期，不计入法制审核期限`
        : '';
      const entered = input.receivedAtReason ? `；收件时间 ${input.receivedAt} 系补录：${input.receivedAtReason}` : '';
      commit({
        actor: input.submittedBy,
        action: 'review.submitted',
        summary: `送审重大行政执法决定：${input.title}（材料 ${input.materials.length} 件${(input.submissionNo ?? 1) > 1 ? `，第${input.submissionNo}次提交` : ''}）${entered}${late}`,
        payload: {
          decisionKind: input.decisionKind,
          procedure: input.procedure,
          scope: input.scope,
          materials: input.materials,
          caseDeadline: input.caseDeadline,
          caseDeadlineBasis: input.caseDeadlineBasis,
          submissionNo: input.submissionNo ?? 1,
          receivedAt: input.receivedAt,
          ...(input.receivedAtReason ? { receivedAtReason: input.receivedAtReason, receivedAtEnteredLater: true } : {}),
          ...(input.caseDeadlinePassedAtSubmission ? { caseDeadlinePassedAtSubmission: true, accountable: 'handling_unit' } : {}),
        },
      });
      break;
    }

    case 'materialsMissing': {
      s.status = 'awaiting_materials';
      s.missingToldForRound = round.round;
      const message = describeMissing(round.missing);
      toHandler('materials-missing', 'action_required', `送审材料不全：${caseLabel}`, message);
      commit({ actor: 'system', action: 'review.materials_missing', summary: message, payload: { missing: round.missing } });
      break;
    }

    case 'clockStarted':
      applySchedule(action.schedule);
      if (round.round === 1 && !s.reviewer && s.missingToldForRound === 0) {
        toLegalOffice('received', 'action_required', `收到送审材料：${caseLabel}`, `请分配审核人员；审核期限 ${round.deadline}。`);
        // 第四条: the other deciding units' legal offices take part in the lead unit's review.
        for (const unit of input.jointUnits ?? []) {
          tell(`joint-${unit}`, { unit, recipientRole: 'legal_office', kind: 'action_required', subject: `共同决定请参与法制审核：${caseLabel}`, body: `牵头机关 ${input.unit} 法制机构审核，请在 ${round.deadline} 前提出参与审核意见（${LEGAL_REVIEW_RULES} 第四条）。/api/reviews/${input.reviewId}/participant-view` });
        }
      }
      commit({
        actor: 'system',
        action: 'review.clock_started',
        summary: `收到完整送审材料（${round.receivedAt}），审核期限至 ${round.deadline}（${round.deadlineBasis}）`,
        payload: { receivedAt: round.receivedAt, deadline: round.deadline, capped: round.deadlineCapped, provisional: round.deadlineProvisional },
      });
      break;

    case 'yellow':
    case 'lastDay': {
      s.warningLevel = 'yellow';
      const yellow = action.type === 'yellow';
      const subject = yellow ? `法制审核期限将至：${caseLabel}` : `法制审核今日到期：${caseLabel}`;
      const body = yellow
        ? `审核期限 ${action.schedule.deadline}（${action.schedule.basis}），剩余不足两个工作日。`
        : `今天是审核期限最后一日（${action.schedule.lastDay}），请在 ${action.schedule.deadline} 前提出审核意见。`;
      toLegalOffice(action.tag, 'reminder', subject, body);
      toReviewer(action.tag, 'reminder', subject, body);
      remind();
      break;
    }

    case 'overdue': {
      // Once per deadline: to the unit's head and its supervising 司法局; the 08:30 digest lists it daily after that.
      s.warningLevel = 'red';
      round.escalations += 1;
      const body = `${caseLabel} 的法制审核已于 ${action.schedule.deadline} 到期，尚未提出审核意见（${LEGAL_REVIEW_RULES} 第十二条、第十六条）。审核人员：${s.reviewer?.name ?? s.reviewer?.personId ?? '未分配'}。`;
      const subject = `【督办】${s.context.unitName} 法制审核超期：${caseLabel}`;
      tell(`${action.tag}:${input.unit}`, { unit: input.unit, recipientRole: 'head', kind: 'escalation', subject, body });
      if (s.context.supervisorUnit) tell(`${action.tag}:${s.context.supervisorUnit}`, { unit: s.context.supervisorUnit, kind: 'escalation', subject, body });
      commit({ actor: 'system', action: 'review.overdue', summary: `法制审核超期，已督办（期限 ${action.schedule.deadline}）`, payload: { deadline: action.schedule.deadline, escalation: round.escalations } });
      break;
    }

    case 'deadlineChanged':
      applySchedule(action.after);
      s.warningLevel = action.level;
      commit({
        actor: 'system',
        action: 'review.deadline_changed',
        summary: `审核期限由 ${action.before.deadline} 变更为 ${action.after.deadline}（${action.reason}）`,
        payload: { before: action.before.deadline, after: action.after.deadline, reason: action.reason, basis: action.after.basis },
      });
      break;

    case 'clockStopped':
      // Nothing is outstanding against a deadline until a new round starts one; the round keeps its
      // deadline. Usually the action that stopped it (opinion, withdrawal) has cleared the level already.
      if (s.warningLevel !== 'none') {
        s.warningLevel = 'none';
        remind();
      }
      break;

    case 'addMaterials': {
      round.materials.push(...action.materials);
      const wasIncomplete = round.missing.length > 0;
      if (round.requested) round.requested = round.requested.filter((r) => !action.materials.some((m) => m.kind === r.kind));
      round.missing = stillMissing(s, round);
      const completed = wasIncomplete && round.missing.length === 0;
      if (completed) {
        completeRound();
        toLegalOffice('materials-complete', 'action_required', `送审材料已齐全：${caseLabel}`, '请分配审核人员并在期限内审核。');
      }
      const list = action.materials.map((m) => `${m.kind}（${m.ref}）`).join('、');
      const tail = completed ? '。送审材料已齐全，审核期限自即日起计算' : round.missing.length ? `。仍缺：${round.missing.join('、')}` : '';
      commit({ actor: action.by, action: 'review.materials_added', summary: `补充送审材料：${list}${action.note ? `；${action.note}` : ''}${tail}`, payload: { materials: action.materials, complete: round.missing.length === 0 } });
      break;
    }

    case 'assignReviewer': {
      const before = s.reviewer;
      s.reviewer = { personId: action.reviewerId, name: action.profile?.name ?? null };
      if (s.status === 'awaiting_assignment') s.status = 'in_review';
      tell('assigned', {
        unit: reviewingUnit,
        recipientPerson: action.reviewerId,
        kind: 'action_required',
        subject: `请审核：${caseLabel}`,
        body: round.deadline ? `审核期限 ${round.deadline}。` : '送审材料尚未齐全，齐全后开始计算审核期限。',
      });
      commit({
        actor: action.by,
        action: 'review.reviewer_assigned',
        summary: `确定审核人员 ${action.profile?.name ?? action.reviewerId}（${action.reviewerId}）${before ? `，替换 ${before.name ?? before.personId}` : ''}`,
        payload: { reviewerId: action.reviewerId, qualification: action.profile },
      });
      break;
    }

    case 'declareRecusal':
    case 'orderRecusal': {
      // 第十五条: a person declares their interest, or the head orders them to withdraw.
      const person = action.type === 'orderRecusal' ? action.personId : action.by;
      const ordered = action.type === 'orderRecusal';
      s.recusals.push({ personId: person, reason: action.reason, at: now });
      const wasReviewer = s.reviewer?.personId === person;
      if (wasReviewer) {
        s.reviewer = null;
        if (s.status === 'in_review' || s.status === 'extension_requested') s.status = 'awaiting_assignment';
        // A pending extension request was the recused reviewer's; the next reviewer may ask anew.
        if (round.extension && !round.extension.decision) round.extension = null;
        toLegalOffice('recusal', 'action_required', `审核人员回避，请重新分配：${caseLabel}`, `${person} 回避：${action.reason}`);
      }
      commit({
        actor: action.by,
        action: 'review.recusal',
        summary: `${ordered ? `负责人决定 ${person} 回避` : `${person} 申明回避`}：${action.reason}${wasReviewer ? '；已不再担任本案审核人员' : ''}（${LEGAL_REVIEW_RULES} 第十五条）`,
        payload: { personId: person, reason: action.reason, ...(ordered ? { orderedBy: action.by } : {}) },
      });
      break;
    }

    case 'requestExtension':
      round.extension = { reason: action.reason, by: action.by, at: now };
      s.status = 'extension_requested';
      toHead('extension-requested', 'action_required', `延长法制审核期限待审批：${caseLabel}`, `申请理由：${action.reason}。现审核期限 ${round.deadline}。`);
      commit({ actor: action.by, action: 'review.extension_requested', summary: `审核人员申请延长审核期限3个工作日：${action.reason}`, payload: { reason: action.reason } });
      break;

    case 'decideExtension': {
      const { approve, note } = action;
      round.extension!.decision = { approve, note, by: action.by, at: now };
      s.status = 'in_review';
      if (approve && action.schedule) {
        applySchedule(action.schedule);
        s.warningLevel = action.level ?? s.warningLevel;
      }
      toReviewer('extension-decided', 'info', `${approve ? '已批准' : '未批准'}延长审核期限：${caseLabel}`, `审核期限 ${round.deadline}。${note}`);
      commit({
        actor: action.by,
        action: approve ? 'review.extension_approved' : 'review.extension_refused',
        summary: approve ? `负责人批准延长审核期限至 ${round.deadline}${round.deadlineCapped ? '（不超过作出决定的法定期限）' : ''}：${note}` : `负责人不批准延长审核期限：${note}`,
        payload: { approve, note, deadline: round.deadline, basis: approve ? round.deadlineBasis : undefined },
      });
      break;
    }

    case 'giveOpinion': {
      const { kind, checklist, text, by, document } = action;
      const late = isLate(round, now);
      round.opinion = { kind, checklist, text, by, at: now, late, document };
      s.status = kind === 'approve' ? 'passed' : 'returned';
      s.warningLevel = 'none'; // the opinion stops the clock (`late` keeps the fact)
      const ref = { documentId: document.documentId, sha256: document.sha256, kind: 'review_opinion' };
      const problems = CHECKLIST_ITEMS.filter((i) => checklist[i].result === 'problem');
      const returned = kind !== 'approve';
      toHandler(
        'opinion',
        returned ? 'action_required' : 'info',
        `法制审核意见（${OPINION_LABELS[kind]}）：${caseLabel}`,
        returned
          ? `审核未通过，请按意见处理后重新送审，或提出异议报请负责人决定（${LEGAL_REVIEW_RULES} 第十四条）。意见书：/api/documents/${document.documentId}`
          : `审核通过，可以作出决定。意见书：/api/documents/${document.documentId}`,
      );
      commit({
        actor: by,
        action: 'review.opinion',
        summary: `法制审核意见：${OPINION_LABELS[kind]}${late ? '（超过审核期限提出）' : ''}${problems.length ? `；问题：${problems.join('、')}` : ''}`,
        documents: [ref],
        payload: { kind, checklist, text, late },
      });
      // 第十三条: one copy archived by the legal office, one returned with the file for the case file;
      // recorded right after the opinion (before anything else can be recorded).
      const copies = [
        { copy: 1, action: 'review.opinion.archived', holder: 'legal_office_archive', summary: '审核意见书第一份：法制机构留存归档' },
        { copy: 2, action: 'review.opinion.returned_to_handler', holder: 'handler_case_file', summary: '审核意见书第二份：连同案卷材料回复承办机构，存入执法案卷' },
      ];
      effects.splice(
        2,
        0,
        ...copies.map((c): ReviewEffect => ({ type: 'record', stage: 'review', actor: by, action: c.action, summary: c.summary, occurredAt: now, documents: [ref], payload: { workflowId: s.workflowId, round: round.round, copy: c.copy, of: 2, holder: c.holder } })),
      );
      if (input.decisionKind === 'penalty') effects.push({ type: 'notePenaltyReviewed', personId: by });
      break;
    }

    case 'resubmit': {
      const next = newRound(input, round.round + 1, [...round.materials, ...action.materials], null);
      next.note = action.note;
      next.cause = 'resubmitted';
      s.rounds.push(next);
      if (next.missing.length === 0) {
        next.receivedAt = now;
        s.status = s.reviewer ? 'in_review' : 'awaiting_assignment';
      } else {
        s.status = 'awaiting_materials';
      }
      toLegalOffice('resubmitted', 'action_required', `重新送审：${caseLabel}`, `第${next.round}次送审：${action.note}`);
      commit({ actor: action.by, action: 'review.resubmitted', summary: `按审核意见处理后重新送审（第${next.round}次）：${action.note}`, payload: { materials: action.materials, note: action.note } });
      break;
    }

    case 'dispute':
      round.dispute = { reason: action.reason, by: action.by, at: now };
      s.status = 'disputed';
      toHead('disputed', 'action_required', `对法制审核意见的异议待决定：${caseLabel}`, `异议理由：${action.reason}（${LEGAL_REVIEW_RULES} 第十四条第（二）项）`);
      commit({ actor: action.by, action: 'review.disputed', summary: `承办机构对审核意见有异议，报请负责人决定：${action.reason}`, payload: { reason: action.reason } });
      break;

    case 'decideDispute': {
      const { outcome, reasons, meetingRecordRef, collectiveOutcome, by } = action;
      round.dispute!.decision = { outcome, collectiveOutcome, meetingRecordRef, reasons, by, at: now };
      const overruled = (outcome === 'collective' ? collectiveOutcome : outcome) === 'overrule';
      const how = outcome === 'collective' ? `集体讨论（会议记录 ${meetingRecordRef}）` : '负责人';
      if (overruled) {
        s.status = 'overruled';
        s.flagReason = `${how}未采纳法制审核意见（${OPINION_LABELS[round.opinion!.kind]}）：${reasons}`;
      } else {
        s.status = 'returned';
      }
      toHandler('dispute-decided', 'action_required', `${how}对审核意见异议的决定：${caseLabel}`, overruled ? `未采纳审核意见，可以作出决定：${reasons}` : `维持审核意见，请按意见处理后重新送审：${reasons}`);
      if (overruled && s.context.supervisorUnit) {
        tell('overruled-supervisor', { unit: s.context.supervisorUnit, kind: 'info', subject: `【监督】${s.context.unitName} 未采纳法制审核意见：${caseLabel}`, body: s.flagReason! });
      }
      commit({
        actor: by,
        action: overruled ? 'review.opinion_overruled' : 'review.opinion_upheld',
        stage: 'decision',
        summary: overruled ? s.flagReason! : `${how}维持法制审核意见：${reasons}`,
        payload: { outcome, collectiveOutcome, meetingRecordRef, reasons },
      });
      break;
    }

    case 'requestMaterials': {
      // 第十条: the review returns to awaiting materials naming what is needed; a new round whose
      // 7-working-day clock starts from complete receipt. The reviewer stays; this round's overdue
      // period and escalations stay on it.
      const next = newRound(input, round.round + 1, round.materials, null);
      next.cause = 'materials_requested';
      next.requested = action.items.map((i) => ({ kind: i.kind, what: i.what.trim() }));
      next.missing = stillMissing(s, next);
      next.note = action.note;
      s.rounds.push(next);
      s.status = 'awaiting_materials';
      s.warningLevel = 'none';
      s.missingToldForRound = next.round;
      const list = next.requested.map((i) => `${i.kind}：${i.what}`).join('；');
      toHandler('materials-requested', 'action_required', `审核人员要求补充材料：${caseLabel}`, `请补充：${list}（${LEGAL_REVIEW_RULES} 第十条）。审核期限自收到完整材料之日起重新计算。`);
      commit({ actor: action.by, action: 'review.materials_requested', summary: `审核人员要求补充材料：${list}；审核期限自收到完整材料之日起重新计算（${LEGAL_REVIEW_RULES} 第十条）`, payload: { items: next.requested, note: action.note } });
      break;
    }

    case 'participantView': {
      // 第四条: a joint decision is reviewed by the lead unit's legal office with the other units' legal offices taking part.
      const recorded = { unit: action.unit, by: action.by, agrees: action.agrees, text: action.text.trim(), at: now };
      s.participantViews = [...(s.participantViews ?? []), recorded];
      const outstanding = (input.jointUnits ?? []).filter((u) => !s.participantViews!.some((v) => v.unit === u));
      toLegalOffice(`participant-view-${action.unit}`, 'info', `共同决定参与机关审核意见：${caseLabel}`, `${action.unit}（${action.by}）${action.agrees ? '同意' : '有不同意见'}：${recorded.text}`);
      toReviewer(`participant-view-${action.unit}`, 'info', `共同决定参与机关审核意见：${caseLabel}`, `${action.unit}（${action.by}）${action.agrees ? '同意' : '有不同意见'}：${recorded.text}`);
      commit({
        actor: action.by,
        action: 'review.participant_view',
        summary: `共同决定参与机关 ${action.unit} 法制机构参与审核：${action.agrees ? '同意' : '有不同意见'}：${recorded.text}${outstanding.length ? `（尚待：${outstanding.join('、')}）` : '（各参与机关意见均已记录）'}（${LEGAL_REVIEW_RULES} 第四条）`,
        payload: { participant: recorded, outstanding },
      });
      break;
    }

    case 'recordDecision': {
      // 第二条、第十四条: the decision is recorded through the review, after the opinion, its two copies and any overruling.
      const dispute = round.dispute?.decision;
      const basis = s.status === 'overruled' ? (dispute?.outcome === 'collective' ? 'collective_overruled' : 'head_overruled') : 'review_passed';
      const flagged = basis !== 'review_passed';
      const draft = action.draftSha256 ?? null;
      s.decision = { decisionNumber: action.decisionNumber, decidedAt: new Date(action.decidedAt).toISOString(), draftSha256: draft, by: action.by, recordedAt: now, basis };
      const detail = flagged ? (s.flagReason ?? '未采纳法制审核意见') : `法制审核通过（${round.opinion?.at ?? ''}）`;
      commit({
        actor: action.by,
        action: flagged ? 'decision.made_against_review_opinion' : 'decision.made',
        stage: 'decision',
        summary: `作出决定 ${action.decisionNumber}（${s.decision.decidedAt}）：${detail}`,
        payload: {
          decisionNumber: action.decisionNumber,
          decidedAt: s.decision.decidedAt,
          basis,
          reviewId: input.reviewId,
          flagged,
          draftSha256: draft,
          reviewSubmissionNo: input.submissionNo ?? 1,
        },
      });
      break;
    }

    case 'withdraw':
      s.status = 'withdrawn';
      s.warningLevel = 'none'; // withdrawn work is overdue no more (review M3: the projection agreed with nothing)
      commit({ actor: action.by, action: 'review.withdrawn', summary: `撤回送审：${action.reason}`, payload: { reason: action.reason } });
      break;
  }
  return { state: s, effects };
}
