/**
 * `understudy data clone NAME | clones | drop NAME`: a branch's own database holding staging's
 * latest masked data, copied in seconds from the template the last sync kept, without touching
 * staging. Clones expire (`--ttl`, default `data.clones.ttl`); expired ones are dropped by the next
 * `data clone`, `data clones` or `data sync`. Every clone and drop is in the audit log.
 *
 * URLs are printed without the password unless `--show-password` is given, in text and JSON
 * alike: both end up in CI logs, and the password is staging's, which whoever runs the command
 * has already.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { appendAudit } from '../../audit/audit-log.js';
import {
  createClone,
  dropClone,
  listClones,
  removeExpiredClones,
  type CloneInfo,
} from '../../data/clone-run.js';
import { dataSection, databaseOf } from '../../data/prepare-sync.js';
import { describeUrl } from '../../postgres/connection.js';
import { formatDuration, parseDuration } from '../../shared/duration.js';
import { ExitCode, UnderstudyError, messageOf } from '../../shared/errors.js';
import { DATA_SYNC_REPORT_KIND } from '../../parity/data-age-probe.js';
import type { CommandContext } from '../cli-context.js';
import type { CommandSpec } from '../main.js';

type Run = Parameters<CommandSpec['register']>[1];

/** Adds `data clone`, `data clones` and `data drop` to the `data` command. */
export function registerCloneCommands(data: Command, run: Run): void {
  data
    .command('clone <name>')
    .description(
      "give a branch its own database with staging's latest masked data, copied in seconds from the last sync",
    )
    .option('--ttl <duration>', 'how long it lives, e.g. 8h or 3d (default: data.clones.ttl)', ttl)
    .option(
      '--replace',
      'replace an existing clone of that name with the latest data (ending its sessions)',
    )
    .option('--show-password', "print the URL with staging's password")
    .action((name: string, options: CloneOptions) =>
      run('data clone', (ctx) => clone(ctx, name, options)),
    );

  data
    .command('clones')
    .description('list the clones with age, expiry and size; drops expired ones')
    .option('--show-password', "print the URLs with staging's password")
    .action((options: { showPassword?: boolean }) =>
      run('data clones', (ctx) => clones(ctx, options)),
    );

  data
    .command('drop <name>')
    .description('drop a clone, ending its sessions')
    .action((name: string) => run('data drop', (ctx) => drop(ctx, name)));
}

/**
 * Drops the target's expired clones after a sync and records each in the audit log. Never fails
 * the sync it follows: a problem is printed as a warning.
 */
export async function removeExpiredClonesAfterSync(
  ctx: CommandContext,
  target: { readonly name: string; readonly url: string },
): Promise<void> {
  try {
    await auditRemoved(ctx, target.name, await removeExpiredClones(target.url));
  } catch (error) {
    ctx.output.note(
      ctx.output.color.yellow(`! expired clones were not removed: ${messageOf(error)}`),
    );
  }
}

interface CloneOptions {
  readonly ttl?: number;
  readonly replace?: boolean;
  readonly showPassword?: boolean;
}

function ttl(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new InvalidArgumentError('must be a duration such as "8h", "3d" or "1h30m"');
  return ms;
}

/** The environment clones are made of (`data.to`) and its database URL. */
async function cloneTarget(
  ctx: CommandContext,
): Promise<{ name: string; url: string; ttlMs: number }> {
  const { config } = await ctx.config();
  const data = dataSection(config);
  // The schema has checked the duration; the fallback only satisfies the type.
  return {
    name: data.to,
    url: databaseOf(config, data.to),
    ttlMs: parseDuration(data.clones.ttl) ?? 86_400_000,
  };
}

async function clone(ctx: CommandContext, name: string, options: CloneOptions): Promise<number> {
  const target = await cloneTarget(ctx);
  // Opened first, so a store that cannot record the clone stops the command before it acts.
  const store = await ctx.store();
  const actor = await ctx.actorName();
  // The template is the last sync's copy: when that copy failed verification, cloning would
  // spread the leak to one more database.
  const last = await store.reports.latest(DATA_SYNC_REPORT_KIND, target.name);
  if (last !== undefined && last.status !== 'pass') {
    throw new UnderstudyError(
      'E_BLOCKED',
      `the last sync into ${target.name} failed verification (report ${last.id}): its data is not cloned`,
      { hint: 'fix the masking rules, run `understudy data sync` again, then clone' },
    );
  }
  const result = await createClone(target.url, {
    name,
    ttlMs: options.ttl ?? target.ttlMs,
    createdBy: actor,
    replace: options.replace === true,
  });
  await auditRemoved(ctx, target.name, result.removed);
  const { metadata } = result.clone;
  await appendAudit(store, {
    actor,
    action: 'data.clone',
    subject: result.clone.database,
    details: {
      name,
      environment: target.name,
      templateRun: metadata.templateRun,
      expiresAt: metadata.expiresAt,
      replaced: result.replaced !== null,
    },
  });

  const showPassword = options.showPassword === true;
  const now = new Date();
  ctx.output.document('data clone', {
    ok: true,
    environment: target.name,
    clone: cloneJson(result.clone, showPassword, now),
    replaced: result.replaced !== null,
    removed: result.removed.map((c) => ({ name: c.name, database: c.database })),
    seconds: result.seconds,
  });
  const c = ctx.output.color;
  ctx.output.line(
    `${c.green('✓')} ${result.replaced === null ? 'cloned' : 'replaced'} ${c.bold(name)}: ${target.name}'s masked data of sync ${metadata.templateRun} in ${formatDuration(result.seconds * 1000)}, expires in ${formatDuration(Date.parse(metadata.expiresAt) - now.getTime())} (${metadata.expiresAt})`,
  );
  ctx.output.line(`  ${shownUrl(result.clone.url, showPassword)}`);
  if (!showPassword && describeUrl(result.clone.url) !== result.clone.url)
    ctx.output.line(c.dim(`  password as for ${target.name}; --show-password prints it`));
  return ExitCode.ok;
}

