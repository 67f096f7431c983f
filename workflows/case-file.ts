import { condition, deprecatePatch, getExternalWorkflowHandle, log, ParentClosePolicy, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import { apply, initialState, openedEntry, reduce, type CaseEvent, type Step } from '../domain/case-file/reducer';
import { check, type CaseAction } from '../domain/case-file/transitions';
import type { AvRecordSummary, CaseFileInput, CaseFileState } from '../domain/case-file/types';
import { avRecordWorkflow } from './av-record';
import { escalationRecipients, projectCaseFile, shanghaiMinute } from './case-file-effects';
import {
  approveUrgentStartUpdate,
  archiveCaseUpdate,
  avRecordReportSignal,
  avRecordWorkflowId,
  avStoredSignal,
  caseFileStateQuery,
  enforcementEndedUpdate,
  markAvRecordStoredUpdate,
  registerAvRecordUpdate,
} from './case-file-messages';
import type { ClockHooks } from './kit/clock';
import { ProcessKit, type KitCarry } from './kit/process';
import { refuse } from './kit/refuse';
import { initialSearchAttributes } from './search-attributes';

export * from './case-file-messages';

/** What a run hands to the next (continue-as-new): the state (AV records included) and the kit (clock, key sequence). */
export interface CaseFileCarry {
  state: CaseFileState;
  kit: KitCarry;
  /** Tests lower the history cap to see continue-as-new happen. */
  maxHistoryEvents?: number;
}

/**
 * Marker of the kit's first runs (v1). The pre-kit code (v0, 5d13900) was never deployed, so the
 * patch is phased out: `deprecatePatch` keeps the v1 histories that carry the marker replaying.
 */
export const CASE_FILE_KIT_PATCH = 'case-file-process-kit';

/** After archiving, how long the case waits for its AV records' final reports before it completes. */
const OUTCOME_GRACE_MS = 3_600_000;

/**
 * The life of one case file (执法全过程记录, 本政办发〔2019〕33号): opened (an urgent start awaits the
 * head's approval within 24 h, 第八条), audio-video records stored within 24 h each (第三十二条,
 * child workflows reporting by signal), enforcement ended, archived within 30 days (第三十二条).
 * The rules are `domain/case-file/` (transitions.ts: what is allowed; reducer.ts: what it does); this shell serialises handlers, records every step in
 * the case record, keeps the `cases` row current and continues as new when history grows.
 */
export async function caseFileWorkflow(input: CaseFileInput, carried?: CaseFileCarry): Promise<CaseFileState> {
  if (!carried) deprecatePatch(CASE_FILE_KIT_PATCH);
  const { workflowId } = workflowInfo();
  const { unit, caseNumber } = input;
  const kit = new ProcessKit({ unit, caseNumber, link: { workflowId, caseNumber }, carry: carried?.kit, maxHistoryEvents: carried?.maxHistoryEvents });
  let state: CaseFileState = carried?.state ?? initialState(input);
  const now = () => new Date().toISOString();
  const canDue = () => kit.continueAsNewDue();
  const archived = () => state.status === 'archived';

  const show = () => {
    if (state.status === 'archived') return kit.showState('archived', { step: '已归档', who: unit });
    const approval = state.urgentApproval;
    if (state.status === 'open' && approval?.status === 'pending')
      return kit.showState('open', { step: '紧急启动待负责人补批', who: `${unit} 负责人`, deadline: approval.deadline && shanghaiMinute(approval.deadline) });
    if (state.status === 'enforcement_ended') return kit.showState('enforcement_ended', { step: '待归档', who: unit, deadline: state.archiveDeadline?.lastDay });
    return kit.showState('open', { step: '办理中', who: unit });
  };
  /** State, record entries, projection: an action is done once all three are written. */
  const commit = async (step: Step) => {
    if (step.unchanged) return;
    state = step.state;
    for (const entry of step.entries) await kit.record(entry);
    await projectCaseFile(state);
    show();
  };
  const event = (e: CaseEvent) => commit(apply(state, e, now()));

  const startAvRecord = async (av: AvRecordSummary) => {
    try {
      await startChild(avRecordWorkflow, {
        workflowId: av.workflowId,
        args: [{ unit, caseNumber, caseWorkflowId: workflowId, n: av.n, ref: av.ref, stage: av.stage, madeAt: av.madeAt, returnedAt: av.returnedAt }],
        staticSummary: `音像记录 #${av.n} 存储期限（${caseNumber}）`,
        typedSearchAttributes: [...initialSearchAttributes('av-record', unit, caseNumber, 'av-pending')] as never,
        // The record's clock outlives this run: the case file continues as new while it runs.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    } catch (err) {
      // Already started (by this case before a reset): it reports to whichever run is current.
      log.warn('AV record not started', { workflowId: av.workflowId, error: (err as Error).message });
    }
  };
  const signalStored = async (av: AvRecordSummary) => {
    try {
      await getExternalWorkflowHandle(av.workflowId).signal(avStoredSignal, { by: av.storedBy!, at: av.storedAt! });
    } catch (err) {
      // No such record workflow any more (finished before a reset, or deleted): no clock runs to stop.
      log.warn('AV record not signalled', { workflowId: av.workflowId, error: (err as Error).message });
    }
  };

  /** Validator and handler share the rules; the handler decides again on the state it holds the lock on. */
  const act = async (action: CaseAction): Promise<Step> => {
    const refusal = check(state, action, Date.now());
    if (refusal) refuse(refusal.rule, refusal.basis, refusal.message);
    const step = reduce(state, action, { at: now(), avWorkflowId: (n) => avRecordWorkflowId(unit, caseNumber, n) });
    // Tell the child before the state says "stored": a record whose clock still runs is never shown stored.
    for (const effect of step.effects) if (effect.kind === 'signalAvStored') await signalStored(effect.av);
    await commit(step);
    for (const effect of step.effects) if (effect.kind === 'startAvRecord') await startAvRecord(effect.av);
    return step;
  };
  const validate = (action: CaseAction) => {
    const refusal = check(state, action, Date.now());
    if (refusal) refuse(refusal.rule, refusal.basis, refusal.message);
  };

  setHandler(caseFileStateQuery, () => state);
  setHandler(approveUrgentStartUpdate, (r) => kit.exclusive(async () => (await act({ kind: 'approveUrgentStart', ...r })).state), {
    validator: (r) => validate({ kind: 'approveUrgentStart', ...r }),
  });
  setHandler(
    registerAvRecordUpdate,
    (r) =>
      kit.exclusive(async () => {
        const step = await act({ kind: 'registerAvRecord', ...r });
        return { ...step.state.avRecords.find((av) => av.ref === r.ref)!, created: !step.unchanged };
      }),
    { validator: (r) => validate({ kind: 'registerAvRecord', ...r }) },
  );
  setHandler(markAvRecordStoredUpdate, (r) => kit.exclusive(async () => (await act({ kind: 'markAvRecordStored', ...r })).state.avRecords.find((av) => av.n === r.n)!), {
    validator: (r) => validate({ kind: 'markAvRecordStored', ...r }),
  });
  setHandler(enforcementEndedUpdate, (r) => kit.exclusive(async () => (await act({ kind: 'enforcementEnded', ...r })).state), {
    validator: (r) => validate({ kind: 'enforcementEnded', ...r }),
  });
  setHandler(archiveCaseUpdate, (r) => kit.exclusive(async () => (await act({ kind: 'archiveCase', ...r })).state), {
    validator: (r) => validate({ kind: 'archiveCase', ...r }),
  });
  setHandler(avRecordReportSignal, (report) => kit.exclusive(() => event({ kind: 'avReport', report })));

  const continueAsNew = () => kit.continueAsNew<typeof caseFileWorkflow>(() => [input, { state, kit: kit.carry(), maxHistoryEvents: carried?.maxHistoryEvents }]);

  // The first run records the opening; every run writes the row once, so it names the current run.
  if (!carried) await kit.record(openedEntry(input));
  await projectCaseFile(state);
  kit.initialised();
  show();

  // 第八条: an urgent start is approved by the head within 24 hours. Once enforcement has ended the
  // archive clock owns the deadline attributes; a still missing approval then blocks the archiving.
  const urgentPending = () => state.urgentApproval?.status === 'pending' && state.status === 'open';
  if (urgentPending()) {
    const clock = kit.startClock(
      { from: input.openedAt, hourLimit: 'approveUrgentStart' },
      kit.hooked({
        onLastDay: async (s, tag) => {
          kit.notify(
            {
              unit,
              kind: 'action_required',
              subject: `紧急启动待补批：${caseNumber}（${shanghaiMinute(s.deadline)} 前）`,
              body: `案件 ${caseNumber}「${input.title}」因情况紧急先行启动执法程序，须在 ${shanghaiMinute(s.deadline)} 前报本机关负责人补批（${s.basis}）。`,
            },
            `urgent.approval-due:${tag}`,
          );
          await event({ kind: 'urgentClock', deadline: s.deadline, level: 'yellow' });
        },
        onOverdue: async (s, tag) => {
          await event({ kind: 'urgentOverdue', deadline: s.deadline, basis: s.basis });
          const body = `单位 ${unit} 案件 ${caseNumber}「${input.title}」紧急启动后未在 ${shanghaiMinute(s.deadline)} 前经负责人补批（${s.basis}）。`;
          for (const to of await escalationRecipients(unit)) {
            kit.notify({ unit: to, kind: 'escalation', subject: `超期未补批：${unit} 案件 ${caseNumber} 紧急启动`, body }, `urgent.overdue:${tag}:${to}`);
          }
        },
      }),
      kit.carriedClock,
    );
    const s = await clock.start();
    if (state.urgentApproval!.deadline !== s.deadline) await kit.exclusive(() => event({ kind: 'urgentClock', deadline: s.deadline, level: clock.level }));
    await clock.waitUntil(() => !urgentPending(), canDue, () => kit.msUntilRetirement());
    if (urgentPending()) return continueAsNew();
    kit.stopClock();
    show();
  }

  await condition(() => state.status !== 'open' || canDue(), kit.msUntilRetirement());
  if (state.status === 'open') return continueAsNew();

  if (state.status === 'enforcement_ended') {
    const archiveHooks: ClockHooks = {
      onYellow: async (s, tag) => {
        kit.notify(
          { unit, kind: 'reminder', subject: `归档期限将至：${caseNumber}（${s.lastDay}）`, body: `案件 ${caseNumber}「${input.title}」的执法案卷须于 ${s.lastDay} 前归档（${s.basis}）。` },
          `archive.yellow:${s.lastDay}:${tag}`,
        );
        await event({ kind: 'archiveClock', ...clockView(s), level: 'yellow' });
      },
      onLastDay: async (s, tag) => {
        kit.notify(
          { unit, kind: 'reminder', subject: `今日为归档期限最后一日：${caseNumber}`, body: `案件 ${caseNumber}「${input.title}」的执法案卷须于今日（${s.lastDay}）内归档（${s.basis}）。` },
          `archive.last-day:${s.lastDay}:${tag}`,
        );
        await event({ kind: 'archiveClock', ...clockView(s), level: 'yellow' });
      },
      // Once, when the 30 days pass; the daily digest carries the overdue case after that.
      onOverdue: async (s, tag) => {
        await event({ kind: 'archiveOverdue', deadline: s.deadline, lastDay: s.lastDay, basis: s.basis });
        const body = `单位 ${unit} 案件 ${caseNumber}「${input.title}」执法行为终结后未在 ${s.lastDay} 前归档（${s.basis}）。`;
        for (const to of await escalationRecipients(unit)) {
          kit.notify({ unit: to, kind: 'escalation', subject: `超期未归档：${unit} 案件 ${caseNumber}`, body }, `archive.overdue:${s.lastDay}:${tag}:${to}`);
        }
      },
      onChange: async ({ before, after, reason }) => {
        await event({ kind: 'archiveDeadlineChanged', before, after: clockView(after), reason });
        await event({ kind: 'archiveClock', ...clockView(after), level: clock.level });
      },
    };
    const clock = kit.startClock({ from: state.enforcementEndedAt!, steps: [{ statute: 'archiveCaseFile' }] }, kit.hooked(archiveHooks), kit.carriedClock);
    const s = await clock.start();
    if (state.archiveDeadline?.deadline !== s.deadline) await kit.exclusive(() => event({ kind: 'archiveClock', ...clockView(s), level: clock.level }));
    await clock.waitUntil(archived, canDue, () => kit.msUntilRetirement());
    if (!archived()) return continueAsNew();
    kit.stopClock();
  }

  // Archived: every AV record was stored; wait (briefly) for their final reports, then end.
  await condition(() => state.avRecords.every((r) => r.late !== undefined), OUTCOME_GRACE_MS);
  show();
  await kit.settled();
  return state;
}

const clockView = (s: { deadline: string; lastDay: string; basis: string; provisional: boolean }) => ({ deadline: s.deadline, lastDay: s.lastDay, basis: s.basis, provisional: s.provisional });
