/** `understudy audit list|verify|export`: read, check and export the tamper-evident audit log. */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import type { Command } from 'commander';
import { wholeNumber } from '../arguments.js';
import { exportAudit, listAudit, verifyAudit } from '../../audit/audit-log.js';
import type { AuditEntry, ChainVerdict } from '../../audit/audit-chain.js';
import { ExitCode } from '../../shared/errors.js';
import type { CommandSpec } from '../main.js';

export const auditCommand: CommandSpec = {
  register(program, run) {
    const audit: Command = program.command('audit').description('the tamper-evident audit log');

    audit
      .command('list')
      .description('show audit entries, oldest first')
      .option('--limit <n>', 'at most this many entries (the newest)', wholeNumber(1, 1000), 50)
      .option(
        '--after <seq>',
        'only entries after this sequence number (oldest first)',
        wholeNumber(0),
      )
      .option('--action <action>', 'only entries of this action')
      .option('--actor <actor>', 'only entries by this actor')
      .action((options: { limit: number; after?: number; action?: string; actor?: string }) =>
        run('audit list', async (ctx) => {
          const remote = ctx.remote();
          const entries =
            remote === undefined
              ? await listAudit(await ctx.store(), {
                  ...options,
                  newest: options.after === undefined,
                })
              : (
                  await remote.call<{ entries: AuditEntry[] }>(
                    'GET',
                    `/api/v1/audit?${new URLSearchParams(
                      Object.entries(options)
                        .filter(([, v]) => v !== undefined)
                        .map(([k, v]): [string, string] => [k, String(v)]),
                    ).toString()}`,
                  )
                ).entries;
          ctx.output.document('audit list', { ok: true, entries });
          const c = ctx.output.color;
          if (entries.length === 0) ctx.output.line('the audit log has no entries yet');
          for (const e of entries) {
            const at = e.at.replace('T', ' ').slice(0, 19);
            ctx.output.line(
              `${c.dim(String(e.seq).padStart(6))}  ${at}  ${c.bold(e.actor)}  ${e.action}  ${e.subject}`,
            );
          }
          return ExitCode.ok;
        }),
      );

    audit
      .command('verify')
      .description(
        'check the hash chain: exit 1 and name the first bad entry if anything was changed',
      )
      .action(() =>
        run('audit verify', async (ctx) => {
          const remote = ctx.remote();
          const result =
            remote === undefined
              ? await verifyAudit(await ctx.store())
              : await remote.call<ChainVerdict>('GET', '/api/v1/audit/verify');
          ctx.output.document('audit verify', { ...result });
          const c = ctx.output.color;
          if (result.ok) {
            ctx.output.line(
              `${c.green('✓')} audit log intact: ${result.count} ${result.count === 1 ? 'entry' : 'entries'}, every hash chains to the last`,
            );
            return ExitCode.ok;
          }
          const bad = result.firstBad;
          ctx.output.line(
            `${c.red('✗')} audit log tampered at entry ${bad.seq} (${bad.reason}): ${bad.message}`,
          );
          ctx.output.line(
            `  ${result.count} entries before it are intact; from entry ${bad.seq} on, the log cannot be trusted`,
          );
          return ExitCode.blocking;
        }),
      );

    audit
      .command('export')
      .description('write the audit log as JSON Lines (one entry per line)')
      .option('-o, --out <file>', 'write to this file instead of stdout')
      .action((options: { out?: string }) =>
        run('audit export', async (ctx) => {
          const store = await ctx.store();
          if (options.out === undefined) {
            const { count, head } = await exportAudit(store, (line) => ctx.output.raw(`${line}\n`));
            // The head printed here can be kept elsewhere: a rewritten chain would no longer end in it.
            ctx.output.note(
              `${count} entries exported; head ${head === undefined ? 'missing' : `${head.seq} ${head.hash}`}`,
            );
            return ExitCode.ok;
          }
          // Written beside the target and renamed: an interrupted export never leaves half a file.
          const target = path.resolve(ctx.cwd, options.out);
          const temporary = `${target}.${process.pid}.tmp`;
          const file = createWriteStream(temporary, { flags: 'wx' });
          try {
            const { count, head } = await exportAudit(store, async (line) => {
              if (!file.write(`${line}\n`)) await once(file, 'drain');
            });
            file.end();
            await once(file, 'close');
            await rename(temporary, target);
            ctx.output.document('audit export', { ok: true, file: options.out, count, head });
            ctx.output.line(
              `${ctx.output.color.green('✓')} ${count} entries written to ${options.out}`,
            );
            if (head !== undefined) {
              ctx.output.line(
                `  head: entry ${head.seq}, hash ${head.hash} (keep it to compare later)`,
              );
            }
            return ExitCode.ok;
          } catch (error) {
            file.destroy();
            await rm(temporary, { force: true });
            throw error;
          }
        }),
      );
  },
};
