/**
 * `understudy data scan|sync|verify`: find personal data, copy production into staging masked
 * and atomically, and prove afterwards that nothing leaked.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { wholeNumber } from '../arguments.js';
import { appendAudit } from '../../audit/audit-log.js';
import { validateConfigText } from '../../config/config-validate.js';
import { normalizeRule } from '../../data/plan-sync.js';
import { databaseOf, prepareSync, type PreparedSync } from '../../data/prepare-sync.js';
import { addSuggestedRules } from '../../data/rules-suggest.js';
import { scanDatabase, scanFindings } from '../../data/scan-run.js';
import type { SyncProgressEvent } from '../../data/sync-plan-types.js';
import {
  syncAndRecord,
  verifyPrepared,
  type RecordedSync,
  type SyncReportBody,
} from '../../data/sync-report.js';
import type { VerifyReport } from '../../data/verify-run.js';
import { formatDuration } from '../../shared/duration.js';
import { ExitCode, UnderstudyError } from '../../shared/errors.js';
import type { CommandContext } from '../cli-context.js';
import { formatProblems } from '../cli-output.js';
import { SyncProgressView } from '../reporters/sync-progress.js';
import { registerCloneCommands, removeExpiredClonesAfterSync } from './data-clone-command.js';
import type { CommandSpec } from '../main.js';
import { writeFileAtomic } from '../write-file.js';

export const dataCommand: CommandSpec = {
  register(program, run) {
    const data: Command = program
      .command('data')
      .description('masked copies of production data in staging');

    data
      .command('scan')
      .description(
        'classify every column of the source: which hold personal data, and whether a rule covers them',
      )
      .option('--env <name>', 'the environment to scan (default: data.from, production)')
      .option('--write', 'add a suggested masker to understudy.yaml for every uncovered column')
      .option('--sample <n>', 'values sampled per column', wholeNumber(1), 200)
      .action((options: { env?: string; write?: boolean; sample: number }) =>
        run('data scan', (ctx) => scan(ctx, options)),
      );

    data
      .command('sync')
      .description('copy the source database into the target, masked, atomically; then verify it')
      .option(
        '--dry-run',
        'print the plan (tables, rows, maskers, subset) without touching the target',
      )
      .option('--no-verify', 'skip `data verify` at the end')
      .option(
        '--parallel <n>',
        'tables copied at once (default: data.parallel, or the CPU count)',
        wholeNumber(1),
      )
      .action((options: { dryRun?: boolean; verify: boolean; parallel?: number }) =>
        run('data sync', (ctx) => sync(ctx, options)),
      );

    data
      .command('verify')
      .description(
        'prove the copy is safe and whole: no real value of a masked column anywhere, no orphans',
      )
      .action(() => run('data verify', (ctx) => verify(ctx)));

    registerCloneCommands(data, run);
  },
};

async function scan(
  ctx: CommandContext,
  options: { env?: string; write?: boolean; sample: number },
): Promise<number> {
  const { config, file } = await ctx.config();
  const env = options.env ?? config.data?.from ?? 'production';
  if (config.environments[env] === undefined)
    throw new UnderstudyError('E_USAGE', `no environment named "${env}"`);
  const report = await scanDatabase(databaseOf(config, env), { sampleSize: options.sample });
  const rules = config.data?.tables ?? {};
  const findings = scanFindings(report).map((f) => {
    const table = rules[f.table];
    const rule = table?.columns[f.column];
    const covered =
      table?.rows === 'none'
        ? 'no rows copied'
        : rule === undefined
          ? undefined
          : describeRule(rule);
    return {
      table: f.table,
      column: f.column,
      kind: f.kind,
      confidence: f.confidence,
      suggested: f.suggested,
      evidence: f.evidence,
      covered,
    };
  });
  let added: readonly string[] = [];
  if (options.write === true) {
    const text = await readFile(file, 'utf8');
    const result = addSuggestedRules(
      text,
      findings.filter((f) => f.covered === undefined),
    );
    const check = validateConfigText(result.text, { file: path.basename(file), env: ctx.env });
    if (check.config === undefined)
      throw new UnderstudyError(
        'E_CONFIG',
        'the suggested rules would make understudy.yaml invalid; nothing was written',
        { problems: check.errors },
      );
    if (result.added.length > 0)
      await writeFileAtomic(file, result.text, path.relative(ctx.cwd, file));
    added = result.added;
  }
  const uncovered = findings.filter(
    (f) => f.covered === undefined && !added.includes(`${f.table}.${f.column}: ${f.suggested}`),
  );
  ctx.output.document('data scan', {
    ok: uncovered.length === 0,
    env,
    findings,
    added,
    uncovered: uncovered.length,
  });
  const c = ctx.output.color;
  const columns = report.tables.reduce((n, t) => n + t.columns.length, 0);
  ctx.output.line(
    `${c.bold(`Scan of ${env}`)}: ${report.tables.length} tables, ${columns} columns, ${findings.length} with personal data`,
  );
  for (const f of findings) {
    const status =
      f.covered !== undefined
        ? c.green(`✓ ${f.covered}`)
        : added.includes(`${f.table}.${f.column}: ${f.suggested}`)
          ? c.cyan(`+ ${f.suggested} (added)`)
          : c.red(`✗ no rule — suggest ${f.suggested}`);
    ctx.output.line(
      `  ${`${f.table}.${f.column}`.padEnd(40)} ${f.kind.padEnd(16)} ${String(Math.round(f.confidence * 100)).padStart(3)} %  ${status}`,
    );
  }
  if (added.length > 0)
    ctx.output.line(
      `${c.green('✓')} added ${added.length} ${added.length === 1 ? 'rule' : 'rules'} to ${path.relative(ctx.cwd, file)}: review them`,
    );
  if (uncovered.length > 0) {
    ctx.output.line(
      c.red(
        `✗ ${uncovered.length} ${uncovered.length === 1 ? 'column holds' : 'columns hold'} personal data without a rule: a sync refuses to run`,
      ),
    );
    return ExitCode.blocking;
  }
  return ExitCode.ok;
}

function describeRule(rule: Parameters<typeof normalizeRule>[0]): string {
  const normalized = normalizeRule(rule);
  return 'keep' in normalized ? `kept: ${normalized.keep}` : `masked: ${normalized.masker}`;
}

function printPlan(ctx: CommandContext, prepared: PreparedSync): void {
  const c = ctx.output.color;
  ctx.output.line(
    `${c.bold('Plan')}: ${prepared.from.name} → ${prepared.to.name} (${prepared.input.tables?.length ?? 0} tables)`,
  );
  for (const t of prepared.input.tables ?? []) {
    const rows =
      t.rows === 'all'
        ? 'all rows'
        : t.rows === 'none'
          ? 'no rows'
          : `rows where ${t.rows.where.length > 70 ? `${t.rows.where.slice(0, 69)}…` : t.rows.where}`;
    const masks = t.masks.map((m) => `${m.column}→${m.spec.masker}`).join(', ');
    ctx.output.line(
      `  ${`${t.schema}.${t.name}`.padEnd(36)} ${rows}${masks === '' ? '' : `  ${c.dim(masks)}`}`,
    );
  }
  for (const note of prepared.subsetNotes) ctx.output.line(c.dim(`  note: ${note}`));
}

/** Draws progress on a terminal, at most once a second: phase, tables done, rows, rows/s. */
/** Draws the live progress of a sync on a terminal; the returned `end` removes it. */
function progressReporter(
  ctx: CommandContext,
  total: number,
): { onProgress: (event: SyncProgressEvent) => void; end: () => void } {
  const view = new SyncProgressView(total, Date.now());
  let last = 0;
  const draw = (now: number): void => {
    last = now;
    ctx.output.live(view.lines(now).map((l) => ctx.output.color.dim(l)));
  };
  const timer = ctx.output.interactive ? setInterval(() => draw(Date.now()), 1000) : undefined;
  timer?.unref();
  return {
    onProgress(event) {
      const now = Date.now();
      view.update(event, now);
      if (event.type === 'phase' || now - last >= 250) draw(now);
    },
    end() {
      if (timer !== undefined) clearInterval(timer);
      ctx.output.live([]);
    },
  };
}

