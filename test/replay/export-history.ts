/**
 * Exports a legal-review workflow's history for the replay test:
 *
 *   TEMPORAL_ADDRESS=localhost:7233 npx tsx test/replay/export-history.ts review-benxi.ybj-<caseNumber> <name>
 *
 * writes test/replay/histories/legal-review-<name>.json. Commit it: from then on every change to the
 * workflow must replay it (guard changed steps with patched()). The time-skipping tests write theirs
 * with RECORD_HISTORIES=1 (test/review/helpers.ts, exportHistoryIfRecording).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJson } from './history-json';

export const HISTORIES_DIR = path.resolve(__dirname, 'histories');

export function writeHistory(name: string, history: Parameters<typeof historyToJson>[0]): string {
  if (!/^[\w-]+$/.test(name)) throw new Error(`history name ${JSON.stringify(name)}: letters, digits, _ and - only`);
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  const file = path.join(HISTORIES_DIR, `legal-review-${name}.json`);
  fs.writeFileSync(file, historyToJson(history) + '\n');
  return file;
}

async function main(): Promise<void> {
  const [workflowId, name] = process.argv.slice(2);
  if (!workflowId || !name) throw new Error('usage: export-history.ts <workflowId> <name>');
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233' });
  try {
    const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    console.log(writeHistory(name, history));
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
