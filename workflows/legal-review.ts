// 法制审核 of one major decision (本政办发〔2019〕34号), id review-<unit>-<caseNumber>. A thin shell on
// the process kit: validators = the transition table's guards, handlers = one reducer step under
// the kit's mutex, the main loop = the round's clock, and continue-as-new when the run is due.
import type { UpdateDefinition } from '@temporalio/common';
import { condition, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createReviewActivities } from '../activities/reviews';
import { renderOpinionDocument } from '../domain/legal-review/opinion-document';
import { deadlineRequest, decide, isLate, type ReviewAction, type ReviewEffect } from '../domain/legal-review/reducer';
import { currentRound, details, initialState, isFinal, projection, view, type ReviewState } from '../domain/legal-review/state';
import { check, type ActionArgs, type ActionName } from '../domain/legal-review/transitions';
import type { Party } from '../domain/legal-review/types';
import {
  addMaterialsUpdate,
  assignReviewerUpdate,
  decideDisputeUpdate,
  decideExtensionUpdate,
  declareRecusalUpdate,
  disputeUpdate,
  orderRecusalUpdate,
  giveOpinionUpdate,
  pingUpdate,
  participantViewUpdate,
  recordDecisionUpdate,
  requestExtensionUpdate,
  resubmitUpdate,
  requestMaterialsUpdate,
  reviewStateQuery,
  withdrawUpdate,
  type LegalReviewInput,
  type ReviewView,
} from './legal-review-messages';
import { DB_ACTIVITY } from './kit/activity-options';
import type { ClockHooks } from './kit/clock';
import { ProcessKit, type KitCarry } from './kit/process';
import { refuse } from './kit/refuse';

export * from './legal-review-messages';

const reviews = proxyActivities<ReturnType<typeof createReviewActivities>>(DB_ACTIVITY);
/**
 * Issue 15 (actions p99): a caller's step (an Update) is written by ONE activity, commitReviewStep
 * (record entries, projection, first-penalty flag, notices into the delivery outbox), instead of
 * one activity per write and a notify activity per notice, each costing a server round trip and a
 * workflow task: the assignment now waits for 2 workflow tasks and 1 activity (was 3 and 2, plus a
 * notify and its workflow task behind it), the opinion for 3 and 2 (was 7 and 6). Regular
 * activities, not local ones: an Update is accepted only when its workflow task completes, and a
 * local activity writes before that, so a lost workflow task would leave a written entry whose key
 * the retried step takes again with another workflow time (a reused key with other content:
 * refused). The inputs of a scheduled activity are in history before it runs. Histories recorded
 * before this wrote each effect with its own activity, and replay with them.
 */
const ONE_ACTIVITY_STEPS = 'action-steps-one-activity';
/** How a step writes: `combined` = the whole step in one activity (commitReviewStep). */
interface EffectOptions {
  combined?: boolean;
}

/** What a run hands to the next (continue-as-new). */
export interface LegalReviewCarry {
  state: ReviewState;
  kit: KitCarry;
  /** Tests lower the limits to see continue-as-new. */
  limits?: { maxHistoryEvents?: number; maxRunAgeMs?: number };
}

