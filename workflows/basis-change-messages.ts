// The basis change clock's messages, shared by the workflow and the API (which never imports activities).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { BasisChangeState, CompleteBasisChangeRequest } from '../domain/basis-change/process';

export * from '../domain/basis-change/process';

export const basisChangeStateQuery = defineQuery<BasisChangeState>('basisChangeState');
/** The affected pre-disclosure items are updated: stops the clock. */
export const completeBasisChangeUpdate = defineUpdate<BasisChangeState, [CompleteBasisChangeRequest]>('basis_change.complete');
