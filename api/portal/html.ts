/**
 * The portal's HTML: server-rendered strings, no framework, no client-side rendering. Every value
 * that is not a literal of this file goes through `esc` (the `html` tag does it for interpolations;
 * `raw` marks already-rendered fragments).
 */

export class Raw {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}
export const raw = (s: string) => new Raw(s);

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };
export function esc(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

type Value = Raw | string | number | boolean | null | undefined | Value[];
const render = (v: Value): string => (v instanceof Raw ? v.value : Array.isArray(v) ? v.map(render).join('') : v === false ? '' : esc(v));

/** Tagged template: interpolations are escaped unless Raw (or arrays of Raw). */
export function html(strings: TemplateStringsArray, ...values: Value[]): Raw {
  let out = strings[0]!;
  values.forEach((v, i) => (out += render(v) + strings[i + 1]!));
  return new Raw(out);
}

/** A query string from the given parameters (empty ones left out). */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') sp.set(k, String(v));
  const s = sp.toString();
  return s ? `?${s}` : '';
}

export const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.6 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;color:#1d1d1f;background:#f6f7f9}
a{color:#0b4f9c}
header.site{background:#8b1a1a;color:#fff;padding:10px 24px}
header.site a{color:#fff;text-decoration:none}
header.site .title{font-size:20px;font-weight:bold}
header.site nav{display:inline-block;margin-left:24px}
header.site nav a{margin-right:16px}
main{max-width:1040px;margin:0 auto;padding:16px 24px 48px}
form.search{background:#fff;border:1px solid #d7dbe0;padding:12px;display:flex;flex-wrap:wrap;gap:8px;align-items:center}
form.search input[type=search]{flex:1 1 280px;padding:6px 8px;font-size:15px}
form.search select,form.search button,form.search input[type=date]{padding:6px 8px;font-size:15px}
button{background:#8b1a1a;color:#fff;border:0;padding:6px 14px;cursor:pointer}
.count{color:#555;margin:12px 0 4px}
ol.results{list-style:none;padding:0;margin:0}
ol.results li{background:#fff;border:1px solid #e1e4e8;margin:8px 0;padding:10px 12px}
ol.results .meta{color:#555;font-size:13px}
.tag{display:inline-block;border:1px solid #8b1a1a;color:#8b1a1a;font-size:12px;padding:0 4px;margin-right:6px}
nav.pages{margin:16px 0}
nav.pages a,nav.pages span{margin-right:10px}
table{border-collapse:collapse;width:100%;background:#fff;margin:8px 0 16px}
th,td{border:1px solid #d7dbe0;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f5;font-weight:normal;color:#333;white-space:nowrap}
dl.item{display:grid;grid-template-columns:8em 1fr;background:#fff;border:1px solid #d7dbe0;padding:12px;margin:0}
dl.item dt{color:#555}dl.item dd{margin:0 0 6px}
.notice{background:#fff8e1;border:1px solid #e0c36b;padding:12px}
.empty{color:#666;background:#fff;border:1px dashed #ccc;padding:12px}
form.correction label{display:block;margin:10px 0 4px}
form.correction textarea,form.correction input[type=text]{width:100%;padding:6px;font-size:15px}
footer{color:#777;font-size:12px;text-align:center;padding:24px}
svg.chart text{font-size:12px;fill:#333}
`;

export function layout(title: string, body: Raw, opts: { feed?: boolean } = {}): string {
  return `<!DOCTYPE html>${html`<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} - 行政执法公示平台</title><link rel="stylesheet" href="/portal/style.css">${opts.feed ? raw('<link rel="alternate" type="application/atom+xml" title="最新公示" href="/portal/feed.atom">') : ''}</head>
<body><header class="site"><a class="title" href="/portal">行政执法公示平台</a><nav><a href="/portal">公示查询</a><a href="/portal/units">执法主体</a><a href="/portal/feed.atom">订阅</a><a href="/public/disclosures.csv">开放数据</a></nav></header>
<main>${body}</main>
<footer>依据行政执法公示制度（本政办发〔2019〕35号、锦政办发〔2019〕23号等）公开。涉及自然人的信息已作去标识化处理。</footer></body></html>`.value}`;
}

/** Horizontal bar chart as inline SVG (no script). */
export function barChart(title: string, bars: Array<{ label: string; value: number; display?: string }>): Raw {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rowH = 26;
  const labelW = 130;
  const barW = 420;
  const height = bars.length * rowH + 10;
  const rows = bars.map((b, i) => {
    const w = Math.round((b.value / max) * barW);
    const y = i * rowH + 5;
    return html`<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${b.label}</text><rect x="${labelW}" y="${y}" width="${Math.max(w, 1)}" height="18" fill="#8b1a1a"></rect><text x="${labelW + Math.max(w, 1) + 6}" y="${y + 15}">${b.display ?? String(b.value)}</text>`;
  });
  return html`<figure><figcaption>${title}</figcaption><svg class="chart" role="img" aria-label="${title}" width="${labelW + barW + 120}" height="${height}" viewBox="0 0 ${labelW + barW + 120} ${height}">${rows}</svg></figure>`;
}
