/** The one masker of party data in API answers (domain/personal-data.ts), without a server. */
import { ROLES } from '../../api/auth';
import { maskContact, maskParty, maskPersonalText, partyAsSeen, PARTY_DATA_ROLES, seesPartyData } from '../../domain/personal-data';

const PERSON = { kind: 'person' as const, name: '欧阳娜娜', idNumber: '210502199001011234', phone: '13987654321', address: '本溪市平山区解放路77号' };
const ORG = { kind: 'organisation' as const, name: '本溪市某大药房有限公司', idNumber: '91210500MA0XXXXXXX', address: '本溪市明山区某路1号' };

describe('party data as a caller may see it', () => {
  it('masks a natural person\'s identity number, phone and address; keeps the name; leaves an organisation as it is', () => {
    expect(maskParty(PERSON)).toEqual({ kind: 'person', name: '欧阳娜娜', idNumber: '210502********1234', phone: '139****4321', address: '[地址已隐去]' });
    expect(maskParty(ORG)).toEqual(ORG);
    expect(maskParty({ name: '无类型', idNumber: '210502199001011234' })).toEqual({ name: '无类型', idNumber: '210502********1234' });
  });

  it('in full only to a role that needs it, in a unit that owns the resource', () => {
    const owning = ['benxi.ybj'];
    for (const role of ROLES) {
      const needs = (PARTY_DATA_ROLES as readonly string[]).includes(role);
      expect([role, seesPartyData({ unit: 'benxi.ybj', roles: [role] }, owning)]).toEqual([role, needs]);
      expect([role, seesPartyData({ unit: 'benxi.czj', roles: [role] }, owning)]).toEqual([role, false]);
    }
    expect(PARTY_DATA_ROLES).toEqual(['handler', 'head', 'reviewer', 'legal_office_lead']);
    // A token with a role that needs them and one that does not: the role that needs them counts.
    expect(partyAsSeen(PERSON, { unit: 'benxi.ybj', roles: ['supervisor', 'handler'] }, owning)).toEqual(PERSON);
    expect(partyAsSeen(PERSON, { unit: 'benxi.sfj', roles: ['supervisor', 'handler'] }, owning).idNumber).toBe('210502********1234');
    expect(partyAsSeen(PERSON, undefined, owning).phone).toBe('139****4321');
    expect(partyAsSeen(null, undefined, owning)).toBeNull();
  });

  it('masks text: the known party\'s values as their masked forms, anything else the recognisers find', () => {
    const text = `当事人：欧阳娜娜（身份证号 ${PERSON.idNumber}），住所 ${PERSON.address}，电话 ${PERSON.phone}；另一人 220102198512120018，13700001111`;
    const out = maskPersonalText(text, [PERSON]);
    expect(out).toContain('欧阳娜娜');
    expect(out).toContain('210502********1234');
    expect(out).toContain('139****4321');
    for (const raw of [PERSON.idNumber, PERSON.phone, '解放路77号', '220102198512120018', '13700001111']) expect(out).not.toContain(raw);
    expect(maskContact('13912345678')).toBe('139****5678');
    expect(maskContact('zhang.san@example.com')).toBe('z***@example.com');
    expect(maskContact('微信 abc')).toBe('[联系方式已隐去]');
  });
});
