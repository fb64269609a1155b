/**
 * The replay report as one self-contained HTML page (`--html FILE`): inline CSS, one inline
 * script, inline SVG charts, nothing fetched — it can be mailed, archived as a CI artifact or
 * opened offline. Buckets, routes, every regression group with examples and the recorded and
 * target bodies side by side, the suppressed noise, skips, errors and latency per route.
 */
import type { ReplayReport } from '../../traffic/replay-report.js';
import { SCRIPT, STYLE, html, latencyChart, sideBySide } from './replay-html-parts.js';

const n = (value: number): string => `<td class="n">${value}</td>`;

/** Renders the report as a complete HTML document. */
export function renderReplayHtml(report: ReplayReport): string {
  const { counts } = report;
  const title = `Replay of ${report.capture} against ${report.target.name}`;
  const cards = (
    [
      ['requests', counts.total, ''],
      ['match', counts.match, ''],
      ['regression', counts.regression, counts.regression > 0 ? 'bad' : ''],
      ['noise', counts.noise, ''],
      ['skipped', counts.skipped, ''],
      ['error', counts.error, counts.error > 0 ? 'warn' : ''],
    ] as const
  )
    .map(([label, value, cls]) => `<div class="card ${cls}"><b>${value}</b>${label}</div>`)
    .join('');
  const sections = [
    `<h1>${html(title)}</h1>`,
    `<p><span class="status ${report.status}">${report.status.toUpperCase()}</span> ${html(report.summary)}</p>`,
    `<p class="dim">target ${html(report.target.url)}${report.baseline === undefined ? '' : ` · baseline ${html(report.baseline.url)} (${report.baseline.pairs} requests sent twice)`} · ${html(report.startedAt)} · ${report.durationMs} ms · ${report.rate} req/s · at most ${report.maxRegressions} regression(s) tolerated</p>`,
    `<div class="cards">${cards}</div>`,
    ...report.notes.map((note) => `<p class="warn">${html(note)}</p>`),
    '<input type="search" id="filter" placeholder="filter by route…" aria-label="filter by route">',
    routesTable(report),
    regressions(report),
    noiseTable(report),
    reasons('Skipped', report.skipped),
    reasons('Errors', report.errors),
    latency(report),
    problems(report),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${html(title)}</title><style>${STYLE}</style></head>
<body><main>
${sections.filter((s) => s !== '').join('\n')}
</main><script>${SCRIPT}</script></body></html>
`;
}

function routesTable(report: ReplayReport): string {
  const rows = report.routes
    .map((r) => {
      const k = r.counts;
      return `<tr data-route="${html(r.route)}"><td><code>${html(r.route)}</code></td>${n(k.total)}${n(k.match)}<td class="n${k.regression > 0 ? ' bad' : ''}">${k.regression}</td>${n(k.noise)}${n(k.skipped)}${n(k.error)}<td class="n">${r.latency.target?.p95 ?? '–'}</td></tr>`;
    })
    .join('');
  return `<h2>Routes</h2><table><thead><tr><th>route</th><th>total</th><th>match</th><th>regression</th><th>noise</th><th>skipped</th><th>error</th><th>target p95 ms</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function regressions(report: ReplayReport): string {
  if (report.regressions.length === 0) return '<h2>Regressions</h2><p>None.</p>';
  const blocks = report.regressions.map((g) => {
    const examples = g.examples
      .map(
        (e) =>
          `<tr><td><code>${html(`${e.method} ${e.url}`)}</code></td><td><code>${html(e.path)}</code></td><td><code>${html(e.recorded)}</code></td><td><code>${html(e.actual)}</code></td></tr>`,
      )
      .join('');
    const withBodies = g.examples.find((e) => e.bodies !== undefined);
    const bodies =
      withBodies?.bodies === undefined
        ? ''
        : `<p class="dim">${html(`${withBodies.method} ${withBodies.url}`)}</p>${sideBySide(withBodies.bodies.recorded, withBodies.bodies.actual)}`;
    return `<details open data-route="${html(g.route)}"><summary><code>${html(g.route)}</code> <code class="bad">${html(g.path)}</code> ${html(g.kind)} ×${g.count} in ${g.requests} request(s)</summary><table><thead><tr><th>request</th><th>path</th><th>recorded</th><th>target</th></tr></thead><tbody>${examples}</tbody></table>${bodies}</details>`;
  });
  return `<h2 class="bad">Regressions</h2>${blocks.join('')}`;
}

function noiseTable(report: ReplayReport): string {
  if (report.noise.length === 0) return '';
  const rows = report.noise
    .map(
      (g) =>
        `<tr data-route="${html(g.route)}"><td><code>${html(g.route)}</code></td><td><code>${html(g.path)}</code></td><td>${html(g.reason)}${g.rule === undefined ? '' : ` <code>${html(g.rule)}</code>`}</td>${n(g.count)}${n(g.requests)}</tr>`,
    )
    .join('');
  return `<h2>Noise suppressed</h2><p class="dim">Every suppressed difference is counted here, by route, path and reason.</p><table><thead><tr><th>route</th><th>path</th><th>reason</th><th>differences</th><th>requests</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function reasons(title: string, list: ReplayReport['skipped']): string {
  if (list.length === 0) return '';
  const rows = list.map((r) => `<tr><td>${html(r.reason)}</td>${n(r.count)}</tr>`).join('');
  return `<h2>${title}</h2><table><thead><tr><th>reason</th><th>requests</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function latency(report: ReplayReport): string {
  const charts = report.routes
    .map((r) => {
      const chart = latencyChart(r.route, r.latency);
      return chart === '' ? '' : `<div data-route="${html(r.route)}">${chart}</div>`;
    })
    .filter((c) => c !== '');
  if (charts.length === 0) return '';
  return `<h2>Latency</h2><p class="dim">p50/p95/p99 in ms: recorded (grey) against target (blue; amber when slower than +${report.latency.slowerBy}% and ${report.latency.minMs} ms).</p><div class="charts">${charts.join('')}</div>`;
}

function problems(report: ReplayReport): string {
  if (report.captureProblems.count === 0) return '';
  const rows = report.captureProblems.items
    .map(
      (p) =>
        `<tr><td><code>${html(p.file)}${p.line === undefined ? '' : `:${p.line}`}</code></td><td>${html(p.kind)}</td><td>${html(p.message)}</td></tr>`,
    )
    .join('');
  return `<h2 class="warn">Capture problems (${report.captureProblems.count})</h2><table><thead><tr><th>where</th><th>kind</th><th>problem</th></tr></thead><tbody>${rows}</tbody></table>`;
}
