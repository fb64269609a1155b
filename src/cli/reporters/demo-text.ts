/**
 * The text summary `understudy demo` prints once its story is told: what the recorder, the
 * masked sync, parity and replay found, and why production refused v2. Pure.
 */
import type { DemoSummary, PromotionSummary } from '../../demo/demo-summary.js';
import type { Colors } from '../cli-output.js';
import { gateLine } from './gate-text.js';

const percent = (score: number | null): string =>
  score === null ? 'n/a' : `${Math.round(score * 1000) / 10} %`;
const count = (n: number): string => n.toLocaleString('en-US');
const shown = (value: unknown): string =>
  value === undefined ? '(absent)' : typeof value === 'string' ? value : JSON.stringify(value);

function gateLines(promotion: PromotionSummary, c: Colors): string[] {
  return promotion.gates.map((g) => `    ${gateLine(g, c)}`);
}

/** The summary as lines of text. */
export function renderDemoText(summary: DemoSummary, c: Colors): string[] {
  const lines: string[] = [];
  const { traffic, sync, parity, replay, blocked } = summary;
  lines.push(
    c.bold('demo-shop: production runs v1, staging runs v2'),
    c.dim(
      `  project folder ${summary.dir} (removed when the demo ends) · ready in ${(summary.durationMs / 1000).toFixed(1)} s`,
    ),
    c.dim(`  production ${summary.urls.production} · staging ${summary.urls.staging}`),
    '',
    `${c.bold('Traffic')}   ${count(traffic.sent)} requests through the recording proxy: ${count(traffic.recorded)} recorded (redacted), ${traffic.dropped} dropped`,
    `${c.bold('Data')}      ${summary.scan.personal} columns hold personal data; none without a rule (${summary.scan.kept.length} kept with a reason)`,
    `          masked sync production → staging: ${count(sync.rows)} rows in ${sync.seconds.toFixed(1)} s, ${sync.maskedColumns.length} columns masked`,
    c.dim(`          ${sync.maskedColumns.map((m) => m.replace(/^public\./, '')).join(', ')}`),
    `          ${sync.verified === true ? c.green('✓ verified: no production value found in staging') : c.red('✗ production values found in staging')}`,
    '',
  );
  lines.push(
    `${c.bold('Parity')}    staging on v1: ${parity.v1.status === 'pass' ? c.green('pass') : c.red(parity.v1.status)}, score ${percent(parity.v1.score)}`,
    `          staging on v2: ${parity.v2.status === 'pass' ? c.green('pass') : c.red(parity.v2.status)}, score ${percent(parity.v2.score)}, ${parity.v2.blocking} blocking of ${parity.v2.compared} compared`,
  );
  for (const d of parity.v2.differences) {
    const mark =
      d.verdict === 'allowed'
        ? c.green('✓ allowed ')
        : d.severity === 'breaking'
          ? c.red('✗ breaking')
          : c.yellow('· notice  ');
    const values =
      d.staging === undefined && d.production === undefined
        ? (d.note ?? '')
        : `staging ${shown(d.staging)}, production ${shown(d.production)}`;
    lines.push(`            ${mark}  ${d.path}  ${c.dim(values)}`);
  }
  const counts = (r: DemoSummary['replay']['v1']): string =>
    `${r.counts.total ?? 0} requests: ${r.counts.match ?? 0} match, ${r.counts.noise ?? 0} noise, ${r.counts.regression ?? 0} regression, ${r.counts.skipped ?? 0} skipped, ${r.counts.error ?? 0} error`;
  lines.push(
    '',
    `${c.bold('Replay')}    staging on v1: ${replay.v1.status === 'pass' ? c.green('pass') : c.red(replay.v1.status)} — ${counts(replay.v1)}`,
    `          staging on v2: ${replay.v2.status === 'pass' ? c.green('pass') : c.red(replay.v2.status)} — ${counts(replay.v2)}`,
  );
  for (const r of replay.v2.regressions) {
    lines.push(
      `            ${c.red('✗')} ${r.route}  ${r.path}  ${r.kind}, in ${r.requests} requests`,
    );
    if (r.example !== undefined)
      lines.push(
        c.dim(
          `              e.g. ${r.example.url}: production ${r.example.recorded}, staging ${r.example.actual}`,
        ),
      );
  }
  lines.push('', c.bold('Promotion'));
  for (const p of summary.promotions) {
    if (p === blocked) continue;
    const ok = p.outcome === 'deployed';
    const approvals = p.gates.find((g) => g.gate === 'approvals');
    lines.push(
      `          ${ok ? c.green('✓') : c.red('✗')} ${p.version} → ${p.env}: ${p.outcome}${approvals === undefined ? '' : c.dim(` (${approvals.reason})`)}`,
    );
  }
  lines.push(
    `          ${c.red('✗')} ${c.bold(`${blocked.version} → ${blocked.env}: ${blocked.outcome.toUpperCase()}`)} — ${blocked.reason}`,
    ...gateLines(blocked, c),
  );
  const unexpected = summary.steps.filter((s) => s.status !== 'ok');
  if (unexpected.length > 0) {
    lines.push('', c.yellow('! not as the demo expects:'));
    for (const s of unexpected) lines.push(c.yellow(`    ${s.name}: ${s.detail}`));
  }
  return lines;
}
