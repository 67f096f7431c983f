import {
  allHandlersFinished,
  condition,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { AvRecordOutcome, AvRecordSummary, CaseFileInput, CaseFileState, CaseFileStatus, RecordStage } from '../../domain/case-file/types';
import { avRecordWorkflow } from '../av-record';
import {
  approveUrgentStartUpdate,
  archiveCaseUpdate,
  avRecordWorkflowId,
  avStoredSignal,
  caseFileStateQuery,
  enforcementEndedUpdate,
  markAvRecordStoredUpdate,
  registerAvRecordUpdate,
} from '../case-file-messages';
import { CaseNumberKey, initialSearchAttributes, ProcessKindKey, StatusKey, UnitKey } from '../search-attributes';
import { setCurrentDetails } from '../shared/details';
import { LegalDeadline } from './legal-deadline-v1';
import { appendCaseRecord, clearDeadlineAttributes, escalate, shanghaiMinute, tell } from '../shared/record-and-notify';

/** Times an action may lie ahead of the server's clock (clock skew between devices). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** A refused action: the message reaches the API caller (409) and never the history. */
function refuse(message: string): never {
  throw new Error(message);
}

/**
 * FROZEN: the case file as released before the process kit (replays stored histories and drives
 * runs started before it; `caseFileWorkflow` takes this path when its history has no kit marker).
 * Change nothing here that alters commands; delete once no such run is open.
 *
 * The life of one case file (执法全过程记录, 本政办发〔2019〕33号): opened (an urgent start awaits the
 * head's approval within 24 h, 第八条), audio-video records stored within 24 h each (第三十二条,
 * child workflows), enforcement ended, archived within 30 days (第三十二条). Every step is appended
 * to the case record.
 */
export async function caseFileWorkflowV1(input: CaseFileInput): Promise<CaseFileState> {
  const workflowId = workflowInfo().workflowId;
  const { unit, caseNumber } = input;
  const link = { workflowId, caseNumber };
  const state: CaseFileState = {
    unit,
    caseNumber,
    title: input.title,
    status: 'open',
    urgent: input.urgent,
    openedBy: input.openedBy,
    openedAt: input.openedAt,
    urgentApproval: input.urgent ? { status: 'pending', overdue: false, escalations: 0 } : undefined,
    avRecords: [],
    revision: 0,
  };
  const avChildren = new Map<number, ChildWorkflowHandle<typeof avRecordWorkflow>>();
  const avOutcomes: Array<Promise<void>> = [];
  const record = (entry: { stage: RecordStage; actor: string; action: string; summary: string; occurredAt: string; payload?: Record<string, unknown>; documents?: { documentId: string; sha256: string; kind: string }[]; key: string }) =>
    appendCaseRecord({
      unit,
      caseNumber,
      stage: entry.stage,
      actor: entry.actor,
      action: entry.action,
      summary: entry.summary,
      occurredAt: entry.occurredAt,
      payload: entry.payload,
      documents: entry.documents,
      idempotencyKey: `${workflowId}:${entry.key}`,
    });
  const setStatus = (status: CaseFileStatus) => {
    state.status = status;
    upsertSearchAttributes([{ key: StatusKey, value: status }]);
  };
  /** Workflow time: never a time the caller put in the update. */
  const now = () => new Date().toISOString();
  const notInFuture = (at: string, field: string) => {
    if (Date.parse(at) > Date.now() + FUTURE_TOLERANCE_MS) refuse(`${field} ${at} 晚于当前时间`);
  };

  upsertSearchAttributes([
    { key: UnitKey, value: unit },
    { key: CaseNumberKey, value: caseNumber },
    { key: ProcessKindKey, value: 'case-file' },
    { key: StatusKey, value: state.status },
  ]);
  setCurrentDetails({ step: '办理中', who: unit });
  setHandler(caseFileStateQuery, () => state);

  setHandler(
    approveUrgentStartUpdate,
    async ({ by, reportedAt, note }) => {
      const at = now();
      const approval = state.urgentApproval!;
      approval.status = 'approved';
      approval.approvedBy = by;
      approval.approvedAt = at;
      approval.reportedAt = reportedAt;
      approval.late = approval.deadline !== undefined && Date.parse(at) > Date.parse(approval.deadline);
      await record({
        stage: 'start',
        actor: by,
        action: 'start.urgent-approved',
        summary: `负责人补批紧急启动的执法程序${approval.late ? '（已超过启动后24小时）' : ''}`,
        occurredAt: at,
        payload: { note, deadline: approval.deadline, late: approval.late },
        key: 'start.urgent-approved',
      });
      return state;
    },
    {
      validator: (_request) => {
        if (!state.urgentApproval) refuse(`案件 ${caseNumber} 未以紧急程序启动，无需补报审批`);
        if (state.urgentApproval.status === 'approved') refuse(`案件 ${caseNumber} 的紧急启动已于 ${state.urgentApproval.approvedAt} 批准`);
        if (state.status === 'archived') refuse(`案件 ${caseNumber} 已归档`);
      },
    },
  );

  setHandler(
    registerAvRecordUpdate,
    async (request) => {
      const known = state.avRecords.find((r) => r.ref === request.ref);
      if (known) return { ...known, created: false }; // the same registration again (a retried request)
      const n = state.avRecords.length + 1;
      const at = now();
      const av: AvRecordSummary = {
        n,
        ref: request.ref,
        stage: request.stage,
        madeAt: request.madeAt,
        returnedAt: request.returnedAt,
        sha256: request.sha256,
        registeredBy: request.by,
        registeredAt: at,
        reportedAt: request.reportedAt,
        workflowId: avRecordWorkflowId(unit, caseNumber, n),
        status: 'pending',
      };
      state.avRecords.push(av);
      await record({
        stage: request.stage,
        actor: request.by,
        action: 'av.registered',
        summary: `登记音像记录 #${n}（${request.ref}），制作于 ${shanghaiMinute(request.madeAt)}${request.returnedAt ? `，${shanghaiMinute(request.returnedAt)} 回到本单位` : ''}`,
        occurredAt: at,
        documents: request.sha256 ? [{ documentId: request.ref, sha256: request.sha256, kind: 'audio-video' }] : undefined,
        payload: { n, ref: request.ref, madeAt: request.madeAt, returnedAt: request.returnedAt },
        key: `av.registered:${n}`,
      });
      const child = await startChild(avRecordWorkflow, {
        workflowId: av.workflowId,
        args: [{ unit, caseNumber, caseWorkflowId: workflowId, n, ref: request.ref, stage: request.stage, madeAt: request.madeAt, returnedAt: request.returnedAt }],
        staticSummary: `音像记录 #${n} 存储期限（${caseNumber}）`,
        typedSearchAttributes: [...initialSearchAttributes('av-record', unit, caseNumber, 'av-pending')] as never,
      });
      avChildren.set(n, child);
      avOutcomes.push(
        child.result().then((outcome: AvRecordOutcome) => {
          av.late = outcome.late;
        }),
      );
      return { ...av, created: true };
    },
    {
      validator: (request) => {
        if (state.status === 'archived') refuse(`案件 ${caseNumber} 已归档，不能再登记音像记录`);
        const known = state.avRecords.find((r) => r.ref === request.ref);
        if (known && (known.madeAt !== request.madeAt || known.returnedAt !== request.returnedAt || (request.sha256 && known.sha256 !== request.sha256))) {
          refuse(`音像记录 ${request.ref} 已登记为 #${known.n}，内容不同`);
        }
        notInFuture(request.madeAt, '制作时间');
        if (request.returnedAt) {
          notInFuture(request.returnedAt, '返回时间');
          if (Date.parse(request.returnedAt) < Date.parse(request.madeAt)) refuse('返回本单位时间早于音像记录制作时间');
        }
      },
    },
  );

  setHandler(
    markAvRecordStoredUpdate,
    async ({ n, by, reportedAt, sha256 }) => {
      const at = now();
      const av = state.avRecords.find((r) => r.n === n)!;
      av.status = 'stored';
      av.storedBy = by;
      av.storedAt = at;
      av.storedReportedAt = reportedAt;
      av.sha256 ??= sha256;
      await avChildren.get(n)!.signal(avStoredSignal, { by, at });
      await record({
        stage: av.stage,
        actor: by,
        action: 'av.stored',
        summary: `音像记录 #${n}（${av.ref}）已存储至执法信息系统`,
        occurredAt: at,
        documents: av.sha256 ? [{ documentId: av.ref, sha256: av.sha256, kind: 'audio-video' }] : undefined,
        payload: { n, ref: av.ref, madeAt: av.madeAt },
        key: `av.stored:${n}`,
      });
      return av;
    },
    {
      validator: ({ n, sha256 }) => {
        const av = state.avRecords.find((r) => r.n === n);
        if (!av || !avChildren.has(n)) refuse(`案件 ${caseNumber} 没有音像记录 #${n}`);
        if (av.status === 'stored') refuse(`音像记录 #${n} 已于 ${av.storedAt} 存储`);
        if (sha256 && av.sha256 && sha256 !== av.sha256) refuse(`音像记录 #${n} 的 SHA-256 与登记时不符（登记 ${av.sha256}）`);
      },
    },
  );

  setHandler(
    enforcementEndedUpdate,
    async ({ by, endedAt, note }) => {
      state.enforcementEndedAt = endedAt;
      setStatus('enforcement_ended');
      const approvalMissing = state.urgentApproval?.status === 'pending';
      await record({
        stage: 'enforcement',
        actor: by,
        action: 'enforcement.ended',
        summary: `执法行为终结（${shanghaiMinute(endedAt)}），案卷须在30日内归档${approvalMissing ? '；紧急启动仍未补报批准' : ''}`,
        occurredAt: endedAt,
        payload: { note, urgentApprovalMissing: approvalMissing },
        key: 'enforcement.ended',
      });
      return state;
    },
    {
      validator: ({ endedAt }) => {
        if (state.status === 'archived') refuse(`案件 ${caseNumber} 已归档`);
        if (state.status === 'enforcement_ended') refuse(`案件 ${caseNumber} 的执法行为已于 ${state.enforcementEndedAt} 终结`);
        notInFuture(endedAt, '终结时间');
        if (Date.parse(endedAt) < Date.parse(state.openedAt)) refuse('终结时间早于立案时间');
      },
    },
  );

  setHandler(
    archiveCaseUpdate,
    async ({ by, reportedAt }) => {
      const at = now();
      state.archivedAt = at;
      state.archivedReportedAt = reportedAt;
      state.archivedBy = by;
      state.archivedLate = state.archiveDeadline !== undefined && Date.parse(at) > Date.parse(state.archiveDeadline.deadline);
      setStatus('archived');
      await record({
        stage: 'archive',
        actor: by,
        action: 'archive.archived',
        summary: `案卷归档${state.archivedLate ? '（已超过30日归档期限）' : ''}`,
        occurredAt: at,
        payload: { deadline: state.archiveDeadline?.deadline, late: state.archivedLate, avRecords: state.avRecords.length },
        key: 'archive.archived',
      });
      return state;
    },
    {
      validator: (_request) => {
        if (state.status === 'archived') refuse(`案件 ${caseNumber} 已于 ${state.archivedAt} 归档`);
        const pending = state.avRecords.filter((r) => r.status !== 'stored').map((r) => `#${r.n}`);
        if (pending.length) refuse(`音像记录 ${pending.join('、')} 尚未存储，不能归档`);
        if (state.urgentApproval?.status === 'pending') refuse('紧急启动的执法程序尚未经负责人补报批准，不能归档');
      },
    },
  );

  await record({
    stage: 'start',
    actor: input.openedBy,
    action: 'start.opened',
    summary: `立案：${input.title}${input.urgent ? '（情况紧急，先行启动，须于24小时内补报负责人批准）' : ''}`,
    occurredAt: input.openedAt,
    payload: { title: input.title, urgent: input.urgent },
    key: 'start.opened',
  });

  if (state.urgentApproval) {
    const approval = state.urgentApproval;
    const clock = new LegalDeadline(
      { from: input.openedAt, hourLimit: 'approveUrgentStart' },
      {
        onLastDay: async (s) => {
          await tell({
            idempotencyKey: `${workflowId}:urgent.approval-due`,
            unit,
            kind: 'action_required',
            subject: `紧急启动待补批：${caseNumber}（${shanghaiMinute(s.deadline)} 前）`,
            body: `案件 ${caseNumber}「${input.title}」因情况紧急先行启动执法程序，须在 ${shanghaiMinute(s.deadline)} 前报本机关负责人补批（${s.basis}）。`,
            link,
          });
        },
        onOverdue: async (s, n) => {
          approval.overdue = true;
          approval.escalations = n;
          if (n === 1) {
            await record({
              stage: 'start',
              actor: 'system',
              action: 'start.urgent-approval-overdue',
              summary: `紧急启动后24小时内未经负责人补批（期限 ${shanghaiMinute(s.deadline)}）`,
              occurredAt: new Date().toISOString(),
              payload: { deadline: s.deadline, basis: s.basis },
              key: 'start.urgent-approval-overdue',
            });
          }
          await escalate({
            idempotencyKey: `${workflowId}:urgent.overdue:${n}`,
            unit,
            subject: `超期未补批：${unit} 案件 ${caseNumber} 紧急启动`,
            body: `单位 ${unit} 案件 ${caseNumber}「${input.title}」紧急启动后未在 ${shanghaiMinute(s.deadline)} 前经负责人补批（${s.basis}；第 ${n} 次督办）。`,
            link,
          });
        },
      },
    );
    const schedule = await clock.start();
    approval.deadline = schedule.deadline;
    setCurrentDetails({ step: '紧急启动待负责人补批', who: `${unit} 负责人`, deadline: shanghaiMinute(schedule.deadline) });
    // Once enforcement has ended the archive clock owns the deadline attributes; a still missing
    // approval then blocks the archiving instead (and was escalated already).
    await clock.waitUntil(() => approval.status === 'approved' || state.status !== 'open');
    clearDeadlineAttributes();
    setCurrentDetails({ step: '办理中', who: unit });
  }

  await condition(() => state.status !== 'open');
  if (state.status === 'enforcement_ended') {
    const clock = new LegalDeadline(
      { from: state.enforcementEndedAt!, steps: [{ statute: 'archiveCaseFile' }] },
      {
        onYellow: async (s) => {
          await tell({
            idempotencyKey: `${workflowId}:archive.yellow:${s.lastDay}`,
            unit,
            kind: 'reminder',
            subject: `归档期限将至：${caseNumber}（${s.lastDay}）`,
            body: `案件 ${caseNumber}「${input.title}」的执法案卷须于 ${s.lastDay} 前归档（${s.basis}）。`,
            link,
          });
        },
        onLastDay: async (s) => {
          await tell({
            idempotencyKey: `${workflowId}:archive.last-day:${s.lastDay}`,
            unit,
            kind: 'reminder',
            subject: `今日为归档期限最后一日：${caseNumber}`,
            body: `案件 ${caseNumber}「${input.title}」的执法案卷须于今日（${s.lastDay}）内归档（${s.basis}）。`,
            link,
          });
        },
        onOverdue: async (s, n) => {
          if (n === 1) {
            await record({
              stage: 'archive',
              actor: 'system',
              action: 'archive.overdue',
              summary: `执法行为终结后30日内未归档（期限 ${s.lastDay}）`,
              occurredAt: new Date().toISOString(),
              payload: { deadline: s.deadline, basis: s.basis },
              key: `archive.overdue:${s.lastDay}`,
            });
          }
          await escalate({
            idempotencyKey: `${workflowId}:archive.overdue:${s.lastDay}:${n}`,
            unit,
            subject: `超期未归档：${unit} 案件 ${caseNumber}`,
            body: `单位 ${unit} 案件 ${caseNumber}「${input.title}」执法行为终结后未在 ${s.lastDay} 前归档（${s.basis}；第 ${n} 次督办）。`,
            link,
          });
        },
        onChange: async ({ before, after, reason }) => {
          Object.assign(state.archiveDeadline!, { deadline: after.deadline, lastDay: after.lastDay, basis: after.basis, provisional: after.provisional });
          setCurrentDetails({ step: '待归档', who: unit, deadline: after.lastDay });
          await record({
            stage: 'archive',
            actor: 'system',
            action: 'archive.deadline_changed',
            summary: `归档期限由 ${before.lastDay} 变更为 ${after.lastDay}（${reason}）`,
            occurredAt: new Date().toISOString(),
            payload: { before: before.deadline, after: after.deadline, reason, basis: after.basis },
            key: `archive.deadline_changed:${after.deadline}`,
          });
        },
      },
    );
    const s = await clock.start();
    state.archiveDeadline = { deadline: s.deadline, lastDay: s.lastDay, basis: s.basis, provisional: s.provisional, level: clock.level, escalations: 0 };
    setCurrentDetails({ step: '待归档', who: unit, deadline: s.lastDay });
    const trackLevel = () => Object.assign(state.archiveDeadline!, { level: clock.level, escalations: clock.escalations });
    await clock.waitUntil(() => (trackLevel(), state.status === 'archived'));
    trackLevel();
    clearDeadlineAttributes();
  }

  await condition(() => state.status === 'archived');
  setCurrentDetails({ step: '已归档', who: unit });
  await Promise.all(avOutcomes);
  await condition(allHandlersFinished);
  return state;
}
