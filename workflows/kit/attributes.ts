import type { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';

type Value = string | boolean | number | Date | null;
export type AttributeUpdate = [SearchAttributeKey<SearchAttributeType>, Value];

const same = (a: unknown, b: Value): boolean => {
  if (b === null) return a === undefined || a === null;
  if (b instanceof Date) return a instanceof Date ? a.getTime() === b.getTime() : typeof a === 'string' && Date.parse(a) === b.getTime();
  return a === b;
};

/**
 * Upserts only the search attributes whose value actually changes (compared with what the
 * workflow has now, which survives continue-as-new), so history holds no repeated upserts.
 * `null` removes an attribute.
 */
export function showAttributes(updates: AttributeUpdate[]): void {
  const current = workflowInfo().typedSearchAttributes;
  const changed = updates.filter(([key, value]) => !same(current.get(key), value));
  if (changed.length === 0) return;
  upsertSearchAttributes(changed.map(([key, value]) => ({ key, value }) as never));
}
