// The daily tamper-evidence anchor (issue 14; schedule `daily-anchor`, 00:15 Asia/Shanghai): a
// Merkle root over every case record's head, draw and disclosure publication, stored once per date,
// shown on the portal (GET /public/anchors) and sent to every supervising unit, i.e. copied
// outside the database. No personal data: the root, counts and keys' discrepancies only.
import { proxyActivities } from '@temporalio/workflow';
import type { createAnchorActivities } from '../activities/anchors';
import { tell } from './shared/record-and-notify';

const anchors = proxyActivities<ReturnType<typeof createAnchorActivities>>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumInterval: '1 minute', maximumAttempts: 20 },
});

export interface AnchorInput {
  /** The moment the anchor is for; a scheduled run leaves it out (now). */
  at?: string;
}

export async function anchorWorkflow(input: AnchorInput = {}): Promise<{ date: string; root: string; leafCount: number; told: string[]; discrepancies: number }> {
  const { anchor, supervisors } = await anchors.publishAnchor({ at: input.at ?? new Date().toISOString() });
  const problems = anchor.discrepancies.length;
  await Promise.all(
    supervisors.map((unit) =>
      tell({
        idempotencyKey: `anchor:${anchor.date}:${unit}`,
        unit,
        kind: problems ? 'escalation' : 'info',
        subject: `执法全过程记录每日存证 ${anchor.date}：根哈希 ${anchor.root}${problems ? `；${problems} 个案件记录与已存证状态不符` : ''}`,
        body: [
          `日期：${anchor.date}`,
          `Merkle 根（SHA-256）：${anchor.root}`,
          `叶子：${anchor.leafCount}（案件记录 ${anchor.cases}，抽查 ${anchor.draws}，公示 ${anchor.disclosures}）`,
          '请留存本通知：日后可据此核对 GET /public/anchors/' + anchor.date + ' 与各案件 verify 结果。',
          ...(problems ? ['与已存证状态不符的案件记录：', ...anchor.discrepancies.slice(0, 50).map((d) => `${d.key}：存证 ${d.anchoredSeq} 条，现 ${d.currentSeq ?? 0} 条（${d.problem === 'rewritten' ? '已存证的记录被改写' : '记录尾部被删除'}）`)] : []),
        ].join('\n'),
        link: { path: `/public/anchors/${anchor.date}` },
      }),
    ),
  );
  return { date: anchor.date, root: anchor.root, leafCount: anchor.leafCount, told: supervisors, discrepancies: problems };
}
