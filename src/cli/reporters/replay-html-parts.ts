/**
 * Pieces of the HTML replay report: escaping, the side-by-side body view (lines only one side
 * has are marked), and the latency chart as inline SVG — nothing loaded from anywhere.
 */
import type { RouteLatency } from '../../traffic/replay-latency.js';

/** Escapes text for HTML content and attributes. */
export function html(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A body as shown: JSON pretty-printed, anything else as it is. */
function pretty(body: string): string {
  const first = body.trimStart()[0];
  if (first !== '{' && first !== '[') return body;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** Lines of `lines` that the other side does not have (as a multiset), by index. */
function unmatched(lines: readonly string[], other: readonly string[]): Set<number> {
  const left = new Map<string, number>();
  for (const line of other) left.set(line, (left.get(line) ?? 0) + 1);
  const marked = new Set<number>();
  lines.forEach((line, i) => {
    const n = left.get(line) ?? 0;
    if (n > 0) left.set(line, n - 1);
    else marked.add(i);
  });
  return marked;
}

function column(title: string, lines: readonly string[], marked: Set<number>, cls: string): string {
  const body = lines
    .map((line, i) => (marked.has(i) ? `<mark class="${cls}">${html(line)}</mark>` : html(line)))
    .join('\n');
  return `<div class="side"><div class="side-title">${html(title)}</div><pre>${body}</pre></div>`;
}

/** The recorded and the actual body next to each other, lines only one side has marked. */
export function sideBySide(recorded: string, actual: string): string {
  const a = pretty(recorded).split('\n');
  const b = pretty(actual).split('\n');
  return `<div class="sbs">${column('recorded (production)', a, unmatched(a, b), 'del')}${column('target', b, unmatched(b, a), 'ins')}</div>`;
}

/** Bars of p50/p95/p99, recorded against target, for one route (inline SVG). */
export function latencyChart(route: string, latency: RouteLatency): string {
  const { recorded, target } = latency;
  if (recorded === undefined || target === undefined) return '';
  const rows = [
    ['p50', recorded.p50, target.p50],
    ['p95', recorded.p95, target.p95],
    ['p99', recorded.p99, target.p99],
  ] as const;
  const max = Math.max(1, ...rows.flatMap(([, r, t]) => [r, t]));
  const width = 320;
  const bar = (value: number): number => Math.max(1, Math.round((value / max) * width));
  const parts: string[] = [];
  rows.forEach(([label, r, t], i) => {
    const y = i * 34;
    parts.push(
      `<text x="0" y="${y + 16}" class="lbl">${label}</text>`,
      `<rect x="40" y="${y + 2}" width="${bar(r)}" height="12" class="rec"><title>recorded ${r} ms</title></rect>`,
      `<text x="${44 + bar(r)}" y="${y + 12}" class="val">${r} ms</text>`,
      `<rect x="40" y="${y + 16}" width="${bar(t)}" height="12" class="${latency.slower ? 'slow' : 'tgt'}"><title>target ${t} ms</title></rect>`,
      `<text x="${44 + bar(t)}" y="${y + 26}" class="val">${t} ms</text>`,
    );
  });
  return `<figure class="chart"><figcaption>${html(route)}${latency.slower ? ' <b class="warn">slower</b>' : ''}</figcaption><svg width="${width + 120}" height="${rows.length * 34}" role="img" aria-label="latency of ${html(route)}">${parts.join('')}</svg></figure>`;
}

/** The page's style: small, readable, printable. */
export const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.status{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600}
.pass{background:#1a7f37}.fail,.error{background:#cf222e}
.cards{display:flex;gap:8px;flex-wrap:wrap;margin:12px 0}
.card{background:#fff;border:1px solid #d8dee4;border-radius:6px;padding:8px 14px;min-width:90px}
.card b{display:block;font-size:20px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d8dee4}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{background:#f0f2f4;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
details{background:#fff;border:1px solid #d8dee4;border-radius:6px;margin:8px 0;padding:6px 10px}
summary{cursor:pointer;font-weight:600}
.sbs{display:grid;grid-template-columns:1fr 1fr;gap:8px;margin-top:8px}
.side pre{background:#f6f8fa;padding:8px;overflow:auto;max-height:420px;margin:0;white-space:pre-wrap;word-break:break-all}
.side-title{font-weight:600;font-size:12px;color:#57606a}
mark.del{background:#ffebe9}mark.ins{background:#dafbe1}
.bad{color:#cf222e}.warn{color:#9a6700}.dim{color:#57606a}
.charts{display:flex;flex-wrap:wrap;gap:12px}
.chart{background:#fff;border:1px solid #d8dee4;border-radius:6px;padding:8px;margin:0}
.chart figcaption{font-weight:600;font-size:12px;margin-bottom:4px}
.rec{fill:#8c959f}.tgt{fill:#0969da}.slow{fill:#bf8700}.lbl,.val{font-size:11px;fill:#57606a}
input[type=search]{padding:4px 8px;width:280px;margin-bottom:8px}
`;

/** The page's one script: filters every route-bearing row and block by a search box. */
export const SCRIPT = `
document.getElementById('filter').addEventListener('input',function(e){
  var q=e.target.value.toLowerCase();
  document.querySelectorAll('[data-route]').forEach(function(el){
    el.style.display=el.getAttribute('data-route').toLowerCase().indexOf(q)>=0?'':'none';
  });
});
`;