async function sync(
  ctx: CommandContext,
  options: { dryRun?: boolean; verify: boolean; parallel?: number },
): Promise<number> {
  const remote = ctx.remote();
  if (remote !== undefined) {
    if (options.dryRun === true || options.parallel !== undefined)
      throw new UnderstudyError(
        'E_USAGE',
        '--dry-run and --parallel work locally only, not through --server',
      );
    const { job } = await remote.call<{ job: { id: string } }>(
      'POST',
      '/api/v1/data/syncs',
      { verify: options.verify },
      { withTotp: true },
    );
    const done = await remote.follow(job.id, (line) => ctx.output.note(ctx.output.color.dim(line)));
    const answer = done.result as { reportId: number; status: string; report: SyncReportBody };
    return showSync(ctx, answer.reportId, answer.status, answer.report);
  }
  const { config, dir } = await ctx.config();
  // Who acts is proven first: a wrong token stops the sync before it reads anything.
  const actor = options.dryRun === true ? ctx.actor() : await ctx.actorName();
  const prepared = await prepareSync(config, { scan: true });
  if (options.dryRun === true) {
    ctx.output.document('data sync', {
      ok: true,
      dryRun: true,
      from: prepared.from.name,
      to: prepared.to.name,
      tables: prepared.input.tables,
      notes: prepared.subsetNotes,
    });
    printPlan(ctx, prepared);
    ctx.output.line(ctx.output.color.dim('dry run: nothing was written'));
    return ExitCode.ok;
  }
  const store = await ctx.store();
  const progress = progressReporter(ctx, prepared.input.tables?.length ?? 0);
  let recorded: RecordedSync;
  try {
    recorded = await syncAndRecord({
      prepared,
      config,
      dir,
      store,
      actor,
      verify: options.verify,
      ...(options.parallel === undefined ? {} : { parallel: options.parallel }),
      onProgress: progress.onProgress,
    });
  } finally {
    progress.end();
  }
  await removeExpiredClonesAfterSync(ctx, prepared.to);
  return showSync(ctx, recorded.stored.id, recorded.status, recorded.body);
}

