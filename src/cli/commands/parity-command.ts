/**
 * `understudy parity`: compares two environments, keeps the report in the store for the release
 * gate and the dashboard, records it in the audit log, and exits 1 on unexplained drift.
 */
import { Option } from 'commander';
import type { ProbeResult, Severity } from '../../parity/drift.js';
import { parityAndRecord } from '../../parity/parity-record.js';
import { formatScore, type ParityReport } from '../../parity/parity-report.js';
import { ExitCode } from '../../shared/errors.js';
import type { CommandSpec } from '../main.js';
import { renderParityJunit } from '../reporters/parity-junit.js';
import { renderEnvironmentDoc, renderParityMarkdown } from '../reporters/parity-markdown.js';
import { renderParityText } from '../reporters/parity-text.js';
import { writeNamedFile } from '../write-file.js';

interface ParityOptions {
  env?: string;
  against?: string;
  failOn?: Severity;
  markdown?: boolean;
  junit?: string;
  writeDoc?: string;
}

/** The exit code a parity report stands for. */
export function parityExitCode(report: ParityReport): number {
  if (report.status === 'error') return ExitCode.operational;
  return report.status === 'drift' ? ExitCode.blocking : ExitCode.ok;
}

export const parityCommand: CommandSpec = {
  register(program, run) {
    program
      .command('parity')
      .description(
        'compare staging with production: schema, config, versions, runtime, data age, infrastructure',
      )
      .option(
        '--env <name>',
        'the environment that must mirror the other (default: parity.env, staging)',
      )
      .option(
        '--against <name>',
        'the environment it is compared with (default: parity.against, production)',
      )
      .addOption(
        new Option(
          '--fail-on <severity>',
          'unexplained drift at or above this fails (default: parity.failOn)',
        ).choices(['breaking', 'notice']),
      )
      .option('--markdown', 'print the report as Markdown (for a pull-request comment)')
      .option('--junit <file>', 'also write the report as JUnit XML')
      .option('--write-doc <file>', 'also write the documented differences as a Markdown page')
      .action((options: ParityOptions) =>
        run('parity', async (ctx) => {
          const c = ctx.output.color;
          const remote = ctx.remote();
          let report: ParityReport;
          let reportId: number;
          if (remote !== undefined) {
            ({ report, reportId } = await remote.call<{ report: ParityReport; reportId: number }>(
              'POST',
              '/api/v1/parity/runs',
              {
                ...(options.env === undefined ? {} : { env: options.env }),
                ...(options.against === undefined ? {} : { against: options.against }),
                ...(options.failOn === undefined ? {} : { failOn: options.failOn }),
              },
            ));
          } else {
            const { config, dir } = await ctx.config();
            const actor = await ctx.actorName();
            const onProbe = (result: ProbeResult): void => {
              if (ctx.output.interactive && !ctx.output.json)
                ctx.output.note(c.dim(`  ${result.probe}: ${result.status}`));
            };
            if (ctx.output.interactive && !ctx.output.json)
              ctx.output.note(c.dim('comparing the environments…'));
            const recorded = await parityAndRecord({
              config,
              dir,
              store: await ctx.store(),
              actor,
              env: options.env,
              against: options.against,
              failOn: options.failOn,
              onProbe,
            });
            report = recorded.report;
            reportId = recorded.stored.id;
          }
          if (options.junit !== undefined)
            await writeNamedFile(ctx.cwd, options.junit, renderParityJunit(report));
          if (options.writeDoc !== undefined)
            await writeNamedFile(ctx.cwd, options.writeDoc, renderEnvironmentDoc(report));

          ctx.output.document('parity', {
            ok: report.status === 'pass',
            reportId,
            report,
          });
          if (options.markdown === true) ctx.output.line(renderParityMarkdown(report).trimEnd());
          else for (const line of renderParityText(report, c)) ctx.output.line(line);
          if (!ctx.output.json && options.markdown !== true) {
            ctx.output.note(
              c.dim(`report ${reportId} stored (score ${formatScore(report.score)})`),
            );
          }
          return parityExitCode(report);
        }),
      );
  },
};
