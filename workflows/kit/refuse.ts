import { ApplicationFailure } from '@temporalio/workflow';

/** What a refusal carries to the API: the rule that refused and the legal basis it rests on. */
export interface RefusalDetails {
  rule: string;
  basis: string;
}

/**
 * THE way every process refuses an action: validators throw it (so it never reaches history) and
 * the API's one error mapper answers 409 `{error: message, rule, basis}`.
 */
export function refuse(rule: string, basis: string, message: string): never {
  throw ApplicationFailure.create({ type: rule, message, nonRetryable: true, details: [{ rule, basis } satisfies RefusalDetails] });
}
