import {
  CHECKLIST_ITEMS,
  missingMaterials,
  opinionIssues,
  reviewerEligibility,
  reviewerQualification,
  reviewRequirement,
  type Checklist,
  type ReviewScope,
} from '../../domain/review-rules';
import { checklistWithProblem, cleanChecklist, qualifiedProfile } from './helpers';

const noScope: ReviewScope = { publicInterest: false, majorRights: false, hearing: false, complex: false, otherLaw: false, catalogue: false, optIn: false };

describe('review rules (本政办发〔2019〕34号, pure)', () => {
  describe('scope (第六条, 第十八条, 第二条)', () => {
    it('every general-procedure penalty needs review, a simple-procedure one only on a criterion', () => {
      expect(reviewRequirement({ decisionKind: 'penalty', procedure: 'general', scope: noScope })).toMatchObject({ required: true, grounds: [{ code: 'generalProcedurePenalty' }] });
      const simple = reviewRequirement({ decisionKind: 'penalty', procedure: 'simple', scope: noScope });
      expect(simple.required).toBe(false);
      expect(simple.required === false && simple.reason).toContain('简易程序');
    });

    it.each(Object.keys(noScope) as Array<keyof ReviewScope>)('criterion %s alone makes a permit reviewable', (criterion) => {
      const r = reviewRequirement({ decisionKind: 'permit', procedure: 'general', scope: { ...noScope, [criterion]: true } });
      expect(r).toMatchObject({ required: true, grounds: [{ code: criterion }] });
    });

    it('says why no review is required, citing 第六条', () => {
      const r = reviewRequirement({ decisionKind: 'inspection', procedure: 'general', scope: noScope });
      expect(r.required).toBe(false);
      expect(r.required === false && r.reason).toMatch(/行政检查.*第六条.*无需法制审核/);
    });
  });

  describe('completeness (第九条)', () => {
    it('statement and draft always; hearing record, test and appraisal reports when they happened', () => {
      expect(missingMaterials({ scope: noScope, sampling: false, appraisal: false }, [])).toEqual(['statement', 'draft_decision']);
      expect(missingMaterials({ scope: { ...noScope, hearing: true }, sampling: true, appraisal: true }, [{ kind: 'draft_decision', ref: 'x' }])).toEqual([
        'statement',
        'hearing_record',
        'test_report',
        'appraisal_report',
      ]);
      expect(missingMaterials({ scope: noScope, sampling: false, appraisal: false }, [{ kind: 'statement', ref: 'a' }, { kind: 'draft_decision', ref: 'b' }])).toEqual([]);
    });
  });

  describe('reviewers (第七条, 第十五条; 本政办发〔2019〕27号)', () => {
    const none = { lawDegree: false, legalWorkYears: 0, enforcementYears: 0, legalProfessionQualification: false };
    it('any one of the four conditions qualifies, at the thresholds', () => {
      expect(reviewerQualification(none).qualified).toBe(false);
      expect(reviewerQualification({ ...none, legalWorkYears: 1.9, enforcementYears: 2.9 }).qualified).toBe(false);
      expect(reviewerQualification({ ...none, lawDegree: true }).grounds).toEqual(['具有法律专业本科以上学历']);
      expect(reviewerQualification({ ...none, legalWorkYears: 2 }).qualified).toBe(true);
      expect(reviewerQualification({ ...none, enforcementYears: 3 }).qualified).toBe(true);
      expect(reviewerQualification({ ...none, legalProfessionQualification: true }).qualified).toBe(true);
    });

    const base = { reviewUnit: 'benxi.ybj', decisionKind: 'penalty' as const, submittedBy: 'h1', interestedPersons: [], recusedPersons: [] };
    it('a first-time penalty reviewer needs the 法律职业资格; for a permit they do not', () => {
      const profile = qualifiedProfile('p', { legalProfessionQualification: false, reviewedPenaltyBefore: false, enforcementYears: 5 });
      expect(reviewerEligibility({ ...base, personId: 'p', profile })).toMatchObject({ ok: false, rule: 'first_penalty_needs_qualification' });
      expect(reviewerEligibility({ ...base, decisionKind: 'permit', personId: 'p', profile })).toEqual({ ok: true });
      expect(reviewerEligibility({ ...base, personId: 'p', profile: { ...profile, reviewedPenaltyBefore: true } })).toEqual({ ok: true });
    });

    it('interest and recusal come first, then the handler, the profile, the unit', () => {
      const profile = qualifiedProfile('p');
      expect(reviewerEligibility({ ...base, personId: 'p', profile, interestedPersons: ['p'] })).toMatchObject({ rule: 'interested_person' });
      expect(reviewerEligibility({ ...base, personId: 'p', profile, recusedPersons: ['p'] })).toMatchObject({ rule: 'declared_recusal' });
      expect(reviewerEligibility({ ...base, personId: 'h1', profile: qualifiedProfile('h1') })).toMatchObject({ rule: 'handler_cannot_review' });
      expect(reviewerEligibility({ ...base, personId: 'p', profile: null })).toMatchObject({ rule: 'no_profile' });
      expect(reviewerEligibility({ ...base, personId: 'p', profile: { ...profile, unit: 'benxi.czj' } })).toMatchObject({ rule: 'other_unit' });
    });
  });

  describe('opinion consistency (第十一条, 第十三条)', () => {
    it('approve needs a clean checklist', () => {
      expect(opinionIssues({ kind: 'approve', checklist: cleanChecklist(), text: '' })).toEqual([]);
      expect(opinionIssues({ kind: 'approve', checklist: checklistWithProblem('procedure', '未告知听证权利'), text: '' })).toEqual([
        expect.objectContaining({ path: 'checklist.procedure.result' }),
      ]);
    });

    it('every other opinion rests on a matching problem with a note, and gives reasons', () => {
      expect(opinionIssues({ kind: 'correct_procedure', checklist: checklistWithProblem('procedure', '未告知听证权利'), text: '补正告知程序' })).toEqual([]);
      expect(opinionIssues({ kind: 'correct_procedure', checklist: checklistWithProblem('factsEvidence', '证据不足'), text: '纠正' })).toEqual([
        expect.objectContaining({ path: 'kind' }),
      ]);
      expect(opinionIssues({ kind: 'transfer', checklist: checklistWithProblem('crimeTransfer', ''), text: '' }).map((i) => i.path).sort()).toEqual(['checklist.crimeTransfer.note', 'text']);
      const allProblems = Object.fromEntries(CHECKLIST_ITEMS.map((i) => [i, { result: 'problem', note: 'n' }])) as unknown as Checklist;
      for (const kind of ['disapprove', 'reinvestigate', 'amend', 'correct_procedure', 'transfer'] as const) {
        expect(opinionIssues({ kind, checklist: allProblems, text: '理由' })).toEqual([]);
      }
    });
  });
});
