// 《重大行政执法决定法制审核意见书》 (本政办发〔2019〕34号 第十三条): pure, rendered in workflow code.
import { formatShanghaiInstant } from '../dates';
import { CHECKLIST_ITEMS, CHECKLIST_LABELS, DECISION_KIND_LABELS, LEGAL_REVIEW_RULES, OPINION_LABELS, type Checklist, type DecisionKind, type OpinionKind } from '../review-rules';
import type { Party } from './types';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface OpinionDocumentInput {
  unit: string;
  unitName: string;
  caseNumber: string;
  title: string;
  decisionKind: DecisionKind;
  party: Party;
  round: number;
  receivedAt: string;
  deadline: string;
  deadlineBasis: string;
  reviewer: { personId: string; name: string | null };
  opinion: { kind: OpinionKind; checklist: Checklist; text: string; at: string; late: boolean };
}

/** 《重大行政执法决定法制审核意见书》 (第十三条) as a self-contained HTML page. */
export function renderOpinionDocument(input: OpinionDocumentInput): { title: string; html: string } {
  const title = `重大行政执法决定法制审核意见书（${input.caseNumber}，第${input.round}次送审）`;
  const rows = CHECKLIST_ITEMS.map((item, i) => {
    const mark = input.opinion.checklist[item];
    return `<tr><td>${i + 1}</td><td>${escapeHtml(CHECKLIST_LABELS[item])}</td><td>${mark.result === 'pass' ? '无问题' : '<strong>存在问题</strong>'}</td><td>${escapeHtml(mark.note)}</td></tr>`;
  }).join('\n');
  const reviewer = input.reviewer.name ? `${input.reviewer.name}（${input.reviewer.personId}）` : input.reviewer.personId;
  const html = `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:serif;max-width:50em;margin:2em auto}table{border-collapse:collapse;width:100%}td,th{border:1px solid #444;padding:.3em .5em;vertical-align:top}</style></head>
<body>
<h1>重大行政执法决定法制审核意见书</h1>
<p>${escapeHtml(input.unitName)} 法制机构</p>
<table>
<tr><th>案号</th><td>${escapeHtml(input.caseNumber)}</td></tr>
<tr><th>案件名称</th><td>${escapeHtml(input.title)}</td></tr>
<tr><th>决定类别</th><td>${escapeHtml(DECISION_KIND_LABELS[input.decisionKind])}</td></tr>
<tr><th>当事人</th><td>${escapeHtml(input.party.name)}（${input.party.kind === 'person' ? '自然人' : '法人或其他组织'}）</td></tr>
<tr><th>送审轮次</th><td>第${input.round}次</td></tr>
<tr><th>收到完整送审材料</th><td>${escapeHtml(formatShanghaiInstant(input.receivedAt))}</td></tr>
<tr><th>审核期限</th><td>${escapeHtml(input.deadline)}（${escapeHtml(input.deadlineBasis)}）</td></tr>
<tr><th>审核人员</th><td>${escapeHtml(reviewer)}</td></tr>
</table>
<h2>审核事项（${LEGAL_REVIEW_RULES} 第十一条）</h2>
<table><tr><th>序号</th><th>审核事项</th><th>结论</th><th>说明</th></tr>
${rows}
</table>
<h2>审核意见（第十三条）</h2>
<p><strong>${escapeHtml(OPINION_LABELS[input.opinion.kind])}</strong></p>
<p>${escapeHtml(input.opinion.text).replace(/\n/g, '<br>')}</p>
<p>审核日期：${escapeHtml(formatShanghaiInstant(input.opinion.at))}${input.opinion.late ? '（超过审核期限）' : ''}</p>
<p>本意见书一式两份：一份由法制机构留存归档，一份连同案卷材料回复承办机构，由承办机构存入执法案卷。</p>
</body></html>
`;
  return { title, html };
}