/** What a finished sync prints, run here or by a server. */
function showSync(
  ctx: CommandContext,
  reportId: number,
  status: string,
  body: SyncReportBody,
): number {
  const result = body;
  const verification = body.verification ?? undefined;
  ctx.output.document('data sync', { ok: status === 'pass', reportId, report: body });
  const c = ctx.output.color;
  for (const t of result.tables) {
    ctx.output.line(
      `  ${t.table.padEnd(36)} ${String(t.rowsWritten).padStart(10)} rows  ${t.maskedColumns.length === 0 ? '' : c.dim(`masked: ${t.maskedColumns.join(', ')}`)}`,
    );
  }
  for (const warning of result.warnings) ctx.output.note(c.yellow(`! ${warning}`));
  ctx.output.line(
    result.swapped
      ? `${c.green('✓')} copied ${result.totals.rowsWritten.toLocaleString('en')} rows in ${result.tables.length} tables from ${body.from} into ${body.to} in ${formatDuration(result.totals.seconds * 1000)} (snapshot ${result.snapshot})`
      : `${c.red('✗')} ${body.to} is as it was: the copy of ${result.totals.rowsWritten.toLocaleString('en')} rows failed verification, so it was dropped, not swapped in`,
  );
  return reportVerification(ctx, verification);
}

function reportVerification(ctx: CommandContext, report: VerifyReport | undefined): number {
  if (report === undefined) return ExitCode.ok;
  const c = ctx.output.color;
  if (report.ok) {
    ctx.output.line(
      `${c.green('✓')} verified: no real value of a masked column in the target, no orphaned foreign keys, row counts as planned`,
    );
    if (report.unverifiable > 0)
      ctx.output.note(
        c.dim(
          `  ${report.unverifiable} real values are words the maskers also write (common names, cities): they cannot be told from masked output, so they were not searched for`,
        ),
      );
    return ExitCode.ok;
  }
  const problems = [
    ...report.leaks.map((l) => ({
      message: `real values of ${l.sourceColumn} found in ${l.foundIn.table}.${l.foundIn.column}: ${l.count} (${l.sample})`,
    })),
    ...report.orphans.map((o) => ({
      message: `${o.count} orphaned rows in ${o.table} (${o.constraint})`,
    })),
    ...report.rowCounts
      .filter((r) => !r.ok)
      .map((r) => ({ message: `${r.table} holds ${r.actual} rows, planned ${r.expected ?? '?'}` })),
    ...report.incomplete.map((i) => ({
      message: `${i.column}: only ${i.checked} distinct values could be checked`,
    })),
  ];
  ctx.output.line(
    c.red(
      `✗ verification failed: ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}`,
    ),
  );
  for (const line of formatProblems(problems, c)) ctx.output.line(line);
  return ExitCode.blocking;
}

async function verify(ctx: CommandContext): Promise<number> {
  const { config } = await ctx.config();
  const actor = await ctx.actorName();
  const prepared = await prepareSync(config, { scan: false });
  const report = await verifyPrepared(prepared);
  const store = await ctx.store();
  await appendAudit(store, {
    actor,
    action: 'data.verify',
    subject: `${prepared.from.name}→${prepared.to.name}`,
    details: { ok: report.ok, leaks: report.leaks.length, orphans: report.orphans.length },
  });
  ctx.output.document('data verify', { ...report });
  return reportVerification(ctx, report);
}