export async function legalReviewWorkflow(input: LegalReviewInput, carried?: LegalReviewCarry): Promise<ReviewView> {
  const { workflowId } = workflowInfo();
  const now = () => new Date().toISOString();
  const kit = new ProcessKit({
    unit: input.unit,
    caseNumber: input.caseNumber,
    link: { workflowId, caseNumber: input.caseNumber, path: `/api/reviews/${input.reviewId}` },
    carry: carried?.kit,
    ...carried?.limits,
  });
  let state: ReviewState = carried?.state ?? initialState(input, workflowId, { unitName: input.unit, supervisorUnit: null });

  /** One step: decide, run the effects in order (record, project; notices are not awaited), then adopt the state. */
  async function step(action: ReviewAction, how: EffectOptions = {}): Promise<ReviewState> {
    const { state: next, effects } = decide(state, action, now());
    if (how.combined) await commitStep(effects, next);
    else for (const effect of effects) await run(effect, next);
    state = next;
    kit.showState(state.status, details(state));
    return state;
  }
  async function run(effect: ReviewEffect, next: ReviewState): Promise<void> {
    switch (effect.type) {
      case 'record': {
        const { type: _t, ...entry } = effect;
        await kit.record(entry);
        return;
      }
      case 'project':
        await reviews.projectReview(projection(next));
        return;
      case 'notify':
        kit.notify(effect.notice, effect.label);
        return;
      case 'notePenaltyReviewed':
        await reviews.notePenaltyReviewed({ personId: effect.personId });
        return;
    }
  }
  /**
   * A caller's step in one activity: the record entries, the projection, the first-penalty flag
   * and the notices (stored in the delivery outbox; delivered later by the dispatcher), with their
   * keys taken in the effects' order.
   */
  async function commitStep(effects: ReviewEffect[], next: ReviewState): Promise<void> {
    const records: ReturnType<typeof kit.recordInput>[] = [];
    const notices: ReturnType<typeof kit.noticeInput>[] = [];
    let project = false;
    let penaltyReviewedBy: string | undefined;
    for (const effect of effects) {
      if (effect.type === 'record') {
        const { type: _t, ...entry } = effect;
        records.push(kit.recordInput(entry));
      } else if (effect.type === 'project') project = true;
      else if (effect.type === 'notify') notices.push(kit.noticeInput(effect.notice, effect.label));
      else penaltyReviewedBy = effect.personId;
    }
    await reviews.commitReviewStep({ records, projection: project ? projection(next) : undefined, penaltyReviewedBy, notices });
  }

  // ---- Updates: validator = the transition table; handler = one step under the mutex ----

  const validate = <A extends ActionName>(type: A, args: ActionArgs[A]) => {
    const refusal = check(state, type, args, now());
    if (refusal) refuse(refusal.rule, refusal.basis, refusal.message);
  };
  function handle<A extends ActionName>(
    update: UpdateDefinition<ReviewView, [ActionArgs[A]]>,
    type: A,
    prepare: (args: ActionArgs[A]) => Promise<object> = async () => ({}),
    after?: () => Promise<void>,
  ): void {
    setHandler(
      update,
      async (args) => {
        await kit.exclusive(async () => {
          // The state is taken here, at entry (re-checked: another action may have run since the
          // validator accepted this one); nothing else runs until this step is recorded.
          validate(type, args);
          // Asked at every action (never remembered): a run recorded before the patch replays its
          // earlier actions with one activity per effect and combines from the first action after it.
          const how: EffectOptions = { combined: patched(ONE_ACTIVITY_STEPS) };
          await step({ ...args, ...(await prepare(args)), type } as ReviewAction, how);
        });
        await after?.();
        return view(state);
      },
      { validator: (args) => validate(type, args) },
    );
  }

  /** When a step completed a submission, wait (outside the lock) for the main loop to start its clock. */
  const untilClockStarted = async () => {
    await condition(() => currentRound(state).deadline !== null || currentRound(state).missing.length > 0 || isFinal(state) || kit.continueAsNewDue());
  };

  setHandler(reviewStateQuery, () => view(state));
  setHandler(pingUpdate, () => state.revision);
  handle(addMaterialsUpdate, 'addMaterials', undefined, untilClockStarted);
  handle(assignReviewerUpdate, 'assignReviewer');
  handle(declareRecusalUpdate, 'declareRecusal');
  handle(orderRecusalUpdate, 'orderRecusal');
  handle(requestExtensionUpdate, 'requestExtension');
  handle(decideExtensionUpdate, 'decideExtension', async ({ approve }) => {
    if (!approve || !kit.clock) return {};
    // The clock re-times itself (a new generation) and the extension's own entry records the result.
    const schedule = await kit.clock.retime(deadlineRequest(state, currentRound(state), true));
    return { schedule, level: kit.clock.level };
  });
  handle(giveOpinionUpdate, 'giveOpinion', async ({ by, kind, checklist, text }) => {
    const round = currentRound(state);
    const at = now();
    const facts = {
      unit: input.unit,
      unitName: state.context.unitName,
      caseNumber: input.caseNumber,
      title: input.title,
      decisionKind: input.decisionKind,
      round: round.round,
      receivedAt: round.receivedAt!,
      deadline: round.deadline!,
      deadlineBasis: round.deadlineBasis ?? '',
      reviewer: { personId: by, name: state.reviewer?.name ?? null },
      opinion: { kind, checklist, text, at, late: isLate(round, at) },
    };
    const label = `r${round.round}:opinion-document`;
    // Issue 14: the document names the party, so it is rendered in an activity that reads the party
    // from Postgres; v1 histories rendered it here (their input carried the whole party).
    if (patched('opinion-document-in-activity')) {
      const document = await reviews.storeOpinionDocument({ ...facts, reviewId: input.reviewId, idempotencyKey: kit.key(label) });
      return { document };
    }
    const rendered = renderOpinionDocument({ ...facts, party: input.party as Party });
    const document = await kit.storeDocument({ kind: 'review_opinion', title: rendered.title, contentType: 'text/html; charset=utf-8', content: rendered.html }, label);
    return { document };
  });
  handle(resubmitUpdate, 'resubmit', undefined, untilClockStarted);
  handle(disputeUpdate, 'dispute');
  handle(decideDisputeUpdate, 'decideDispute');
  handle(withdrawUpdate, 'withdraw');
  handle(requestMaterialsUpdate, 'requestMaterials');
  handle(participantViewUpdate, 'participantView');
  handle(recordDecisionUpdate, 'recordDecision');

  // ---- The clock's milestones: steps like the handlers', one at a time with them ----

  const hooks: ClockHooks = kit.hooked({
    onYellow: async (schedule, tag) => void (await step({ type: 'yellow', schedule, tag })),
    onLastDay: async (schedule, tag) => void (await step({ type: 'lastDay', schedule, tag })),
    onOverdue: async (schedule, tag) => void (await step({ type: 'overdue', schedule, tag })),
    onChange: async ({ before, after, reason }, tag) => void (await step({ type: 'deadlineChanged', before, after, reason, tag, level: kit.clock?.level ?? 'none' })),
  });
  const locked = (action: ReviewAction) => kit.persist(action.type, () => step(action));

  // ---- The process ----

  if (!carried) {
    state = { ...state, context: await reviews.loadReviewContext({ unit: input.unit }) };
    await kit.persist('submitted', () => step({ type: 'submitted' }));
  }
  kit.initialised();

  const retire = () => kit.continueAsNewDue();
  let clockRestored = false;
  const roundIs = (n: number) => () => currentRound(state).round !== n || isFinal(state);
  while (!isFinal(state)) {
    if (retire()) {
      return kit.continueAsNew<typeof legalReviewWorkflow>(() => [input, { state, kit: kit.carry(), limits: carried?.limits }]);
    }
    const round = currentRound(state);
    if (round.missing.length > 0) {
      if (state.missingToldForRound !== round.round || state.status !== 'awaiting_materials') await locked({ type: 'materialsMissing' });
      await condition(() => currentRound(state).missing.length === 0 || roundIs(round.round)() || retire(), kit.msUntilRetirement());
      continue;
    }
    if (round.opinion === null) {
      if (!kit.clock) {
        // The earlier run's clock continues (only the first clock of a run can be a carried one).
        const carriedClock = round.deadline && !clockRestored ? kit.carriedClock : undefined;
        clockRestored = true;
        const clock = kit.startClock(deadlineRequest(state, round, false), hooks, carriedClock);
        const schedule = await kit.persist('deadline', () => clock.start());
        if (!round.deadline && !isFinal(state)) await locked({ type: 'clockStarted', schedule });
      }
      const stop = () => currentRound(state).opinion !== null || roundIs(round.round)();
      await kit.clock!.waitUntil(stop, retire, kit.msUntilRetirement());
      if (!stop()) continue; // paused: the run continues as new with its clock
      kit.stopClock();
      await locked({ type: 'clockStopped' });
      continue;
    }
    // Returned: the handler resubmits (a new round) or disputes; the head may overrule.
    await condition(() => roundIs(round.round)() || retire(), kit.msUntilRetirement());
  }
  if (kit.clock) {
    kit.stopClock();
    await locked({ type: 'clockStopped' });
  }
  await kit.settled();
  // The quiet point: everything of the review is recorded. v1 histories completed here; from now a
  // passed or overruled review stays open for its decision (recordDecision: validated against the
  // opinion's time and the reviewed draft, recorded in the case record after the opinion and both
  // 意见书 copies by construction, under the same mutex), then completes. A decision that never
  // comes costs no history: the wait is one timer per run, and the run continues as new at its age.
  if (state.status !== 'withdrawn' && !state.decision && patched('decision-through-review')) {
    await condition(() => state.decision !== undefined || retire(), kit.msUntilRetirement());
    if (!state.decision) {
      return kit.continueAsNew<typeof legalReviewWorkflow>(() => [input, { state, kit: kit.carry(), limits: carried?.limits }]);
    }
    await kit.settled();
  }
  return view(state);
}
