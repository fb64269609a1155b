/**
 * The replay report for a terminal: the verdict and the buckets first, then per route, the
 * regressions grouped by route and path with a few examples, what the noise model suppressed
 * (counted and listed, never dropped), skipped and failed requests with reasons, and latency.
 */
import type { ReplayReport } from '../../traffic/replay-report.js';
import type { Colors } from '../cli-output.js';

const MAX_REGRESSION_GROUPS = 20;
const MAX_NOISE_GROUPS = 30;

function ms(n: number | undefined): string {
  if (n === undefined) return '–';
  return n >= 100 ? String(Math.round(n)) : n.toFixed(1);
}

/** Renders the report as lines of text. */
export function renderReplayText(report: ReplayReport, c: Colors): string[] {
  const { counts } = report;
  const verdict =
    report.status === 'pass'
      ? c.green('PASS')
      : report.status === 'fail'
        ? c.red('FAIL')
        : c.red('ERROR');
  const lines = [
    `replay of ${report.capture} against ${report.target.name}${report.target.name === report.target.url ? '' : ` (${report.target.url})`}: ${verdict} — ${report.summary}`,
    `  ${counts.total} requests: ${c.green(`${counts.match} match`)} · ${counts.regression > 0 ? c.red(`${counts.regression} regression`) : '0 regression'} · ${counts.noise} noise · ${counts.skipped} skipped · ${counts.error > 0 ? c.yellow(`${counts.error} error`) : '0 error'}  ${c.dim(`(${report.rate} req/s)`)}`,
  ];
  if (report.baseline !== undefined)
    lines.push(
      c.dim(
        `  baseline ${report.baseline.url}: ${report.baseline.pairs} requests sent twice, noise learned on ${report.baseline.learned.reduce((n, r) => n + r.paths.length, 0)} path(s)`,
      ),
    );

  lines.push('', c.bold('Routes'));
  const width = Math.min(48, Math.max(10, ...report.routes.map((r) => r.route.length)));
  for (const r of report.routes) {
    const k = r.counts;
    const flag = r.latency.slower ? c.yellow(' slower') : '';
    const bad = k.regression > 0 ? c.red(`✗${k.regression}`) : '✗0';
    lines.push(
      `  ${r.route.padEnd(width)} ${String(k.total).padStart(5)}  ✓${k.match} ${bad} ~${k.noise} −${k.skipped} !${k.error}${flag}`,
    );
  }

  if (report.regressions.length > 0) {
    lines.push('', c.bold(c.red('Regressions')));
    for (const g of report.regressions.slice(0, MAX_REGRESSION_GROUPS)) {
      lines.push(
        `  ${g.route}  ${c.bold(g.path)}  ${g.kind} ×${g.count} in ${g.requests} request(s)`,
      );
      for (const e of g.examples)
        lines.push(
          c.dim(`      ${e.method} ${e.url}  ${e.path}: `) + `${e.recorded} → ${e.actual}`,
        );
    }
    if (report.regressions.length > MAX_REGRESSION_GROUPS)
      lines.push(
        c.dim(
          `  … ${report.regressions.length - MAX_REGRESSION_GROUPS} more (see --json or --html)`,
        ),
      );
  }

  if (report.noise.length > 0) {
    const total = report.noise.reduce((n, g) => n + g.count, 0);
    lines.push('', c.bold(`Noise suppressed: ${total} difference(s), by route, path and reason`));
    for (const g of report.noise.slice(0, MAX_NOISE_GROUPS))
      lines.push(
        c.dim(
          `  ${g.route}  ${g.path}  ${g.reason}${g.rule === undefined ? '' : ` (${g.rule})`} ×${g.count}`,
        ),
      );
    if (report.noise.length > MAX_NOISE_GROUPS)
      lines.push(
        c.dim(`  … ${report.noise.length - MAX_NOISE_GROUPS} more (see --json or --html)`),
      );
  }

  if (report.skipped.length > 0) {
    lines.push('', c.bold('Skipped'));
    for (const s of report.skipped) lines.push(`  ${s.reason} ×${s.count}`);
  }
  if (report.errors.length > 0) {
    lines.push('', c.bold(c.yellow('Errors')));
    for (const e of report.errors) lines.push(`  ${e.reason} ×${e.count}`);
  }

  const timed = report.routes.filter((r) => r.latency.target !== undefined);
  if (timed.length > 0) {
    lines.push(
      '',
      c.bold('Latency') +
        c.dim(
          ` p50/p95/p99 ms, recorded → target; flagged beyond +${report.latency.slowerBy}% and ${report.latency.minMs} ms`,
        ),
    );
    for (const r of timed) {
      const { recorded, target, p95ChangePercent, slower } = r.latency;
      const change =
        p95ChangePercent === undefined
          ? ''
          : ` ${p95ChangePercent > 0 ? '+' : ''}${p95ChangePercent}%`;
      const text = `  ${r.route.padEnd(width)} ${ms(recorded?.p50)}/${ms(recorded?.p95)}/${ms(recorded?.p99)} → ${ms(target?.p50)}/${ms(target?.p95)}/${ms(target?.p99)}${change}`;
      lines.push(slower ? c.yellow(`${text}  slower`) : text);
    }
  }

  if (report.captureProblems.count > 0) {
    lines.push('', c.bold(c.yellow(`Capture problems: ${report.captureProblems.count}`)));
    for (const p of report.captureProblems.items.slice(0, 10))
      lines.push(`  ${p.file}${p.line === undefined ? '' : `:${p.line}`}  ${p.kind}: ${p.message}`);
  }
  for (const note of report.notes) lines.push('', c.yellow(`note: ${note}`));
  return lines;
}
