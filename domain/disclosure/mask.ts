// 第十九条: what the public sees of a party. A natural person's name shows only the surname
// (张** for 张三丰); identity-card numbers, phone numbers and addresses never appear, also when typed
// into free text. Organisations are shown in full. Pure; property-tested (test/disclosure/mask.test.ts).

/** Two-character surnames (复姓) that must be kept whole. */
export const COMPOUND_SURNAMES = [
  '欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '轩辕', '令狐', '钟离',
  '闻人', '澹台', '公冶', '太史', '申屠', '南宫', '端木', '西门', '独孤', '呼延', '万俟', '赫连', '拓跋', '百里', '东郭', '左丘',
  '第五', '濮阳', '单于', '公羊', '司空', '司寇', '亓官', '仲孙', '叔孙', '谷梁', '乐正', '宰父', '梁丘', '鲜于', '闾丘', '羊舌',
] as const;

export const MASK = '**';
export const ID_MASK = '[身份证号已隐去]';
export const PHONE_MASK = '[电话已隐去]';
export const ADDRESS_MASK = '[地址已隐去]';

export interface PartyData {
  kind: 'person' | 'organisation';
  name: string;
  idNumber?: string;
  phone?: string;
  address?: string;
}

const HAN = /\p{Script=Han}/u;

/** The surname of a Chinese name (复姓 kept whole); for other scripts the first letter. */
export function surnameOf(name: string): string {
  const n = name.trim().replace(/\s+/g, ' ');
  for (const s of COMPOUND_SURNAMES) if (n.startsWith(s) && n.length > s.length) return s;
  const first = [...n][0] ?? '';
  return HAN.test(first) ? first : first.toUpperCase();
}

/** 张三丰 → 张**, 欧阳娜娜 → 欧阳**; always the same mask length (the name's length is not shown). */
export function maskPersonName(name: string): string {
  return `${surnameOf(name)}${MASK}`;
}

/** The party as published: a person by surname only, an organisation in full. */
export function publicPartyName(party: Pick<PartyData, 'kind' | 'name'> | null | undefined): string {
  if (!party) return '';
  return party.kind === 'person' ? maskPersonName(party.name) : party.name.trim();
}

// ---- recognisers for free text ----

/** 18-digit (last may be X) and 15-digit identity-card numbers, also with spaces or hyphens between groups. */
const ID_NUMBER = /(?<![0-9A-Za-z])(?:[1-9]\d{5}[ -]?(?:18|19|20)\d{2}[ -]?(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[ -]?\d{3}[0-9Xx]|[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})(?![0-9A-Za-z])/g;
/** Mobile numbers (+86 / 0086 / 86 prefix, spaces or hyphens as 3-4-4). */
const MOBILE = /(?<!\d)(?:(?:\+|00)?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)/g;
/** Landlines: area code 0xx(x) with optional brackets and a 7–8 digit number, optional extension; or 400/800 numbers. */
const LANDLINE = /(?<!\d)(?:(?:\+|00)?86[ -]?)?(?:[(（]0\d{2,3}[)）][ -]?|0\d{2,3}[ -])\d{3,4}[ -]?\d{4}(?:[ -]?(?:转|ext\.?|-)[ -]?\d{1,6})?(?!\d)|(?<!\d)0\d{2,3}\d{7,8}(?!\d)|(?<!\d)[48]00[ -]?\d{3}[ -]?\d{4}(?!\d)/g;
/** A labelled address (住址：…, 家住…, 地址…): up to the next separator. */
const LABELLED_ADDRESS = /(住址|地址|住所|居住地|户籍地|家住|现住|住在|住于|送达地址|联系地址)(\s*[:：]?\s*)[^，,。；;、\n\r（）()]{2,80}/g;
const NUM = '(?:\\d+|[一二三四五六七八九十百零〇两]+)';
const PLACE = '[\\p{Script=Han}A-Za-z0-9]';
/**
 * An address without a label: a place name ending in 路/街/道/巷/弄/胡同/村/小区/… followed by a
 * house designation (号, 栋, 单元, 室, 组, 楼 …), e.g. 平山区人民路12号3单元501室, 桓仁县某某村三组.
 */
const STREET_ADDRESS = new RegExp(
  `(?:${PLACE}{1,12}?(?:省|自治区|市|自治州|地区|盟|县|区|旗|镇|乡|街道))*${PLACE}{0,12}?(?:大街|大道|路|街|巷|弄|胡同|里|村|屯|社区|小区|花园|公寓|大厦|家园|新村|苑)` +
    `(?:${NUM}(?:号院|号楼|号|栋|幢|座|单元|层|楼|室|户|组|社|排)[-—\\s]?)+(?:${NUM}(?:室|户|号)?)?`,
  'gu',
);

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every way a known value may be typed: as given, without spaces or hyphens. */
function variants(value: string): string[] {
  const v = value.trim();
  const compact = v.replace(/[\s-]/g, '');
  return [...new Set([v, compact].filter((x) => x.length >= 2))].sort((a, b) => b.length - a.length);
}

/**
 * Masks free text for publication: the party's own name (a person's), id number, phone and address
 * wherever they appear, then any identity-card number, phone number or address the recognisers find.
 * Organisation names are left as they are.
 */
export function maskText(text: string, party?: PartyData | null): string {
  let out = text;
  if (party) {
    const known: Array<[string | undefined, string]> = [
      [party.idNumber, ID_MASK],
      [party.phone, PHONE_MASK],
      [party.address, ADDRESS_MASK],
    ];
    for (const [value, mask] of known) if (value) for (const v of variants(value)) out = out.replace(new RegExp(escapeRegExp(v), 'g'), mask);
    if (party.kind === 'person' && party.name.trim().length >= 2) {
      const masked = maskPersonName(party.name);
      for (const v of variants(party.name)) out = out.replace(new RegExp(escapeRegExp(v), 'g'), masked);
    }
  }
  out = out.replace(ID_NUMBER, ID_MASK);
  out = out.replace(MOBILE, PHONE_MASK);
  out = out.replace(LANDLINE, PHONE_MASK);
  out = out.replace(LABELLED_ADDRESS, (_m, label: string, sep: string) => `${label}${sep}${ADDRESS_MASK}`);
  out = out.replace(STREET_ADDRESS, ADDRESS_MASK);
  return out;
}

/** The masked public view (第十七条: party, kind of action, content, result, unit, decision number and date). */
export interface PublicView {
  party: string;
  partyKind: 'person' | 'organisation' | null;
  actionKind: string;
  content: string;
  result: string;
  unitName: string;
  decisionNumber: string | null;
  decisionDate: string | null;
}

export const ACTION_KIND_NAMES: Record<string, string> = {
  penalty: '行政处罚',
  permit: '行政许可',
  compulsion: '行政强制',
  levy: '行政征收',
  inspection: '行政检查（“双随机”抽查结果）',
  other: '其他行政执法决定',
};

export function buildPublicView(input: {
  party: PartyData | null;
  kind: string;
  content: string;
  result: string;
  unitName: string;
  decisionNumber: string | null;
  decisionDate: string | null;
}): PublicView {
  return {
    party: publicPartyName(input.party),
    partyKind: input.party?.kind ?? null,
    actionKind: ACTION_KIND_NAMES[input.kind] ?? ACTION_KIND_NAMES.other!,
    content: maskText(input.content, input.party),
    result: maskText(input.result, input.party),
    unitName: input.unitName,
    decisionNumber: input.decisionNumber ? maskText(input.decisionNumber, input.party) : null,
    decisionDate: input.decisionDate,
  };
}
