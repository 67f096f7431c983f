// 公示 periods by jurisdiction: ONE table, as data, each row with its source (domain spec §4).
// The workflow asks `disclosureRule` which statute counts its deadline; the periods themselves are
// in domain/statutes.ts (the one statute table), so no number of days is written here.
import { STATUTES, type StatuteKey } from '../statutes';

export const JURISDICTIONS = ['benxi', 'jinzhou', 'luzhou'] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

export const DISCLOSURE_KINDS = ['penalty', 'permit', 'compulsion', 'levy', 'inspection', 'other'] as const;
export type DisclosureKind = (typeof DISCLOSURE_KINDS)[number];
export type DisclosureSource = 'decision' | 'decision_change' | 'inspection';

export const DISCLOSURE_RULES = '本政办发〔2019〕35号';
export const JINZHOU_PLAN = '锦政办发〔2019〕23号';
export const LUZHOU_PLAN = '长治市潞州区医疗保障局行政执法三项制度实施方案';

export interface JurisdictionRule {
  /** What this row covers. */
  covers: string;
  /** Which items: decision kinds (decision and decision_change) or the inspection result. */
  applies: (source: DisclosureSource, kind: DisclosureKind) => boolean;
  statute: StatuteKey;
  /** What starts the period (its day is not counted). */
  from: string;
  source: string;
}

const decisionOf = (kinds: readonly DisclosureKind[] | 'all') => (source: DisclosureSource, kind: DisclosureKind) =>
  source !== 'inspection' && (kinds === 'all' || kinds.includes(kind));
const inspection = (source: DisclosureSource) => source === 'inspection';

/** Normal random-inspection results (“双随机、一公开”): the same everywhere. */
const INSPECTION_RULE: JurisdictionRule = {
  covers: '“双随机”抽查结果正常的市场主体',
  applies: inspection,
  statute: 'discloseInspectionResult',
  from: '抽查结束之日',
  source: `${DISCLOSURE_RULES} 第二十八条`,
};

/** First matching row wins. */
export const JURISDICTION_RULES: Record<Jurisdiction, { name: string; rules: JurisdictionRule[] }> = {
  benxi: {
    name: '本溪市',
    rules: [
      { covers: '各类行政执法决定（结果）', applies: decisionOf('all'), statute: 'discloseDecision', from: '信息形成或变更之日', source: `${DISCLOSURE_RULES} 第二十八条` },
      INSPECTION_RULE,
    ],
  },
  jinzhou: {
    name: '锦州市',
    rules: [
      { covers: '行政许可、行政处罚决定', applies: decisionOf(['permit', 'penalty']), statute: 'disclosePermitOrPenalty', from: '执法决定作出之日（变更的，变更之日）', source: `${JINZHOU_PLAN} (一)4(1)` },
      { covers: '其他行政执法决定', applies: decisionOf('all'), statute: 'discloseOtherDecision', from: '执法决定作出之日（变更的，变更之日）', source: `${JINZHOU_PLAN} (一)4(1)` },
      INSPECTION_RULE,
    ],
  },
  luzhou: {
    name: '长治市潞州区',
    rules: [
      { covers: '行政许可、行政处罚决定', applies: decisionOf(['permit', 'penalty']), statute: 'disclosePermitOrPenalty', from: '执法决定作出之日（变更的，变更之日）', source: `${LUZHOU_PLAN} 二` },
      { covers: '其他行政执法决定', applies: decisionOf('all'), statute: 'discloseOtherDecision', from: '执法决定作出之日（变更的，变更之日）', source: `${LUZHOU_PLAN} 二` },
      INSPECTION_RULE,
    ],
  },
};

export interface ResolvedRule {
  jurisdiction: Jurisdiction;
  statute: StatuteKey;
  period: string;
  covers: string;
  from: string;
  source: string;
  /** For records and the UI: “锦州市 行政许可、行政处罚决定 7wd（锦政办发〔2019〕23号 (一)4(1)）”. */
  basis: string;
}

export function isJurisdiction(value: string): value is Jurisdiction {
  return (JURISDICTIONS as readonly string[]).includes(value);
}

/** The rule that sets an item's deadline. Throws RangeError for an unknown jurisdiction. */
export function disclosureRule(jurisdiction: string, source: DisclosureSource, kind: DisclosureKind): ResolvedRule {
  if (!isJurisdiction(jurisdiction)) throw new RangeError(`unknown jurisdiction ${jurisdiction}`);
  const table = JURISDICTION_RULES[jurisdiction];
  const rule = table.rules.find((r) => r.applies(source, kind));
  if (!rule) throw new RangeError(`no disclosure rule for ${jurisdiction} ${source} ${kind}`);
  const period = STATUTES[rule.statute].period;
  return {
    jurisdiction,
    statute: rule.statute,
    period,
    covers: rule.covers,
    from: rule.from,
    source: rule.source,
    basis: `${table.name}：${rule.covers}自${rule.from}起 ${period.replace('wd', ' 个工作日')}内公开（${rule.source}）`,
  };
}

/** Automatic takedown (第二十九条): 2 years for a natural person, 5 years otherwise; not extended to a working day. */
export function takedownStatute(partyKind: 'person' | 'organisation' | null | undefined): StatuteKey {
  return partyKind === 'person' ? 'takedownNaturalPerson' : 'takedownOther';
}
