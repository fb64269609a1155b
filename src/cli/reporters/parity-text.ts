/** The parity report for a terminal: summary, probes, drift, allowed differences, verdict. */
import type { AssessedDifference } from '../../parity/allowances.js';
import { formatScore, type ParityReport } from '../../parity/parity-report.js';
import type { Colors } from '../cli-output.js';
import { allowanceDetails, showSides } from './parity-values.js';

/** Renders the report as lines of text. */
export function renderParityText(report: ParityReport, c: Colors): string[] {
  const lines: string[] = [];
  const { counts } = report;
  lines.push(
    `${c.bold(`Parity: ${report.env} vs ${report.against}`)}   score ${c.bold(formatScore(report.score))}   ` +
      c.dim(
        `(${counts.compared} compared · ${counts.drift} drift · ${counts.allowed} allowed · ${counts.explained} explained)`,
      ),
  );
  for (const probe of report.probes) {
    const name = probe.probe.padEnd(15);
    if (probe.status === 'skipped') {
      lines.push(`  ${c.dim(`${name} skipped: ${probe.reason ?? ''}`)}`);
    } else if (probe.status === 'failed') {
      lines.push(`  ${name} ${c.red(`failed: ${probe.reason ?? ''}`)}`);
    } else {
      const parts = [`${probe.compared} compared`];
      if (probe.drift > 0) parts.push(c.yellow(`${probe.drift} drift`));
      if (probe.allowed > 0) parts.push(`${probe.allowed} allowed`);
      if (probe.explained > 0) parts.push(`${probe.explained} explained`);
      if (probe.drift === 0) parts.push(c.green('✓'));
      lines.push(`  ${name} ${parts.join(', ')}`);
    }
  }

  const drift = report.differences.filter((d) => d.verdict === 'drift');
  if (drift.length > 0) {
    lines.push('', c.bold('Drift'));
    const width = Math.min(56, Math.max(...drift.map((d) => d.path.length)));
    for (const d of drift) lines.push(...differenceLines(d, report, c, width));
  }
  const explained = report.differences.filter((d) => d.verdict === 'explained');
  if (explained.length > 0) {
    lines.push('', c.bold('Explained'));
    for (const d of explained)
      lines.push(`  ${c.cyan('~')} ${d.path}  ${c.dim(d.explainedBy ?? '')}`);
  }
  const allowed = report.differences.filter((d) => d.verdict === 'allowed');
  if (allowed.length > 0) {
    lines.push('', c.bold('Allowed'));
    for (const d of allowed) {
      lines.push(
        `  ${c.green('✓')} ${d.path}  ${c.dim(`${d.allowance?.reason ?? ''}${d.allowance === undefined ? '' : allowanceDetails(d.allowance)}`)}`,
      );
    }
  }
  const attention = report.allowances.filter((a) => a.state !== 'active');
  if (attention.length > 0) {
    lines.push('', c.bold('Allowances to look at'));
    for (const a of attention) {
      lines.push(
        a.state === 'expired'
          ? `  ${c.yellow('⌛')} ${a.match} expired on ${a.expires ?? '?'}: ${a.matched === 0 ? 'it matches nothing now' : 'its difference is drift again'}`
          : `  ${c.yellow('?')} ${a.match} matched nothing: remove it, or fix its match`,
      );
    }
  }

  lines.push('');
  if (report.status === 'error') {
    const failed = report.probes.filter((p) => p.status === 'failed').map((p) => p.probe);
    lines.push(c.red(`✗ parity is incomplete: ${failed.join(', ')} could not be compared`));
  } else if (report.status === 'drift') {
    lines.push(
      c.red(
        `✗ ${counts.blocking} unexplained ${counts.blocking === 1 ? 'difference' : 'differences'} at or above "${report.failOn}": parity fails`,
      ),
    );
  } else {
    const note = counts.drift > 0 ? ` (${counts.drift} below "${report.failOn}")` : '';
    lines.push(c.green(`✓ ${report.env} mirrors ${report.against}: nothing unexplained${note}`));
  }
  return lines;
}

function differenceLines(
  d: AssessedDifference,
  report: ParityReport,
  c: Colors,
  width: number,
): string[] {
  const marker = d.severity === 'breaking' ? c.red('✗ breaking') : c.yellow('! notice  ');
  const sides = showSides(d);
  const what =
    d.kind === 'missing'
      ? `missing in ${report.env}`
      : d.kind === 'extra'
        ? `only in ${report.env}`
        : d.kind === 'shared'
          ? `the same value in ${report.env} and ${report.against}`
          : `${report.env}: ${sides.env}   ${report.against}: ${sides.against}`;
  const lines = [`  ${marker}  ${d.path.padEnd(width)}  ${what}`];
  if (d.note !== undefined) lines.push(`               ${c.dim(d.note)}`);
  if (d.allowanceExpired === true && d.allowance !== undefined) {
    lines.push(
      `               ${c.yellow(`allowance "${d.allowance.match}" expired on ${d.allowance.expires ?? '?'}`)}`,
    );
  }
  return lines;
}
