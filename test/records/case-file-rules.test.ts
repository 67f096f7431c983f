import { apply, initialState, reduce, type Now } from '../../domain/case-file/reducer';
import { CASE_FILE_TRANSITIONS, check, type CaseAction } from '../../domain/case-file/transitions';
import { caseListColumns } from '../../domain/case-file/projection';
import type { CaseFileState } from '../../domain/case-file/types';

// The case file's rules without a server: the transitions table, refusals with rule and article,
// and the reducer's state, entries and effects (本政办发〔2019〕33号).
const T0 = Date.parse('2026-03-02T09:00:00+08:00');
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;
const at = (ms: number): Now => ({ at: iso(ms), avWorkflowId: (n) => `av-x-${n}` });
const open = (urgent = false) => initialState({ unit: 'benxi.ybj', caseNumber: 'C-1', title: '违规使用医保基金', urgent, openedBy: 'h1', openedAt: iso(T0) });
const run = (state: CaseFileState, action: CaseAction, ms: number) => {
  const refusal = check(state, action, ms);
  if (refusal) throw Object.assign(new Error(refusal.message), refusal);
  return reduce(state, action, at(ms));
};
const refusalOf = (state: CaseFileState, action: CaseAction, ms = T0 + HOUR) => check(state, action, ms);

