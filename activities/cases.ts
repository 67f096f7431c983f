import type { CaseFileProjection } from '../domain/case-file/types';
import { CaseStore } from '../infra/case-store';
import type { ActivityDeps } from './index';
import { permanentUnlessTransient } from './records';

/** Activities of the case file that only it uses. */
export function createCaseActivities({ pool }: Pick<ActivityDeps, 'pool'>) {
  const store = new CaseStore(pool);
  return {
    /** Called on every change of a case file: the `cases` row follows the newest run's state. */
    async projectCaseFile(projection: CaseFileProjection): Promise<{ applied: boolean }> {
      try {
        return await store.project(projection);
      } catch (err) {
        return permanentUnlessTransient(err);
      }
    },
  };
}
