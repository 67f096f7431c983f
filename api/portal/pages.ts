/** The portal's pages (Chinese). Inputs are the store's public shapes only: no personal data beyond the masked view. */
import { COUNT_CAP } from '../../infra/search-index';
import {
  DISCLOSURE_KINDS,
  KIND_LABELS,
  type AnnualFigures,
  type PreDisclosure,
  type PublicItem,
  type PublicUnit,
  type PublishedStatistics,
  type SearchResult,
} from '../../infra/portal-store';
import { barChart, html, layout, qs, raw, type Raw } from './html';

const JURISDICTIONS: Record<string, string> = { benxi: '本溪市', jinzhou: '锦州市', luzhou: '长治市潞州区' };
const kindLabel = (k: string) => KIND_LABELS[k as keyof typeof KIND_LABELS] ?? k;
/** YYYY-MM-DD in Asia/Shanghai. */
export const day = (iso: string | null | undefined) => (iso ? new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(0, 10) : '');

export interface SearchPageInput {
  q: string;
  unit: string;
  kind: string;
  page: number;
  units: PublicUnit[];
  result: SearchResult;
}

function unitOptions(units: PublicUnit[], selected: string): Raw {
  const groups = new Map<string, PublicUnit[]>();
  for (const u of units) groups.set(u.jurisdiction ?? '', [...(groups.get(u.jurisdiction ?? '') ?? []), u]);
  return html`${[...groups].map(
    ([j, us]) => html`<optgroup label="${JURISDICTIONS[j] ?? j}">${us.map((u) => html`<option value="${u.code}"${u.code === selected ? raw(' selected') : ''}>${u.name}</option>`)}</optgroup>`,
  )}`;
}

function searchForm(input: { q: string; unit: string; kind: string; units: PublicUnit[] }): Raw {
  return html`<form class="search" method="get" action="/portal" role="search">
<input type="search" name="q" value="${input.q}" placeholder="输入当事人、内容或文号中的任意文字，如“大药房”" aria-label="关键词" maxlength="100">
<select name="unit" aria-label="执法主体"><option value="">全部执法主体</option>${unitOptions(input.units, input.unit)}</select>
<select name="kind" aria-label="类别"><option value="">全部类别</option>${DISCLOSURE_KINDS.map((k) => html`<option value="${k}"${k === input.kind ? raw(' selected') : ''}>${KIND_LABELS[k]}</option>`)}</select>
<button type="submit">查询</button></form>`;
}

function resultItem(item: PublicItem, units: Map<string, PublicUnit>): Raw {
  const unitName = item.unitName ?? units.get(item.unit)?.name ?? item.unit;
  return html`<li><div><a class="tag" href="/portal${qs({ kind: item.kind })}">${kindLabel(item.kind)}</a><a href="/portal/items/${item.id}">${item.party ?? '（无当事人）'} · ${item.actionKind ?? ''}</a></div>
<div>${item.content ?? ''}</div>
<div class="meta"><a href="/portal${qs({ unit: item.unit })}">${unitName}</a> · ${item.decisionNumber ?? ''} · 决定日期 ${item.decisionDate ?? ''} · 公示日期 ${day(item.publishedAt)}</div></li>`;
}

export function searchPage(input: SearchPageInput): string {
  const { result } = input;
  const units = new Map(input.units.map((u) => [u.code, u]));
  const lastPage = Math.max(1, Math.ceil(result.total / result.pageSize));
  const link = (page: number) => `/portal${qs({ q: input.q, unit: input.unit, kind: input.kind, page: page > 1 ? page : undefined })}`;
  const countText = result.totalCapped ? `找到超过 ${COUNT_CAP} 条公示信息，请缩小查询范围` : `找到 ${result.total} 条公示信息`;
  const hasNext = result.totalCapped ? result.items.length === result.pageSize : input.page < lastPage;
  const body = html`<h1>行政执法公示查询</h1>${searchForm(input)}
<p class="count" id="count">${countText}${input.page > 1 ? `（第 ${input.page} 页）` : ''}</p>
${result.items.length ? html`<ol class="results">${result.items.map((i) => resultItem(i, units))}</ol>` : html`<p class="empty">没有符合条件的公示信息。</p>`}
<nav class="pages" aria-label="分页">${input.page > 1 ? html`<a href="${link(input.page - 1)}" rel="prev">上一页</a>` : ''}<span>第 ${input.page} 页</span>${hasNext ? html`<a href="${link(input.page + 1)}" rel="next">下一页</a>` : ''}</nav>
<p class="meta"><a href="/public/disclosures.csv${qs({ q: input.q, unit: input.unit, kind: input.kind })}">下载本次查询结果（CSV）</a> · <a href="/public/disclosures.json${qs({ q: input.q, unit: input.unit, kind: input.kind })}">JSON</a> · <a href="/portal/feed.atom">订阅最新公示（Atom）</a></p>`;
  return layout(input.q ? `“${input.q}”的查询结果` : '公示查询', body, { feed: true });
}