async function clones(ctx: CommandContext, options: { showPassword?: boolean }): Promise<number> {
  const target = await cloneTarget(ctx);
  await ctx.store();
  const result = await listClones(target.url);
  await auditRemoved(ctx, target.name, result.removed);
  const showPassword = options.showPassword === true;
  const now = new Date();
  ctx.output.document('data clones', {
    ok: true,
    environment: target.name,
    clones: result.clones.map((clone) => cloneJson(clone, showPassword, now)),
    removed: result.removed.map((clone) => ({ name: clone.name, database: clone.database })),
  });
  const c = ctx.output.color;
  if (result.clones.length === 0) {
    ctx.output.line(`no clones of ${target.name}; \`understudy data clone NAME\` makes one`);
    return ExitCode.ok;
  }
  const rows = result.clones.map((clone) => {
    const m = clone.metadata;
    return [
      clone.name,
      clone.database,
      m === null ? '?' : formatDuration(now.getTime() - Date.parse(m.createdAt)),
      m === null ? 'being made' : formatDuration(Date.parse(m.expiresAt) - now.getTime()),
      clone.sizeBytes === null ? '?' : formatBytes(clone.sizeBytes),
      m?.templateRun ?? '?',
    ];
  });
  const header = ['NAME', 'DATABASE', 'AGE', 'EXPIRES IN', 'SIZE', 'SYNC'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 4 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  ctx.output.line(c.bold(format(header)));
  for (const row of rows) ctx.output.line(format(row));
  if (showPassword)
    for (const clone of result.clones) ctx.output.line(`${clone.name}: ${clone.url}`);
  return ExitCode.ok;
}

async function drop(ctx: CommandContext, name: string): Promise<number> {
  const target = await cloneTarget(ctx);
  const store = await ctx.store();
  const actor = await ctx.actorName();
  const dropped = await dropClone(target.url, name);
  await appendAudit(store, {
    actor,
    action: 'data.drop',
    subject: dropped.database,
    details: { name: dropped.name, environment: target.name, reason: 'dropped' },
  });
  ctx.output.document('data drop', {
    ok: true,
    environment: target.name,
    dropped: { name: dropped.name, database: dropped.database },
  });
  ctx.output.line(
    `${ctx.output.color.green('✓')} dropped the clone ${dropped.name} (${dropped.database})`,
  );
  return ExitCode.ok;
}

/** Records expired clones that were dropped, and says so on stderr. */
async function auditRemoved(
  ctx: CommandContext,
  environment: string,
  removed: readonly CloneInfo[],
): Promise<void> {
  if (removed.length === 0) return;
  const store = await ctx.store();
  const actor = await ctx.actorName();
  for (const clone of removed) {
    await appendAudit(store, {
      actor,
      action: 'data.drop',
      subject: clone.database,
      details: {
        name: clone.name,
        environment,
        reason: clone.metadata === null ? 'unlabelled' : 'expired',
        expiresAt: clone.metadata?.expiresAt ?? null,
      },
    });
    if (!ctx.output.json)
      ctx.output.note(
        ctx.output.color.dim(
          `  dropped ${clone.metadata === null ? 'the unfinished' : 'the expired'} clone ${clone.name} (${clone.database})`,
        ),
      );
  }
}

function cloneJson(clone: CloneInfo, showPassword: boolean, now: Date): Record<string, unknown> {
  const m = clone.metadata;
  return {
    name: clone.name,
    database: clone.database,
    url: shownUrl(clone.url, showPassword),
    createdAt: m?.createdAt ?? null,
    expiresAt: m?.expiresAt ?? null,
    ageSeconds: m === null ? null : Math.round((now.getTime() - Date.parse(m.createdAt)) / 1000),
    expiresInSeconds:
      m === null ? null : Math.round((Date.parse(m.expiresAt) - now.getTime()) / 1000),
    templateRun: m?.templateRun ?? null,
    createdBy: m?.createdBy ?? null,
    sizeBytes: clone.sizeBytes,
  };
}

function shownUrl(url: string, showPassword: boolean): string {
  return showPassword ? url : describeUrl(url);
}

function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit] ?? ''}`;
}
