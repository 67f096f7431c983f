import fc from 'fast-check';
import { ADDRESS_MASK, buildPublicView, COMPOUND_SURNAMES, ID_MASK, maskPersonName, maskText, PHONE_MASK, publicPartyName } from '../../domain/disclosure/mask';
import { disclosureRule, JURISDICTION_RULES } from '../../domain/disclosure/rules';

const SINGLE = ['张', '王', '李', '赵', '刘', '陈', '杨', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗'];
const GIVEN = ['三', '丰', '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀'];
const han = (pool: string[], min: number, max: number) => fc.array(fc.constantFrom(...pool), { minLength: min, maxLength: max }).map((a) => a.join(''));
const personName = fc.oneof(
  fc.tuple(fc.constantFrom(...SINGLE), han(GIVEN, 1, 2)).map(([s, g]) => ({ surname: s, name: s + g })),
  fc.tuple(fc.constantFrom(...COMPOUND_SURNAMES), han(GIVEN, 1, 2)).map(([s, g]) => ({ surname: s, name: s + g })),
);
const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
const date = fc.record({ y: fc.integer({ min: 1930, max: 2010 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) });
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const id18 = fc.tuple(fc.integer({ min: 110000, max: 659999 }), date, digits(3), fc.constantFrom('0', '1', '5', '9', 'X', 'x')).map(([area, { y, m, d }, seq, check]) => `${area}${y}${pad(m)}${pad(d)}${seq}${check}`);
const id15 = fc.tuple(fc.integer({ min: 110000, max: 659999 }), date, digits(3)).map(([area, { y, m, d }, seq]) => `${area}${String(y).slice(2)}${pad(m)}${pad(d)}${seq}`);
const mobile = fc.tuple(fc.constantFrom('', '+86', '+86 ', '86-', '0086'), fc.constantFrom('13', '15', '17', '18', '19'), digits(1), digits(4), digits(4), fc.constantFrom('', ' ', '-')).map(
  ([p, a, b, c, d, sep]) => `${p}${a}${b}${sep}${c}${sep}${d}`,
);
const landline = fc.tuple(fc.constantFrom('024', '0414', '0416', '010', '0355'), digits(7), fc.constantFrom('-', ' ', '（', '(')).map(([area, num, style]) =>
  style === '（' ? `（${area}）${num}` : style === '(' ? `(${area})${num}` : `${area}${style}${num}`,
);
const road = fc.tuple(fc.constantFrom('', '辽宁省', '本溪市', '辽宁省本溪市', '锦州市古塔区', '长治市潞州区'), fc.constantFrom('平山区', '明山区', '溪湖区', '', '桓仁县'), fc.constantFrom('人民', '解放', '胜利', '新华', '中山'), fc.constantFrom('路', '街', '大街', '巷', '村'));
const address = fc.tuple(road, fc.integer({ min: 1, max: 999 }), fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }), fc.option(fc.integer({ min: 101, max: 2808 }), { nil: undefined })).map(
  ([[a, b, c, d], no, unit, room]) => ({ full: `${a}${b}${c}${d}${no}号${unit ? `${unit}单元` : ''}${room ? `${room}室` : ''}`, core: `${c}${d}${no}号` }),
);
const filler = fc.constantFrom('', '当事人', '经查，', '违规使用医保基金', '，', '。', '联系人', ' ', '本溪市某大药房有限公司', '罚款5000元', '责令改正');

