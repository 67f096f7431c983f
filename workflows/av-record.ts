import { deprecatePatch, getExternalWorkflowHandle, log, setHandler } from '@temporalio/workflow';
import type { AvRecordOutcome, AvRecordReport, RecordStage } from '../domain/case-file/types';
import { escalationRecipients, shanghaiMinute as minute } from './case-file-effects';
import { avRecordClockQuery, avRecordReportSignal, avStoredSignal } from './case-file-messages';
import { ProcessKit, type KitCarry } from './kit/process';

export { avRecordClockQuery, avRecordWorkflowId, avStoredSignal, type AvRecordClock, type AvRecordOutcome } from './case-file-messages';

export interface AvRecordInput {
  unit: string;
  caseNumber: string;
  caseWorkflowId: string;
  n: number;
  ref: string;
  stage: RecordStage;
  /** When the recording was made. */
  madeAt: string;
  /** Field work far from the unit: the 24 hours run from the return (第三十二条). */
  returnedAt?: string;
}

/** What a run hands to the next (continue-as-new). */
export interface AvRecordCarry {
  stored?: { by: string; at: string };
  kit: KitCarry;
}

/**
 * Marker of the kit's first runs (v1). The pre-kit code (v0, 5d13900) was never deployed, so the
 * patch is phased out: `deprecatePatch` keeps the v1 histories that carry the marker replaying.
 */
export const AV_RECORD_KIT_PATCH = 'av-record-process-kit';

/**
 * The 24-hour clock of one audio-video record (本政办发〔2019〕33号 第三十二条): 音像记录制作完成后
 * 24小时内存储至执法信息系统. A child of the case file, started with its own search attributes
 * (ProcessKind `av-record`); it reports its clock and its outcome to the case file by SIGNAL (to the
 * case's workflow ID, so whichever run of the case is current gets it).
 */
export async function avRecordWorkflow(input: AvRecordInput, carried?: AvRecordCarry): Promise<AvRecordOutcome> {
  if (!carried) deprecatePatch(AV_RECORD_KIT_PATCH);
  const label = `音像记录 #${input.n}（${input.ref}）`;
  const kit = new ProcessKit({ unit: input.unit, caseNumber: input.caseNumber, link: { workflowId: input.caseWorkflowId, caseNumber: input.caseNumber }, carry: carried?.kit });
  let stored = carried?.stored;
  setHandler(avStoredSignal, (s) => {
    stored ??= s;
  });
  const parent = getExternalWorkflowHandle(input.caseWorkflowId);
  let escalations = carried?.kit.clock?.overdueSent ? 1 : 0;
  const report = async (outcome?: AvRecordOutcome) => {
    const r: AvRecordReport = { n: input.n, deadline: clock.schedule?.deadline, basis: clock.schedule?.basis, level: outcome ? 'none' : clock.level, escalations, outcome };
    try {
      await parent.signal(avRecordReportSignal, r);
    } catch (err) {
      // The case file is gone (deleted by an operator): the record's own history still has it all.
      log.warn('case file not reachable', { caseWorkflowId: input.caseWorkflowId, error: (err as Error).message });
    }
  };
  const clock = kit.startClock(
    { from: input.returnedAt ?? input.madeAt, hourLimit: 'storeAudioVideo' },
    kit.hooked({
      // An hour limit has no "two working days before": its whole window is the last day.
      onLastDay: async (s, tag) => {
        kit.notify(
          {
            unit: input.unit,
            kind: 'reminder',
            subject: `${input.caseNumber} ${label}须于 ${minute(s.deadline)} 前存储`,
            body: `案件 ${input.caseNumber} 的${label}须在 ${minute(s.deadline)} 前存储至执法信息系统或专用存储器，执法人员不得自行保管（${s.basis}）。`,
          },
          `av.store-due:${tag}`,
        );
        await report();
      },
      // Once, when the 24 hours pass; the daily digest carries the overdue record after that.
      onOverdue: async (s, tag) => {
        escalations += 1;
        await kit.record({
          stage: input.stage,
          actor: 'system',
          action: 'av.overdue',
          summary: `${label}超过24小时未存储至执法信息系统（期限 ${minute(s.deadline)}）`,
          payload: { n: input.n, ref: input.ref, deadline: s.deadline, basis: s.basis },
        });
        const body = `单位 ${input.unit} 案件 ${input.caseNumber} 的${label}已超过存储期限 ${minute(s.deadline)}（${s.basis}），仍未存储。`;
        for (const unit of await escalationRecipients(input.unit)) {
          kit.notify({ unit, kind: 'escalation', subject: `超期未存储：${input.caseNumber} ${label}`, body }, `av.overdue:${tag}:${unit}`);
        }
        await report();
      },
    }),
    carried?.kit.clock,
  );
  setHandler(avRecordClockQuery, () => ({ n: input.n, ref: input.ref, deadline: clock.schedule?.deadline, basis: clock.schedule?.basis, level: clock.level, escalations, stored }));

  const schedule = await clock.start();
  kit.initialised();
  kit.showState('av-pending', { step: `${label}待存储`, who: input.unit, deadline: minute(schedule.deadline) });
  await clock.waitUntil(
    () => stored !== undefined,
    () => kit.continueAsNewDue(),
    () => kit.msUntilRetirement(),
  );
  if (stored === undefined) return kit.continueAsNew<typeof avRecordWorkflow>(() => [input, { stored, kit: kit.carry() }]);
  const late = Date.parse(stored.at) > Date.parse(clock.schedule!.deadline);
  kit.stopClock();
  kit.showState('av-stored', { step: `${label}已存储${late ? '（超期）' : ''}`, who: input.unit });
  const outcome: AvRecordOutcome = { storedAt: stored.at, storedBy: stored.by, late, escalations };
  await report(outcome);
  await kit.settled();
  return outcome;
}
