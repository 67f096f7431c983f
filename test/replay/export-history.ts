/**
 * Exports a workflow's history for the replay test:
 *
 *   TEMPORAL_ADDRESS=localhost:7233 npx tsx test/replay/export-history.ts <workflowId> <kind> <name>
 *
 * writes test/replay/histories/<release>/<kind>-<name>.json (kind: legal-review, case-file, …;
 * release: HISTORIES_RELEASE, default CURRENT_RELEASE). Commit it: from then on every change to the
 * workflow must replay it (guard changed steps with patched()). A stored history is never
 * regenerated: writing over an existing file is refused. The time-skipping tests write theirs with
 * RECORD_HISTORIES=1 (exportHistoryIfRecording).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const HISTORIES_DIR = path.resolve(__dirname, 'histories');
/** The release whose histories new recordings go to (one folder per release, kept for ever). */
export const CURRENT_RELEASE = 'v1';

export function writeHistory(kind: string, name: string, history: Parameters<typeof historyToJSON>[0]): string {
  const stem = `${kind}-${name}`;
  if (!/^[\w-]+$/.test(stem)) throw new Error(`history name ${JSON.stringify(stem)}: letters, digits, _ and - only`);
  const dir = path.join(HISTORIES_DIR, process.env.HISTORIES_RELEASE ?? CURRENT_RELEASE);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${stem}.json`);
  if (fs.existsSync(file)) throw new Error(`${file} exists: stored histories are never regenerated (record under a new name or release)`);
  fs.writeFileSync(file, JSON.stringify(JSON.parse(historyToJSON(history)), null, 2) + '\n');
  return file;
}

/** With RECORD_HISTORIES=1, a test stores the closed workflow's history for the replay test. */
export async function exportHistoryIfRecording(handle: Pick<WorkflowHandle, 'fetchHistory'>, kind: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  writeHistory(kind, name, await handle.fetchHistory());
}

async function main(): Promise<void> {
  const [workflowId, kind, name] = process.argv.slice(2);
  if (!workflowId || !kind || !name) throw new Error('usage: export-history.ts <workflowId> <kind> <name>');
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233' });
  try {
    const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    console.log(writeHistory(kind, name, history));
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
