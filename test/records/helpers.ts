import type { Pool } from 'pg';

export { eventually } from '../helpers/eventually';

export interface NotificationRow {
  id: string;
  unit_code: string;
  kind: string;
  subject: string;
  body: string;
  idempotency_key: string;
  created_at: Date;
}

/** Notifications whose idempotency key starts with the workflow's ID, oldest first. */
export async function notificationsOf(pool: Pool, workflowId: string): Promise<NotificationRow[]> {
  const { rows } = await pool.query<NotificationRow>(
    `SELECT id, unit_code, kind, subject, body, idempotency_key, created_at FROM notifications
      WHERE starts_with(idempotency_key, $1) ORDER BY created_at, idempotency_key`,
    [`${workflowId}:`],
  );
  return rows;
}

export async function recordActions(pool: Pool, unit: string, caseNumber: string): Promise<string[]> {
  const { rows } = await pool.query<{ action: string }>('SELECT action FROM case_record WHERE unit_code = $1 AND case_number = $2 ORDER BY seq', [unit, caseNumber]);
  return rows.map((r) => r.action);
}
