import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { quietSdkLogs } from '../helpers/temporal';
import { HISTORIES_DIR } from './export-history';

/**
 * Reviews and case files run for months, some for years: today's workflow code must replay every
 * stored history (recorded from real runs; see export-history.ts). A failure here means a change
 * needs patched().
 */
describe('replay over stored histories', () => {
  const files = fs.existsSync(HISTORIES_DIR) ? fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort() : [];

  it.each([
    ['legal-review', 5],
    ['case-file', 3],
  ])('has stored %s histories to replay', (kind, atLeast) => {
    expect(files.filter((f) => f.startsWith(`${kind}-`)).length).toBeGreaterThanOrEqual(atLeast);
  });

  it('replays every stored history without nondeterminism', async () => {
    quietSdkLogs();
    const histories = files.map((file) => ({
      workflowId: path.basename(file, '.json'),
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))),
    }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowsPath: require.resolve('../../workflows') }, histories)) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(files.length);
  });
});
