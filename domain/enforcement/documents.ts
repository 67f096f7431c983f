// The documents of enforcement: 催告书 (行政强制法 第三十五条), 代履行催告书 (第五十一条) and
// 强制执行决定书 (第三十七条). Rendered in the activity that stores them (the party's data is read from
// Postgres there and never passes through the workflow).
import { STATUTES, LATE_PAYMENT_SURCHARGE } from '../statutes';
import { yuan } from './money';
import type { EnforcementState } from './types';

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface Party {
  kind: 'person' | 'organisation';
  name: string;
  idNumber?: string;
  phone?: string;
  address?: string;
}

export interface DocumentFacts {
  kind: 'demand' | 'substitute_demand' | 'enforcement_decision';
  /** The state's facts the document states, as of `asOf` (a date fixed by the workflow: retries render the same text). */
  view: Pick<EnforcementState, 'caseNumber' | 'decisionNumber' | 'obligation' | 'performanceLastDay'>;
  asOf: string;
  amountDueFen?: number;
  surchargeFen?: number;
  performWithinDays?: number;
  decision?: { method: string; executeAt: string; immediate?: boolean; emergency?: string };
  unitName: string;
}

const METHODS: Record<string, string> = {
  surcharge: '加处罚款',
  transfer_deposits: '划拨存款、汇款',
  auction: '拍卖或者依法处理查封、扣押的场所、设施或者财物',
  remove_obstruction: '排除妨碍、恢复原状',
  substitute_performance: '代履行',
  other: '其他强制执行方式',
};

export function renderEnforcementDocument(f: DocumentFacts, party: Party): { title: string; html: string } {
  const o = f.view.obligation;
  const obligation = o.kind === 'fine' ? `缴纳罚款 ${yuan(o.amountFen)} 元` : esc(o.description);
  const title = { demand: '催告书', substitute_demand: '代履行催告书', enforcement_decision: '强制执行决定书' }[f.kind];
  const lines: string[] = [`<p>当事人：${esc(party.name)}${party.idNumber ? `（${party.kind === 'person' ? '身份证号' : '统一社会信用代码'} ${esc(party.idNumber)}）` : ''}${party.address ? `，住所 ${esc(party.address)}` : ''}</p>`];
  lines.push(`<p>本机关于 ${esc(f.view.decisionNumber)} 决定（案件 ${esc(f.view.caseNumber)}）要求你（单位）${obligation}，履行期限至 ${f.view.performanceLastDay ?? ''}，你（单位）至今未履行。</p>`);
  if (f.kind !== 'enforcement_decision') {
    const days = f.performWithinDays ?? 10;
    lines.push(`<p>根据《中华人民共和国行政强制法》第三十五条${f.kind === 'substitute_demand' ? '、第五十一条' : ''}，现催告你（单位）自本催告书送达之日起 ${days} 个工作日内履行上述义务。</p>`);
    if (o.kind === 'fine') {
      lines.push(`<p>截至 ${f.asOf}，应缴金额 ${yuan(f.amountDueFen ?? o.amountFen)} 元（其中加处罚款 ${yuan(f.surchargeFen ?? 0)} 元）。到期不缴纳罚款的，每日按罚款数额的百分之${LATE_PAYMENT_SURCHARGE.percentPerDay}加处罚款，加处罚款总额不超过罚款数额（${LATE_PAYMENT_SURCHARGE.source}）。请持本催告书到指定银行或者通过电子支付系统缴纳。</p>`);
    }
    if (f.kind === 'substitute_demand') lines.push('<p>逾期仍不履行的，本机关将依法代履行，代履行费用由你（单位）承担；你（单位）在此期间履行的，停止代履行。</p>');
    lines.push('<p>你（单位）有权进行陈述和申辩。本机关将记录、复核你（单位）提出的事实、理由和证据；成立的，予以采纳（《中华人民共和国行政强制法》第三十六条）。</p>');
  } else {
    const d = f.decision!;
    lines.push(`<p>本机关已依法催告，你（单位）在催告期限内无正当理由仍未履行${d.immediate ? '（有证据证明有转移或者隐匿财物迹象，决定立即强制执行）' : ''}。根据《中华人民共和国行政强制法》第三十七条，决定：</p>`);
    lines.push(`<p>强制执行方式：${METHODS[d.method] ?? esc(d.method)}；执行时间：${esc(d.executeAt)}${d.emergency ? `（情况紧急：${esc(d.emergency)}）` : ''}。</p>`);
    if (o.kind === 'fine') lines.push(`<p>截至 ${f.asOf}，应缴金额 ${yuan(f.amountDueFen ?? o.amountFen)} 元（其中加处罚款 ${yuan(f.surchargeFen ?? 0)} 元）。</p>`);
    lines.push(`<p>如不服本决定，可以自收到本决定书之日起六十日内申请行政复议（${STATUTES.reconsiderationPeriod.source}），或者六个月内依法提起行政诉讼（${STATUTES.lawsuitPeriod.source}）。</p>`);
  }
  lines.push(`<p style="text-align:right">${esc(f.unitName)}<br>${f.asOf}</p>`);
  const html = `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${title}</title></head>
<body><h1>${title}</h1>
${lines.join('\n')}
</body></html>
`;
  return { title, html };
}
