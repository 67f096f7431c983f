import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { quietSdkLogs } from '../helpers/temporal';
import { HISTORIES_DIR } from './export-history';
import { historyFromJson } from './history-json';

/**
 * Legal reviews run for months, some for years: today's workflow code must replay every stored
 * history (recorded from real runs; see export-history.ts). A failure here means a change needs
 * patched().
 */
describe('legal-review replay over stored histories', () => {
  const files = fs.existsSync(HISTORIES_DIR) ? fs.readdirSync(HISTORIES_DIR).filter((f) => /^legal-review-.+\.json$/.test(f)).sort() : [];

  it('has stored histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it('replays every stored history without nondeterminism', async () => {
    quietSdkLogs();
    const histories = files.map((file) => ({
      workflowId: path.basename(file, '.json'),
      history: historyFromJson(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))),
    }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: require.resolve('../../workflows') }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