describe('case file rules (pure)', () => {
  it('the table names, for every action, its statuses and rules with their article of 33号', () => {
    for (const [kind, t] of Object.entries(CASE_FILE_TRANSITIONS)) {
      expect(t.statuses.length).toBeGreaterThan(0);
      for (const g of t.guards) {
        expect(g.rule).toMatch(/^case\.[a-z_.]+$/);
        expect(g.article).toMatch(/^第.+条$/);
      }
      expect(kind).toMatch(/^[a-zA-Z]+$/);
    }
    expect(CASE_FILE_TRANSITIONS.archiveCase.statuses).toEqual(['enforcement_ended']);
    expect(CASE_FILE_TRANSITIONS.enforcementEnded.statuses).toEqual(['open']);
  });

  it('urgent approval: late is judged on workflow time, never on the reported time', () => {
    let s = open(true);
    s = apply(s, { kind: 'urgentClock', deadline: iso(T0 + 24 * HOUR), level: 'yellow' }, iso(T0)).state;
    // Reported as within the hour, arriving after 30 hours: late.
    const step = run(s, { kind: 'approveUrgentStart', by: 'head', reportedAt: iso(T0 + HOUR) }, T0 + 30 * HOUR);
    expect(step.state.urgentApproval).toMatchObject({ status: 'approved', approvedAt: iso(T0 + 30 * HOUR), reportedAt: iso(T0 + HOUR), late: true });
    expect(step.entries.map((e) => [e.action, e.occurredAt])).toEqual([['start.urgent-approved', iso(T0 + 30 * HOUR)]]);
    expect(step.state.revision).toBe(s.revision + 1);
    expect(refusalOf(step.state, { kind: 'approveUrgentStart', by: 'head' })).toMatchObject({ rule: 'case.urgent.already_approved', basis: '本政办发〔2019〕33号 第八条' });
    expect(refusalOf(open(false), { kind: 'approveUrgentStart', by: 'head' })).toMatchObject({ rule: 'case.urgent.not_urgent', basis: '本政办发〔2019〕33号 第八条' });
  });

  it('AV records: registration (a retry answers the same record), conflicts, future and return times; stored tells the child first', () => {
    let s = open();
    const reg = { kind: 'registerAvRecord', by: 'h1', ref: 'DV-1', madeAt: iso(T0), stage: 'investigation', sha256: 'a'.repeat(64) } as const;
    const first = run(s, reg, T0 + HOUR);
    expect(first.state.avRecords[0]).toMatchObject({ n: 1, workflowId: 'av-x-1', status: 'pending', registeredAt: iso(T0 + HOUR) });
    expect(first.effects).toEqual([{ kind: 'startAvRecord', av: expect.objectContaining({ n: 1 }) }]);
    s = first.state;
    expect(run(s, reg, T0 + 2 * HOUR)).toMatchObject({ unchanged: true, entries: [], effects: [] });
    expect(refusalOf(s, { ...reg, madeAt: iso(T0 - HOUR) })).toMatchObject({ rule: 'case.av.ref_conflict' });
    expect(refusalOf(s, { ...reg, ref: 'DV-2', madeAt: iso(T0 + 3 * HOUR) })).toMatchObject({ rule: 'case.av.made_in_future', basis: '本政办发〔2019〕33号 第三十二条' });
    expect(refusalOf(s, { ...reg, ref: 'DV-2', returnedAt: iso(T0 - HOUR) })).toMatchObject({ rule: 'case.av.returned_before_made' });

    expect(refusalOf(s, { kind: 'markAvRecordStored', by: 'h1', n: 9 })).toMatchObject({ rule: 'case.av.unknown' });
    expect(refusalOf(s, { kind: 'markAvRecordStored', by: 'h1', n: 1, sha256: 'b'.repeat(64) })).toMatchObject({ rule: 'case.av.hash_mismatch', basis: '本政办发〔2019〕33号 第三十七条' });
    const stored = run(s, { kind: 'markAvRecordStored', by: 'h1', n: 1 }, T0 + 2 * HOUR);
    expect(stored.effects).toEqual([{ kind: 'signalAvStored', av: expect.objectContaining({ n: 1, storedAt: iso(T0 + 2 * HOUR) }) }]);
    expect(refusalOf(stored.state, { kind: 'markAvRecordStored', by: 'h1', n: 1 })).toMatchObject({ rule: 'case.av.already_stored' });

    // The child's reports by signal: clock, then outcome.
    const reported = apply(stored.state, { kind: 'avReport', report: { n: 1, deadline: iso(T0 + 24 * HOUR), basis: '第三十二条', level: 'none', escalations: 0, outcome: { storedAt: iso(T0 + 2 * HOUR), storedBy: 'h1', late: false, escalations: 0 } } }, iso(T0 + 2 * HOUR));
    expect(reported.state.avRecords[0]).toMatchObject({ late: false, deadline: iso(T0 + 24 * HOUR) });
    expect(apply(reported.state, { kind: 'avReport', report: { n: 1, deadline: iso(T0 + 24 * HOUR), basis: '第三十二条', level: 'none', escalations: 0, outcome: { storedAt: iso(T0 + 2 * HOUR), storedBy: 'h1', late: false, escalations: 0 } } }, iso(T0 + 3 * HOUR)).unchanged).toBe(true);
  });

  it('end of enforcement and archiving: statuses, pending AV records and approvals refuse; archiving late is judged on workflow time', () => {
    let s = open(true);
    expect(refusalOf(s, { kind: 'archiveCase', by: 'h1' })).toMatchObject({ rule: 'case.archive.enforcement_not_ended' });
    expect(refusalOf(s, { kind: 'enforcementEnded', by: 'h1', endedAt: iso(T0 - HOUR) })).toMatchObject({ rule: 'case.enforcement.ended_before_opened' });
    expect(refusalOf(s, { kind: 'enforcementEnded', by: 'h1', endedAt: iso(T0 + 3 * HOUR) })).toMatchObject({ rule: 'case.enforcement.ended_in_future' });
    s = run(s, { kind: 'registerAvRecord', by: 'h1', ref: 'DV-1', madeAt: iso(T0), stage: 'enforcement' }, T0 + HOUR).state;
    const ended = run(s, { kind: 'enforcementEnded', by: 'h1', endedAt: iso(T0 + HOUR) }, T0 + HOUR);
    expect(ended.entries[0]!.summary).toContain('紧急启动仍未补报批准');
    s = ended.state;
    expect(refusalOf(s, { kind: 'enforcementEnded', by: 'h1', endedAt: iso(T0 + HOUR) })).toMatchObject({ rule: 'case.enforcement.already_ended' });
    expect(refusalOf(s, { kind: 'archiveCase', by: 'h1' })).toMatchObject({ rule: 'case.archive.av_pending', message: '音像记录 #1 尚未存储，不能归档' });
    s = run(s, { kind: 'markAvRecordStored', by: 'h1', n: 1 }, T0 + 2 * HOUR).state;
    expect(refusalOf(s, { kind: 'archiveCase', by: 'h1' })).toMatchObject({ rule: 'case.archive.urgent_unapproved', basis: '本政办发〔2019〕33号 第八条' });
    s = run(s, { kind: 'approveUrgentStart', by: 'head' }, T0 + 3 * HOUR).state;
    s = apply(s, { kind: 'archiveClock', deadline: '2026-04-02T23:59:59+08:00', lastDay: '2026-04-02', basis: '30d', provisional: false, level: 'none' }, iso(T0 + 3 * HOUR)).state;
    expect(caseListColumns(s)).toMatchObject({ status: 'enforcement_ended', deadlineKind: 'archive', warningLevel: 'none', overdue: false, avPending: 0 });
    s = apply(s, { kind: 'archiveOverdue', deadline: '2026-04-02T23:59:59+08:00', lastDay: '2026-04-02', basis: '30d' }, '2026-04-03T00:00:00+08:00').state;
    expect(caseListColumns(s)).toMatchObject({ warningLevel: 'red', overdue: true });
    const archived = run(s, { kind: 'archiveCase', by: 'h1', reportedAt: '2026-04-01T10:00:00+08:00' }, Date.parse('2026-04-03T10:00:00+08:00'));
    expect(archived.state).toMatchObject({ status: 'archived', archivedLate: true, archivedReportedAt: '2026-04-01T10:00:00+08:00' });
    expect(caseListColumns(archived.state)).toMatchObject({ status: 'archived', deadlineKind: null, overdue: false });
    for (const action of [{ kind: 'archiveCase', by: 'h1' }, { kind: 'approveUrgentStart', by: 'h' }, { kind: 'markAvRecordStored', by: 'h', n: 1 }] as CaseAction[]) {
      expect(refusalOf(archived.state, action)).toMatchObject({ rule: 'case.archived' });
    }
  });

  it('reduce never changes the state it is given', () => {
    const s = open(true);
    const before = JSON.stringify(s);
    run(s, { kind: 'approveUrgentStart', by: 'head' }, T0 + HOUR);
    run(s, { kind: 'registerAvRecord', by: 'h1', ref: 'DV-1', madeAt: iso(T0), stage: 'start' }, T0 + HOUR);
    apply(s, { kind: 'urgentOverdue', deadline: iso(T0 + 24 * HOUR), basis: 'x' }, iso(T0 + 25 * HOUR));
    expect(JSON.stringify(s)).toBe(before);
  });
});
