import { allHandlersFinished, condition, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { AvRecordOutcome } from '../../domain/case-file/types';
import type { AvRecordInput } from '../av-record';
import { avRecordClockQuery, avStoredSignal } from '../case-file-messages';
import { CaseNumberKey, ProcessKindKey, StatusKey, UnitKey } from '../search-attributes';
import { setCurrentDetails } from '../shared/details';
import { LegalDeadline } from './legal-deadline-v1';
import { appendCaseRecord, clearDeadlineAttributes, escalate, shanghaiMinute, tell } from '../shared/record-and-notify';


/**
 * FROZEN: the AV record as released before the process kit (see case-file-v1.ts).
 *
 * The 24-hour clock of one audio-video record (本政办发〔2019〕33号 第三十二条): 音像记录制作完成后
 * 24小时内存储至执法信息系统. A child of the case file, so each record's clock runs on its own.
 */
export async function avRecordWorkflowV1(input: AvRecordInput): Promise<AvRecordOutcome> {
  const workflowId = workflowInfo().workflowId;
  const label = `音像记录 #${input.n}（${input.ref}）`;
  const link = { workflowId: input.caseWorkflowId, caseNumber: input.caseNumber };
  let stored: { by: string; at: string } | undefined;
  upsertSearchAttributes([
    { key: UnitKey, value: input.unit },
    { key: CaseNumberKey, value: input.caseNumber },
    { key: ProcessKindKey, value: 'case-file' },
    { key: StatusKey, value: 'av-pending' },
  ]);
  setHandler(avStoredSignal, (s) => {
    stored ??= s;
  });

  const clock = new LegalDeadline(
    { from: input.returnedAt ?? input.madeAt, hourLimit: 'storeAudioVideo' },
    {
      // An hour limit has no "two working days before": its whole window is the last day.
      onLastDay: async (s) => {
        await tell({
          idempotencyKey: `${workflowId}:av.store-due`,
          unit: input.unit,
          kind: 'reminder',
          subject: `${input.caseNumber} ${label}须于 ${shanghaiMinute(s.deadline)} 前存储`,
          body: `案件 ${input.caseNumber} 的${label}须在 ${shanghaiMinute(s.deadline)} 前存储至执法信息系统或专用存储器，执法人员不得自行保管（${s.basis}）。`,
          link,
        });
      },
      onOverdue: async (s, n) => {
        if (n === 1) {
          await appendCaseRecord({
            unit: input.unit,
            caseNumber: input.caseNumber,
            stage: input.stage,
            actor: 'system',
            action: 'av.overdue',
            summary: `${label}超过24小时未存储至执法信息系统（期限 ${shanghaiMinute(s.deadline)}）`,
            occurredAt: new Date().toISOString(),
            payload: { n: input.n, ref: input.ref, deadline: s.deadline, basis: s.basis },
            idempotencyKey: `${workflowId}:av.overdue`,
          });
        }
        await escalate({
          idempotencyKey: `${workflowId}:av.overdue:${n}`,
          unit: input.unit,
          subject: `超期未存储：${input.caseNumber} ${label}`,
          body: `单位 ${input.unit} 案件 ${input.caseNumber} 的${label}已超过存储期限 ${shanghaiMinute(s.deadline)}（${s.basis}），仍未存储（第 ${n} 次督办）。`,
          link,
        });
      },
    },
  );
  setHandler(avRecordClockQuery, () => ({
    n: input.n,
    ref: input.ref,
    deadline: clock.schedule?.deadline,
    basis: clock.schedule?.basis,
    level: clock.level,
    escalations: clock.escalations,
    stored,
  }));

  const schedule = await clock.start();
  setCurrentDetails({ step: `${label}待存储`, who: input.unit, deadline: shanghaiMinute(schedule.deadline) });
  await clock.waitUntil(() => stored !== undefined);
  const late = Date.parse(stored!.at) > Date.parse(clock.schedule!.deadline);
  clearDeadlineAttributes();
  upsertSearchAttributes([{ key: StatusKey, value: 'av-stored' }]);
  setCurrentDetails({ step: `${label}已存储${late ? '（超期）' : ''}`, who: input.unit });
  await condition(allHandlersFinished);
  return { storedAt: stored!.at, storedBy: stored!.by, late, escalations: clock.escalations };
}
