// 公示: WHICH action is allowed WHEN, and why not. One row per action: the statuses it is allowed
// in and its guards (rule id, article, condition). Validators and handlers call `check`; what an
// allowed action DOES is in reducer.ts.
import { DISCLOSURE_RULES } from './rules';
import type { CheckRequest, CorrectRequest, DisclosureState, DisclosureStatus, ResubmitRequest, TakedownRequest } from './types';

export interface Refusal {
  rule: string;
  basis: string;
  message: string;
}

export type DisclosureAction =
  | ({ kind: 'check' } & CheckRequest)
  | ({ kind: 'resubmit' } & ResubmitRequest)
  | ({ kind: 'takedown' } & TakedownRequest)
  | ({ kind: 'correct' } & CorrectRequest);
export type DisclosureActionKind = DisclosureAction['kind'];
type ActionOf<K extends DisclosureActionKind> = Extract<DisclosureAction, { kind: K }>;

interface Guard<A> {
  rule: string;
  basis: string;
  refuses(s: DisclosureState, a: A): string | undefined;
}
export interface Transition<K extends DisclosureActionKind> {
  statuses: readonly DisclosureStatus[];
  /** The refusal for any other status. */
  wrongStatus: { rule: string; basis: string };
  guards: ReadonlyArray<Guard<ActionOf<K>>>;
}

const art = (a: string) => `${DISCLOSURE_RULES} ${a}`;

export const DISCLOSURE_TRANSITIONS: { [K in DisclosureActionKind]: Transition<K> } = {
  check: {
    statuses: ['pending_check'],
    wrongStatus: { rule: 'disclosure.check.not_pending', basis: art('第三十一条') },
    guards: [
      {
        rule: 'disclosure.check.same_person',
        basis: art('第三十一条'),
        refuses: (s, a) => (a.by === s.recordedBy ? `审核人不得是记录该决定的人（${a.by}）：公开前须经内部审核，明确审查的程序和责任` : undefined),
      },
      { rule: 'disclosure.check.reason_required', basis: art('第三十一条'), refuses: (_s, a) => (!a.approve && !a.note.trim() ? '退回须写明理由（note）' : undefined) },
    ],
  },
  resubmit: {
    statuses: ['returned'],
    wrongStatus: { rule: 'disclosure.resubmit.not_returned', basis: art('第三十一条') },
    guards: [],
  },
  correct: {
    statuses: ['pending_check', 'returned', 'published'],
    wrongStatus: { rule: 'disclosure.correct.taken_down', basis: art('第三十二条') },
    guards: [{ rule: 'disclosure.correct.nothing', basis: art('第三十二条'), refuses: (_s, a) => (!a.corrections.content && !a.corrections.result ? '更正须给出更正后的内容或结果' : undefined) }],
  },
  takedown: {
    statuses: ['pending_check', 'returned', 'published'],
    wrongStatus: { rule: 'disclosure.takedown.already_taken_down', basis: art('第二十九条') },
    guards: [{ rule: 'disclosure.takedown.explanation_required', basis: art('第二十九条'), refuses: (_s, a) => (!a.explanation.trim() ? '撤下须作出必要的说明（explanation）' : undefined) }],
  },
};

export const STATUS_NAMES: Record<DisclosureStatus, string> = { pending_check: '待审核', returned: '已退回', published: '已公示', taken_down: '已撤下' };

export function check(s: DisclosureState, a: DisclosureAction): Refusal | undefined {
  const t = DISCLOSURE_TRANSITIONS[a.kind] as Transition<DisclosureActionKind>;
  if (!t.statuses.includes(s.status)) return { ...t.wrongStatus, message: `公示信息当前状态为「${STATUS_NAMES[s.status]}」，不能${a.kind}` };
  for (const g of t.guards as ReadonlyArray<Guard<DisclosureAction>>) {
    const why = g.refuses(s, a);
    if (why) return { rule: g.rule, basis: g.basis, message: why };
  }
  return undefined;
}