describe('masker (第十九条)', () => {
  it('a natural person shows only the surname (复姓 whole): 张三丰 → 张**, 欧阳娜娜 → 欧阳**; organisations in full', () => {
    expect(maskPersonName('张三丰')).toBe('张**');
    expect(maskPersonName('张三')).toBe('张**');
    expect(maskPersonName('欧阳娜娜')).toBe('欧阳**');
    expect(maskPersonName('司马懿')).toBe('司马**');
    expect(publicPartyName({ kind: 'organisation', name: '本溪市某大药房有限公司' })).toBe('本溪市某大药房有限公司');
    fc.assert(
      fc.property(personName, ({ surname, name }) => {
        const m = maskPersonName(name);
        expect(m).toBe(`${surname}**`);
        expect(m).not.toContain(name.slice(surname.length));
      }),
    );
  });

  it('identity-card numbers (18 with X, 15), mobile and landline numbers and addresses never survive in free text', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(filler, id18.map((v) => ({ v, m: ID_MASK })), id15.map((v) => ({ v, m: ID_MASK })), mobile.map((v) => ({ v, m: PHONE_MASK })), landline.map((v) => ({ v, m: PHONE_MASK })), address.map((a) => ({ v: a.full, core: a.core, m: ADDRESS_MASK }))), { minLength: 1, maxLength: 8 }), (parts) => {
        const text = parts.map((p) => (typeof p === 'string' ? p : p.v)).join('，');
        const out = maskText(text);
        for (const p of parts) {
          if (typeof p === 'string') continue;
          expect(out).not.toContain(p.v);
          if ('core' in p && p.core) expect(out).not.toContain(p.core);
          expect(out).toContain(p.m);
        }
        // Nothing that looks like a person's identity number or a mobile remains.
        expect(out).not.toMatch(/\d{15,}/);
        expect(out).not.toMatch(/1[3-9]\d{9}/);
        // Organisations and ordinary text stay.
        if (text.includes('本溪市某大药房有限公司')) expect(out).toContain('本溪市某大药房有限公司');
      }),
      { numRuns: 500 },
    );
  });

  it("the party's own name, id, phone and address are masked wherever typed (also without separators); labelled addresses too", () => {
    fc.assert(
      fc.property(personName, id18, mobile, address, ({ surname, name }, idNumber, phone, addr) => {
        const party = { kind: 'person' as const, name, idNumber, phone, address: addr.full };
        const text = `当事人${name}（身份证号${idNumber}，电话${phone}，住${addr.full}）于2025年在医保定点药店违规刷卡，${name}对事实无异议。`;
        const out = maskText(text, party);
        expect(out).not.toContain(name);
        expect(out).not.toContain(idNumber);
        expect(out).not.toContain(phone.replace(/[\s-]/g, ''));
        expect(out).not.toContain(addr.core);
        expect(out).toContain(`${surname}**`);
      }),
      { numRuns: 300 },
    );
    expect(maskText('住址：本溪市平山区某某小区，罚款1000元')).toBe(`住址：${ADDRESS_MASK}，罚款1000元`);
    expect(maskText('本医保罚〔2026〕12号，本溪市某大药房有限公司')).toBe('本医保罚〔2026〕12号，本溪市某大药房有限公司');
  });

  it('the public view carries nothing of the party beyond the masked name', () => {
    const party = { kind: 'person' as const, name: '张三丰', idNumber: '210502199001011234', phone: '13800000000', address: '本溪市平山区人民路12号' };
    const view = buildPublicView({ party, kind: 'penalty', content: '张三丰（210502199001011234，13800000000）违规使用医保基金', result: '罚款5000元', unitName: '本溪市医疗保障局', decisionNumber: '本医保罚〔2026〕1号', decisionDate: '2026-03-01' });
    const json = JSON.stringify(view);
    for (const secret of ['三丰', '210502199001011234', '13800000000', '人民路12号']) expect(json).not.toContain(secret);
    expect(view).toMatchObject({ party: '张**', partyKind: 'person', actionKind: '行政处罚', result: '罚款5000元', unitName: '本溪市医疗保障局' });
  });
});

describe('rule table by jurisdiction', () => {
  it('本溪 every decision 7wd; 锦州/潞州 permits and penalties 7wd, others 20wd; inspections 20wd everywhere', () => {
    expect(disclosureRule('benxi', 'decision', 'levy')).toMatchObject({ period: '7wd', source: expect.stringContaining('第二十八条') });
    expect(disclosureRule('benxi', 'decision_change', 'penalty').period).toBe('7wd');
    for (const j of ['jinzhou', 'luzhou']) {
      expect(disclosureRule(j, 'decision', 'penalty').period).toBe('7wd');
      expect(disclosureRule(j, 'decision', 'permit').period).toBe('7wd');
      expect(disclosureRule(j, 'decision', 'compulsion').period).toBe('20wd');
      expect(disclosureRule(j, 'decision_change', 'other').period).toBe('20wd');
    }
    for (const j of Object.keys(JURISDICTION_RULES)) expect(disclosureRule(j, 'inspection', 'inspection')).toMatchObject({ period: '20wd', statute: 'discloseInspectionResult' });
    expect(() => disclosureRule('shenyang', 'decision', 'penalty')).toThrow(RangeError);
  });
});