export function itemPage(item: PublicItem, unit: PublicUnit | null): string {
  const body = html`<p><a href="/portal">← 返回查询</a></p><h1>${kindLabel(item.kind)}决定公示</h1>
<dl class="item">
<dt>执法对象</dt><dd id="party">${item.party ?? ''}</dd>
<dt>执法类别</dt><dd><a href="/portal${qs({ kind: item.kind })}">${kindLabel(item.kind)}</a>${item.actionKind ? ` · ${item.actionKind}` : ''}</dd>
<dt>执法内容</dt><dd>${item.content ?? ''}</dd>
<dt>执法结果</dt><dd>${item.result ?? ''}</dd>
<dt>执法主体</dt><dd><a href="/portal/units/${item.unit}">${item.unitName ?? unit?.name ?? item.unit}</a></dd>
<dt>决定文号</dt><dd>${item.decisionNumber ?? ''}</dd>
<dt>决定日期</dt><dd>${item.decisionDate ?? ''}</dd>
<dt>公示日期</dt><dd>${day(item.publishedAt)}</dd>
${item.takedownAt ? html`<dt>公示期限</dt><dd>至 ${day(item.takedownAt)}</dd>` : ''}
</dl>
<p>认为公示信息不准确？<a href="/portal/corrections/new${qs({ item: item.id })}">申请更正</a>（须提供相关证据，《本溪市行政执法公示办法》第三十二条）</p>`;
  return layout(`${item.party ?? ''} ${kindLabel(item.kind)}决定公示`, body);
}

export function takenDownPage(t: { reasonLabel: string; explanation: string; takenDownAt: string | null }): string {
  const body = html`<p><a href="/portal">← 返回查询</a></p><h1>该公示信息已撤下</h1>
<div class="notice"><p>撤下原因：<span id="reason">${t.reasonLabel}</span></p><p>说明：<span id="explanation">${t.explanation}</span></p>${t.takenDownAt ? html`<p>撤下日期：${day(t.takenDownAt)}</p>` : ''}</div>`;
  return layout('公示信息已撤下', body);
}

export function notFoundPage(message = '未找到该公示信息。'): string {
  return layout('未找到', html`<h1>未找到</h1><p class="empty">${message}</p><p><a href="/portal">返回公示查询</a></p>`);
}

export function unitsPage(units: PublicUnit[]): string {
  const groups = new Map<string, PublicUnit[]>();
  for (const u of units) groups.set(u.jurisdiction ?? '', [...(groups.get(u.jurisdiction ?? '') ?? []), u]);
  const body = html`<h1>执法主体</h1>${[...groups].map(
    ([j, us]) => html`<h2>${JURISDICTIONS[j] ?? j}</h2><ul>${us.map((u) => html`<li><a href="/portal/units/${u.code}">${u.name}</a></li>`)}</ul>`,
  )}`;
  return layout('执法主体', body);
}

const emptyRow = (cols: number) => html`<tr><td colspan="${cols}" class="empty">暂无</td></tr>`;

export function unitPage(unit: PublicUnit, pre: PreDisclosure, stats: PublishedStatistics[]): string {
  const body = html`<h1>${unit.name}</h1>
<p><a href="/portal${qs({ unit: unit.code })}">查看本单位的执法决定公示</a>${stats.length ? html` · 年度统计：${stats.map((s) => html`<a href="/portal/units/${unit.code}/statistics/${s.year}">${s.year}年</a> `)}` : ''}</p>
<h2>执法人员（第七条）</h2>
<table id="officers"><thead><tr><th>姓名</th><th>职务</th><th>执法类别</th><th>执法区域</th><th>有效期</th><th>执法证号</th></tr></thead><tbody>
${pre.officers.length ? pre.officers.map((o) => html`<tr><td>${o.name}</td><td>${o.post}</td><td>${o.category}</td><td>${o.area}</td><td>${o.validFrom ?? ''} 至 ${o.validUntil ?? ''}</td><td>${o.certificateNumber}</td></tr>`) : emptyRow(6)}
</tbody></table>
<h2>权责清单（执法依据、职权、程序、救济，第八至十一条）</h2>
<table id="powers"><thead><tr><th>事项</th><th>依据</th><th>职权类别</th><th>程序</th><th>救济途径</th></tr></thead><tbody>
${pre.powers.length ? pre.powers.map((m) => html`<tr><td>${m.title}</td><td>${m.basis}</td><td>${m.details.power ?? ''}</td><td>${m.details.procedure ?? ''}</td><td>${m.details.remedies ?? ''}</td></tr>`) : emptyRow(5)}
</tbody></table>
<h2>随机抽查事项清单（第十二条）</h2>
<table id="inspections"><thead><tr><th>抽查事项</th><th>依据</th><th>抽查对象</th><th>抽查方式</th><th>抽查比例和频次</th></tr></thead><tbody>
${pre.randomInspections.length ? pre.randomInspections.map((m) => html`<tr><td>${m.title}</td><td>${m.basis}</td><td>${m.details.object ?? ''}</td><td>${m.details.method ?? ''}</td><td>${m.details.frequency ?? ''}</td></tr>`) : emptyRow(5)}
</tbody></table>
<h2>投诉举报（第十三条）</h2>
<table id="contacts"><thead><tr><th>方式</th><th>联系方式</th><th>受理时间</th></tr></thead><tbody>
${pre.complaintContacts.length ? pre.complaintContacts.map((c) => html`<tr><td>${c.channel}</td><td>${c.value}</td><td>${c.hours ?? ''}</td></tr>`) : emptyRow(3)}
</tbody></table>
${pre.openBasisChanges.length ? html`<h2>依据调整（第二十六条）</h2><ul>${pre.openBasisChanges.map((c) => html`<li>${c.effectiveOn} 起：${c.description}（相关公开内容于 ${c.lastDay} 前更新）</li>`)}</ul>` : ''}
<p class="meta">${pre.updatedAt ? `事前公开内容更新于 ${day(pre.updatedAt)}` : ''}</p>`;
  return layout(unit.name, body);
}

