/**
 * The rules of 重大行政执法决定法制审核 (本政办发〔2019〕34号, 本政办发〔2019〕27号) as pure functions:
 * whether a decision needs review, whether a submission is complete, who may review, and whether an
 * opinion is consistent. No I/O: the API and the legal-review workflow both call these.
 */

export const LEGAL_REVIEW_RULES = '本政办发〔2019〕34号';

export const DECISION_KINDS = ['penalty', 'permit', 'compulsion', 'levy', 'inspection', 'other'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export const DECISION_KIND_LABELS: Record<DecisionKind, string> = {
  penalty: '行政处罚',
  permit: '行政许可',
  compulsion: '行政强制',
  levy: '行政征收征用',
  inspection: '行政检查',
  other: '其他行政执法决定',
};

export const PROCEDURES = ['general', 'simple'] as const;
export type Procedure = (typeof PROCEDURES)[number];

/** The 第六条 criteria as the handler declares them, plus the unit's catalogue (第十八条) and opt-in (第二条第二款). */
export interface ReviewScope {
  publicInterest: boolean;
  majorRights: boolean;
  hearing: boolean;
  complex: boolean;
  otherLaw: boolean;
  catalogue: boolean;
  optIn: boolean;
}

export interface ScopeGround {
  code: keyof ReviewScope | 'generalProcedurePenalty';
  basis: string;
  text: string;
}

const SCOPE_GROUNDS: ScopeGround[] = [
  { code: 'publicInterest', basis: `${LEGAL_REVIEW_RULES} 第六条第一款第（一）项`, text: '涉及重大公共利益、可能造成重大社会影响或引发社会风险' },
  { code: 'majorRights', basis: `${LEGAL_REVIEW_RULES} 第六条第一款第（二）项`, text: '直接关系行政相对人或第三人重大权益' },
  { code: 'hearing', basis: `${LEGAL_REVIEW_RULES} 第六条第一款第（三）项`, text: '经过听证程序作出' },
  { code: 'complex', basis: `${LEGAL_REVIEW_RULES} 第六条第一款第（四）项`, text: '案件情况疑难复杂，涉及多个法律关系' },
  { code: 'otherLaw', basis: `${LEGAL_REVIEW_RULES} 第六条第一款第（五）项`, text: '其他法律、法规、规章规定应当进行法制审核' },
  { code: 'catalogue', basis: `${LEGAL_REVIEW_RULES} 第十八条`, text: '列入本机关重大行政执法决定法制审核目录清单' },
  { code: 'optIn', basis: `${LEGAL_REVIEW_RULES} 第二条第二款`, text: '行政执法机关认为需要进行法制审核' },
];

const GENERAL_PROCEDURE_PENALTY: ScopeGround = {
  code: 'generalProcedurePenalty',
  basis: `${LEGAL_REVIEW_RULES} 第六条第二款`,
  text: '适用一般程序的行政处罚决定',
};

export type ReviewRequirement = { required: true; grounds: ScopeGround[] } | { required: false; reason: string };

/** 第六条: review is required when any criterion holds, and for every general-procedure penalty. */
export function reviewRequirement(decision: { decisionKind: DecisionKind; procedure: Procedure; scope: ReviewScope }): ReviewRequirement {
  const grounds = SCOPE_GROUNDS.filter((g) => decision.scope[g.code as keyof ReviewScope]);
  if (decision.decisionKind === 'penalty' && decision.procedure === 'general') grounds.unshift(GENERAL_PROCEDURE_PENALTY);
  if (grounds.length > 0) return { required: true, grounds };
  const kind = decision.decisionKind === 'penalty' ? '适用简易程序的行政处罚决定' : DECISION_KIND_LABELS[decision.decisionKind];
  return {
    required: false,
    reason:
      `${kind}不属于重大行政执法决定：不涉及重大公共利益或重大社会风险，不直接关系当事人或第三人重大权益，` +
      `未经听证，不属疑难复杂，无其他法律法规规章要求审核（${LEGAL_REVIEW_RULES} 第六条），` +
      `亦未列入本机关法制审核目录清单（第十八条），本机关也未选择送审（第二条第二款）；无需法制审核。`,
  };
}

export const MATERIAL_KINDS = ['statement', 'draft_decision', 'hearing_record', 'test_report', 'appraisal_report', 'other'] as const;
export type MaterialKind = (typeof MATERIAL_KINDS)[number];

export const MATERIAL_LABELS: Record<MaterialKind, string> = {
  statement: '拟作出重大行政执法决定的情况说明（第九条第（一）项）',
  draft_decision: '拟作出重大行政执法决定书文本（第九条第（二）项）',
  hearing_record: '听证笔录（第九条第（三）项）',
  test_report: '抽样、检疫、检测或检验报告（第九条第（四）项）',
  appraisal_report: '评估、鉴定报告或专家评审意见（第九条第（五）项）',
  other: '其他有关材料（第九条第（六）项）',
};

export interface Material {
  kind: MaterialKind;
  ref: string;
  /** SHA-256 (hex) of the document's content; required for the draft decision, which the recorded decision quotes (第二条). */
  sha256?: string;
}

/** The draft decision text a round reviews: the last one submitted (its hash identifies it). */
export function reviewedDraft(materials: readonly Material[]): Material | undefined {
  return [...materials].reverse().find((m) => m.kind === 'draft_decision');
}

/** What the submission must contain (第九条), given how the decision was reached. */
export function requiredMaterials(facts: { scope: Pick<ReviewScope, 'hearing'>; sampling: boolean; appraisal: boolean }): MaterialKind[] {
  const kinds: MaterialKind[] = ['statement', 'draft_decision'];
  if (facts.scope.hearing) kinds.push('hearing_record');
  if (facts.sampling) kinds.push('test_report');
  if (facts.appraisal) kinds.push('appraisal_report');
  return kinds;
}

/** The required kinds not yet among the materials, in the order of 第九条. */
export function missingMaterials(facts: { scope: Pick<ReviewScope, 'hearing'>; sampling: boolean; appraisal: boolean }, materials: readonly Material[]): MaterialKind[] {
  const present = new Set(materials.map((m) => m.kind));
  return requiredMaterials(facts).filter((k) => !present.has(k));
}

export function describeMissing(missing: readonly MaterialKind[]): string {
  return `送审材料不全，请补充：${missing.map((k) => MATERIAL_LABELS[k]).join('；')}（${LEGAL_REVIEW_RULES} 第九条、第十条）。审核期限自收到完整材料之日起计算。`;
}

/** A reviewer's profile as the unit records it (第七条; 本政办发〔2019〕27号). */
export interface ReviewerProfile {
  personId: string;
  unit: string;
  name: string;
  /** 法律专业本科以上学历 */
  lawDegree: boolean;
  /** 法制工作经历（年） */
  legalWorkYears: number;
  /** 执法工作经历（年） */
  enforcementYears: number;
  /** 国家统一法律职业资格 */
  legalProfessionQualification: boolean;
  /** Has reviewed penalty decisions before (first-time penalty reviewers need the qualification). */
  reviewedPenaltyBefore: boolean;
}

export interface Qualification {
  qualified: boolean;
  /** Which of the four 第七条 conditions hold. */
  grounds: string[];
}

/** 第七条第二款: any one of law degree, 2 years of legal work, 3 years of enforcement, 法律职业资格. */
export function reviewerQualification(p: Pick<ReviewerProfile, 'lawDegree' | 'legalWorkYears' | 'enforcementYears' | 'legalProfessionQualification'>): Qualification {
  const grounds: string[] = [];
  if (p.lawDegree) grounds.push('具有法律专业本科以上学历');
  if (p.legalWorkYears >= 2) grounds.push('具有2年以上法制工作经历');
  if (p.enforcementYears >= 3) grounds.push('具有3年以上执法工作经历');
  if (p.legalProfessionQualification) grounds.push('具有国家统一法律职业资格');
  return { qualified: grounds.length > 0, grounds };
}

export type EligibilityRule = 'no_profile' | 'other_unit' | 'unqualified' | 'first_penalty_needs_qualification' | 'interested_person' | 'declared_recusal' | 'handler_cannot_review';

export type Eligibility = { ok: true } | { ok: false; rule: EligibilityRule; message: string };

/** Whether this person may review this decision; the refusal names the rule it breaks. */
export function reviewerEligibility(input: {
  personId: string;
  profile: ReviewerProfile | null;
  reviewUnit: string;
  decisionKind: DecisionKind;
  submittedBy: string;
  interestedPersons: readonly string[];
  recusedPersons: readonly string[];
  /** Everyone who handled the case (opened it, acted in its investigation). */
  caseHandlers?: readonly string[];
}): Eligibility {
  const who = input.profile?.name ? `${input.profile.name}（${input.personId}）` : input.personId;
  if (input.interestedPersons.includes(input.personId)) {
    return { ok: false, rule: 'interested_person', message: `${who} 与本案有直接利害关系，应当回避，不得审核（${LEGAL_REVIEW_RULES} 第十五条）` };
  }
  if (input.recusedPersons.includes(input.personId)) {
    return { ok: false, rule: 'declared_recusal', message: `${who} 已申明与本案有利害关系并回避，不得审核（${LEGAL_REVIEW_RULES} 第十五条）` };
  }
  if (input.personId === input.submittedBy || input.caseHandlers?.includes(input.personId)) {
    return { ok: false, rule: 'handler_cannot_review', message: `${who} 是本案送审的承办人员，办审分离，不得审核自己承办的案件（${LEGAL_REVIEW_RULES} 第五条）` };
  }
  if (!input.profile) {
    return { ok: false, rule: 'no_profile', message: `${who} 没有法制审核人员资格档案，不能确定为法制审核人员（${LEGAL_REVIEW_RULES} 第七条）` };
  }
  if (input.profile.unit !== input.reviewUnit) {
    return { ok: false, rule: 'other_unit', message: `${who} 不是本机关（${input.reviewUnit}）法制机构的审核人员（${LEGAL_REVIEW_RULES} 第四条）` };
  }
  if (!reviewerQualification(input.profile).qualified) {
    return {
      ok: false,
      rule: 'unqualified',
      message: `${who} 不具备法制审核人员条件：法律专业本科以上学历、2年以上法制工作经历、3年以上执法工作经历、国家统一法律职业资格，至少具备其一（${LEGAL_REVIEW_RULES} 第七条）`,
    };
  }
  if (input.decisionKind === 'penalty' && !input.profile.reviewedPenaltyBefore && !input.profile.legalProfessionQualification) {
    return {
      ok: false,
      rule: 'first_penalty_needs_qualification',
      message: `${who} 初次从事行政处罚决定审核，应当取得国家统一法律职业资格（本政办发〔2019〕27号 三；厅字〔2015〕25号）`,
    };
  }
  return { ok: true };
}

export const OPINION_KINDS = ['approve', 'disapprove', 'reinvestigate', 'amend', 'correct_procedure', 'transfer'] as const;
export type OpinionKind = (typeof OPINION_KINDS)[number];

export const OPINION_LABELS: Record<OpinionKind, string> = {
  approve: '同意',
  disapprove: '不同意（超越法定权限或滥用职权）',
  reinvestigate: '重新调查或补充调查（事实不清、证据不足）',
  amend: '修正（定性不准、适用依据错误或裁量不当）',
  correct_procedure: '纠正（违反法定程序）',
  transfer: '移送（超出管辖范围或涉嫌犯罪）',
};

/** 第十一条, in its order. */
export const CHECKLIST_ITEMS = ['subjectQualification', 'procedure', 'factsEvidence', 'lawDiscretion', 'powerExcessAbuse', 'documents', 'crimeTransfer', 'other'] as const;
export type ChecklistItem = (typeof CHECKLIST_ITEMS)[number];

export const CHECKLIST_LABELS: Record<ChecklistItem, string> = {
  subjectQualification: '行政执法机关主体是否合法，行政执法人员是否具备执法资格',
  procedure: '程序是否合法、正当',
  factsEvidence: '主要事实是否清楚，证据是否确凿、充分',
  lawDiscretion: '适用法律、法规、规章是否准确，行政裁量基准运用是否适当',
  powerExcessAbuse: '执法是否超越执法机关法定权限或有滥用职权的情形',
  documents: '行政执法文书制作是否规范、齐备',
  crimeTransfer: '违法行为是否涉嫌犯罪、需要移送司法机关',
  other: '其他应当审查的内容',
};

export interface ChecklistMark {
  result: 'pass' | 'problem';
  note: string;
}

export type Checklist = Record<ChecklistItem, ChecklistMark>;

/**
 * Which checklist findings support each opinion (第十三条): the opinion must rest on a problem the
 * checklist names. `disapprove` on excess or abuse of power, `transfer` on jurisdiction or crime.
 */
const OPINION_SUPPORTED_BY: Record<Exclude<OpinionKind, 'approve'>, readonly ChecklistItem[]> = {
  disapprove: ['powerExcessAbuse', 'subjectQualification'],
  reinvestigate: ['factsEvidence'],
  amend: ['lawDiscretion', 'documents', 'other'],
  correct_procedure: ['procedure'],
  transfer: ['crimeTransfer', 'subjectQualification'],
};

export interface OpinionIssue {
  /** Relative to the opinion body, e.g. `checklist.procedure.note`. */
  path: string;
  message: string;
}

/** Whether the opinion hangs together: approve only on a clean checklist, anything else on a named problem. */
export function opinionIssues(opinion: { kind: OpinionKind; checklist: Checklist; text: string }): OpinionIssue[] {
  const issues: OpinionIssue[] = [];
  const problems = CHECKLIST_ITEMS.filter((item) => opinion.checklist[item].result === 'problem');
  for (const item of problems) {
    if (!opinion.checklist[item].note.trim()) issues.push({ path: `checklist.${item}.note`, message: `标记为问题的审核事项须说明问题：${CHECKLIST_LABELS[item]}` });
  }
  if (opinion.kind === 'approve') {
    for (const item of problems) {
      issues.push({ path: `checklist.${item}.result`, message: `同意的审核意见要求各审核事项均无问题（${LEGAL_REVIEW_RULES} 第十三条第（一）项）：${CHECKLIST_LABELS[item]}` });
    }
  } else {
    const supporting = OPINION_SUPPORTED_BY[opinion.kind];
    if (!problems.some((item) => supporting.includes(item))) {
      issues.push({
        path: 'kind',
        message: `“${OPINION_LABELS[opinion.kind]}”的意见须以审核事项中的问题为依据，至少标记其一：${supporting.map((i) => CHECKLIST_LABELS[i]).join('；')}（${LEGAL_REVIEW_RULES} 第十三条）`,
      });
    }
    if (!opinion.text.trim()) issues.push({ path: 'text', message: '未同意的审核意见须写明理由和建议' });
  }
  return issues;
}

export const DISPUTE_OUTCOMES = ['uphold', 'overrule', 'collective'] as const;
export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number];
