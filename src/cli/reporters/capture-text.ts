/** The terminal view of a capture (`understudy traffic show`) and of the problems met reading one. */
import path from 'node:path';
import type { CaptureProblem } from '../../traffic/capture-format.js';
import type { CaptureSummary } from '../../traffic/capture-read-summary.js';
import { formatProblems, type Colors, type Output } from '../cli-output.js';

/** Problems as aligned lines: `file:line  kind: message`, paths relative to `cwd`. */
export function problemLines(
  problems: readonly CaptureProblem[],
  color: Colors,
  cwd: string,
  more = 0,
): string[] {
  const lines = formatProblems(
    problems.map((p) => ({
      location: `${path.relative(cwd, p.file) || p.file}${p.line === undefined ? '' : `:${p.line}`}`,
      message: `${p.kind}: ${p.message}`,
    })),
    color,
    color.yellow('!'),
  );
  if (more > 0) lines.push(`  … and ${more} more problems`);
  return lines;
}

/** Prints a capture's summary for people. */
export function printSummary(
  output: Output,
  shown: string,
  summary: CaptureSummary,
  cwd: string,
): void {
  const c = output.color;
  const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  output.line(
    `${c.bold('capture')} ${shown}: ${count(summary.files.length, 'file', 'files')}, ${count(summary.records, 'exchange', 'exchanges')}`,
  );
  if (summary.from !== undefined && summary.until !== undefined) {
    const seconds = (Date.parse(summary.until) - Date.parse(summary.from)) / 1000;
    output.line(`  time      ${summary.from} → ${summary.until} (${seconds.toFixed(1)} s)`);
  }
  output.line(`  sessions  ${summary.sessions}`);
  output.line(`  methods   ${counts(summary.methods)}`);
  output.line(`  statuses  ${counts(summary.statuses)}`);
  output.line(
    `  bodies cut at the cap: ${summary.truncatedBodies} · values redacted: ${summary.redactions}`,
  );
  output.line('  files');
  for (const f of summary.files) {
    const h = f.header;
    const about =
      h === undefined
        ? c.dim('no header')
        : c.dim(
            `${h.writer}, started ${h.startedAt}${h.upstream === undefined ? '' : `, upstream ${h.upstream}`}`,
          );
    output.line(
      `    ${path.relative(cwd, f.file) || f.file}  ${count(f.records, 'exchange', 'exchanges')}  ${about}`,
    );
  }
  const problems = summary.problems.length + summary.moreProblems;
  if (problems === 0) {
    output.line(`${c.green('✓')} every line read`);
    return;
  }
  output.line(
    `${c.yellow('!')} ${count(problems, 'problem', 'problems')} (the rest of the capture was read):`,
  );
  for (const line of problemLines(summary.problems, c, cwd, summary.moreProblems))
    output.line(line);
}

function counts(values: Readonly<Record<string, number>>): string {
  const entries = Object.entries(values);
  return entries.length === 0 ? '-' : entries.map(([k, n]) => `${k} ${n}`).join(' · ');
}
