// Case numbers (案号, e.g. 本医保罚〔2026〕12号) in ONE canonical form, so one case cannot be recorded
// under two spellings (issue 10). Every place a case number enters the service (API bodies, path
// parameters, queries) passes it through `normaliseCaseNumber`.
//
// The canonical form follows the official document-number style (GB/T 9704: the year in 六角括号
// 〔〕): full-width ASCII forms become ASCII (NFKC), every bracket pair around the year — ( ) （ ）
// [ ] ［ ］ 【 】 〖 〗 〘 〙 ﹝ ﹞ — becomes 〔 〕, dash look-alikes become '-', the ideographic zero 〇
// (and the look-alike letter O) between digits becomes 0, and spaces disappear.

const OPENING = /[(（[［【〖〘﹝⦅〈]/gu;
const CLOSING = /[)）\]］】〗〙﹞⦆〉]/gu;
const DASHES = /[‐‑‒–—―−－﹣ー]/gu;
const SPACES = /[\s\u3000\u200b\ufeff]+/gu;

export function normaliseCaseNumber(raw: string): string {
  let s = raw.normalize('NFKC').replace(SPACES, '');
  // NFKC already maps （）［］ to ASCII; the rest are mapped here.
  s = s.replace(OPENING, '〔').replace(CLOSING, '〕').replace(DASHES, '-');
  // 〇/O/o written for a zero inside a number (二〇二六 → only when surrounded by digits: 2〇26).
  for (let i = 0; i < 2; i += 1) s = s.replace(/(\d)[〇Oo](?=[\d〇Oo]*\d)/gu, '$10');
  return s;
}

/** Whether two spellings name the same case. */
export const sameCaseNumber = (a: string, b: string): boolean => normaliseCaseNumber(a) === normaliseCaseNumber(b);
