// The text of an item before masking (第十七条: content and result), from the decision as recorded.
// A checker's or a correction's text replaces it; everything passes the masker (mask.ts) before it
// is shown.
import { ACTION_KIND_NAMES, buildPublicView, type PartyData, type PublicView } from './mask';
import type { ContentCorrections } from './types';

export interface DecisionFacts {
  caseNumber: string;
  kind: string;
  decisionNumber: string | null;
  decidedAt: string | null;
  party: PartyData | null;
  obligation: { kind: 'fine'; amountFen: number } | { kind: 'correction' | 'other'; description: string; dueDate: string } | null;
  matter: string | null;
  /** Stated result (an inspection's conclusion); otherwise derived from the obligation. */
  result?: string;
  unitName: string;
}

const yuan = (fen: number) => `${Math.floor(fen / 100)}${fen % 100 ? `.${String(fen % 100).padStart(2, '0')}` : ''}`;

export function defaultContent(d: DecisionFacts): { content: string; result: string } {
  const kindName = ACTION_KIND_NAMES[d.kind] ?? ACTION_KIND_NAMES.other!;
  const content = d.matter ? d.matter : `${kindName}（案件 ${d.caseNumber}）`;
  const o = d.obligation;
  const result = d.result
    ? d.result
    : !o
    ? `作出${kindName}决定${d.decisionNumber ? ` ${d.decisionNumber}` : ''}`
    : o.kind === 'fine'
      ? `罚款人民币 ${yuan(o.amountFen)} 元`
      : o.kind === 'correction'
        ? `责令改正：${o.description}（期限 ${o.dueDate}）`
        : `${o.description}（期限 ${o.dueDate}）`;
  return { content, result };
}

/** The view exactly as the portal shows it: masked. */
export function publicViewOf(d: DecisionFacts, corrections?: ContentCorrections): PublicView {
  const base = defaultContent(d);
  return buildPublicView({
    party: d.party,
    kind: d.kind,
    content: corrections?.content ?? base.content,
    result: corrections?.result ?? base.result,
    unitName: d.unitName,
    decisionNumber: d.decisionNumber,
    decisionDate: d.decidedAt ? new Date(Date.parse(d.decidedAt) + 8 * 3_600_000).toISOString().slice(0, 10) : null,
  });
}