const yuan = (fen: number) => `${(fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} 元`;

export function statisticsPage(unit: PublicUnit, s: PublishedStatistics): string {
  const f: AnnualFigures = s.figures;
  const body = html`<p><a href="/portal/units/${unit.code}">← ${unit.name}</a></p><h1>${unit.name} ${s.year} 年度行政执法数据</h1>
<p class="meta">发布日期 ${day(s.publishedAt)}（锦政办发〔2019〕23号 (一)4(5)：每年1月31日前公开上年度行政执法总体情况）</p>
${barChart('执法决定（按类别）', DISCLOSURE_KINDS.map((k) => ({ label: KIND_LABELS[k], value: f.decisionsByKind[k] ?? 0 })))}
<table><tr><th>行政处罚决定</th><td id="penalties">${f.penalties.count} 件</td><th>罚款总额</th><td id="fines">${yuan(f.penalties.fineTotalFen)}</td></tr>
<tr><th>法制审核</th><td>${f.reviews.count} 件</td><th>超期审核</th><td>${f.reviews.overdue} 件</td></tr>
<tr><th>强制执行</th><td>${f.enforcements.count} 件</td><th>更正申请</th><td>${f.corrections.requested} 件（更正 ${f.corrections.corrected}，驳回 ${f.corrections.rejected}，办理中 ${f.corrections.pending}）</td></tr></table>
${barChart('执法决定公示', [
  { label: '按时公示', value: f.disclosures.onTime },
  { label: '逾期公示', value: f.disclosures.late },
  { label: '应公示未公示', value: f.disclosures.unpublishedOverdue },
])}
${Object.keys(f.enforcements.byStage).length ? barChart('强制执行（按阶段）', Object.entries(f.enforcements.byStage).map(([k, v]) => ({ label: k, value: v }))) : ''}`;
  return layout(`${unit.name} ${s.year} 年度统计`, body);
}

export function correctionFormPage(item: PublicItem | null, itemId: string): string {
  const body = html`<p><a href="${item ? `/portal/items/${item.id}` : '/portal'}">← 返回</a></p><h1>公示信息更正申请</h1>
<p>依据《本溪市行政执法公示办法》第三十二条，公民、法人或者其他组织有证据证明公示信息不准确的，可以申请更正。行政执法机关核实后告知处理结果、理由及投诉途径。</p>
${item ? html`<p>申请更正的公示信息：<strong>${item.party ?? ''}</strong> · ${item.decisionNumber ?? ''}（${item.unitName ?? item.unit}）</p>` : html`<p class="notice">未指定公示信息，请从公示信息页面进入。</p>`}
<form class="correction" id="correction" method="post" action="/public/corrections">
<input type="hidden" name="disclosureId" value="${itemId}">
<label for="request">需要更正的内容及理由</label><textarea id="request" name="request" rows="5" required maxlength="2000"></textarea>
<label for="evidence">证据说明（证据名称、来源）</label><textarea id="evidence" name="evidence" rows="3" required maxlength="2000"></textarea>
<label for="contact">联系方式（用于告知处理结果，不予公开）</label><input type="text" id="contact" name="contact" maxlength="200">
<p><button type="submit">提交申请</button></p></form>
<div id="outcome" class="notice" hidden></div>
<script>
document.getElementById('correction').addEventListener('submit', async function (e) {
  e.preventDefault();
  var f = e.target, out = document.getElementById('outcome');
  var body = { disclosureId: f.disclosureId.value, request: f.request.value, evidence: [{ description: f.evidence.value }], contact: f.contact.value || undefined };
  try {
    var res = await fetch('/public/corrections', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    var data = await res.json().catch(function () { return {}; });
    out.hidden = false;
    if (res.ok) {
      out.textContent = '申请已提交，查询码：' + data.trackingCode + '。请妥善保存，凭查询码查看处理结果：';
      var a = document.createElement('a');
      a.href = '/public/corrections/' + encodeURIComponent(data.trackingCode);
      a.textContent = '处理结果';
      out.appendChild(a);
      f.hidden = true;
    } else {
      out.textContent = '提交未成功（' + res.status + '），' + (res.status === 400 ? '请填写更正内容和证据说明。' : '请稍后再试。');
    }
  } catch (err) { out.hidden = false; out.textContent = '提交未成功，请稍后再试。'; }
});
</script>`;
  return layout('更正申请', body);
}
