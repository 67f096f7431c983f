// Issue 14: a party's personal data in API answers. The unit's own staff whose work needs it
// (handling, deciding, enforcing and reviewing the case) see the identity number, phone and address
// in full; everyone else who may read the resource (a supervising unit, the unit's admin or
// publisher, …) sees them masked. The name stays: a supervisor must know whom a decision concerns.
// Organisations are shown in full (a 统一社会信用代码 and a business address are public). Pure.
import { ADDRESS_MASK, maskText } from './disclosure/mask';

/**
 * The roles that need a natural person's identity number, phone and address, in the unit that owns
 * the resource (for a legal review also the units taking part: joint and entrusting units):
 * - `handler`: opens and handles the case, serves the decision, performs the enforcement (the
 *   enforcement officers act with this role);
 * - `head`: decides, approves extensions, deferrals and enforcement decisions, signs documents;
 * - `reviewer`, `legal_office_lead`: the legal review checks the party (第九条: 当事人基本情况).
 * Not `supervisor` (reads other units' work, acts on none of it), `admin`, `publisher` (publishes
 * the masked public view only), `plan_office`, `calendar_admin`. Another unit: never.
 */
export const PARTY_DATA_ROLES = ['handler', 'head', 'reviewer', 'legal_office_lead'] as const;

export interface PartyViewer {
  unit: string;
  roles: readonly string[];
}

/** Whether this viewer sees a party's data in full: a role that needs it, in a unit that owns the resource. */
export function seesPartyData(viewer: PartyViewer | undefined, owningUnits: readonly string[], roles: readonly string[] = PARTY_DATA_ROLES): boolean {
  if (!viewer || !owningUnits.includes(viewer.unit)) return false;
  return viewer.roles.some((r) => roles.includes(r));
}

/** 210502198807073328 → 210502********3328 (region and the last four kept); short values fully starred. */
export function maskIdNumber(id: string): string {
  return id.length > 10 ? `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}` : '*'.repeat(id.length);
}

/** 13987654321 → 139****4321 (the last four kept, as on a receipt); short values fully starred. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length >= 7 ? `${digits.slice(0, 3)}****${digits.slice(-4)}` : '*'.repeat(phone.length);
}

/** An address is not shown at all. */
export const maskAddress = (_address: string): string => ADDRESS_MASK;

interface PartyLike {
  kind?: string | null;
  name?: string;
  idNumber?: string | null;
  phone?: string | null;
  address?: string | null;
}

/** THE masking of a party: a natural person's (or unknown kind's) identity number, phone and address masked; an organisation as it is. */
export function maskParty<P extends PartyLike>(party: P): P {
  if (party.kind === 'organisation') return party;
  return {
    ...party,
    ...(party.idNumber ? { idNumber: maskIdNumber(party.idNumber) } : {}),
    ...(party.phone ? { phone: maskPhone(party.phone) } : {}),
    ...(party.address ? { address: maskAddress(party.address) } : {}),
  };
}

/** The party as this viewer may see it (see PARTY_DATA_ROLES). */
export function partyAsSeen<P extends PartyLike | null | undefined>(party: P, viewer: PartyViewer | undefined, owningUnits: readonly string[]): P {
  if (!party || seesPartyData(viewer, owningUnits)) return party;
  return maskParty(party as PartyLike) as P;
}

/**
 * The applicant of a correction request (a member of the public, 第三十二条) is a natural person too:
 * the request's contact and text are needed in full by those who decide it, the unit's `publisher`
 * and `head`; everyone else who may read it (a supervisor, the unit's admin) sees them masked.
 */
export const CORRECTION_APPLICANT_ROLES = ['publisher', 'head'] as const;

/** A contact (phone or e-mail): 139****4321, z***@example.com; anything else hidden. */
export function maskContact(contact: string): string {
  const at = contact.indexOf('@');
  if (at > 0) return `${contact[0]}***${contact.slice(at)}`;
  return /\d{7,}/.test(contact.replace(/[\s()+-]/g, '')) ? maskPhone(contact) : '[联系方式已隐去]';
}

/**
 * THE masking of text: each known party's identity number, phone and address replaced by its masked
 * form, then any further identity-card or phone number or address the public masker's recognisers
 * find removed. Names stay.
 */
export function maskPersonalText(text: string, parties: readonly PartyLike[] = []): string {
  let out = text;
  for (const p of parties) {
    if (p.kind === 'organisation') continue;
    const masked = maskParty(p);
    for (const field of ['idNumber', 'phone', 'address'] as const) {
      const value = p[field]?.trim();
      if (value && value.length >= 2) out = out.split(value).join(masked[field] as string);
    }
  }
  return maskText(out, null);
}

/** Text (a stored document, a document title) as this viewer may see it: in full to a viewer who sees party data, else maskPersonalText. */
export function textAsSeen(text: string, viewer: PartyViewer | undefined, owningUnits: readonly string[], parties: readonly PartyLike[] = []): string {
  return seesPartyData(viewer, owningUnits) ? text : maskPersonalText(text, parties);
}
