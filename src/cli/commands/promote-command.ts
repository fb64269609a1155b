/**
 * `understudy promote VERSION --to ENV`: every gate named with pass, fail or pending and why,
 * then — when all pass — deploy, verify, and roll back on failure. Deploy output streams to
 * stderr as it comes and is kept with the deployment. Exit 0 deployed, 1 denied or rolled back,
 * 3 pending (gates waiting, a freeze, or the environment busy).
 */
import type { Command } from 'commander';
import type { GateResult } from '../../release/promotion-gates.js';
import { runPromotion, type PromotionResult } from '../../release/promotion-run.js';
import { getRelease } from '../../release/releases-repository.js';
import { ExitCode } from '../../shared/errors.js';
import type { CommandContext } from '../cli-context.js';
import type { CommandSpec } from '../main.js';
import { warnUndelivered } from '../reporters/undelivered.js';

const exitCodes: Record<PromotionResult['outcome'], number> = {
  deployed: ExitCode.ok,
  denied: ExitCode.blocking,
  'rolled-back': ExitCode.blocking,
  failed: ExitCode.blocking,
  pending: ExitCode.pending,
};

function gateLine(ctx: CommandContext, gate: GateResult): string {
  const c = ctx.output.color;
  const mark =
    gate.status === 'pass'
      ? c.green('✓ pass   ')
      : gate.status === 'fail'
        ? c.red('✗ fail   ')
        : c.yellow('… pending');
  return `  ${mark}  ${gate.gate.padEnd(12)}  ${gate.reason}`;
}

async function promote(ctx: CommandContext, version: string, env: string): Promise<number> {
  const loaded = await ctx.config();
  const store = await ctx.store();
  const release = await getRelease(store, version);
  const identity = await ctx.identity();
  const c = ctx.output.color;
  const result = await runPromotion({
    store,
    config: loaded.config,
    cwd: loaded.dir,
    release,
    env,
    actor: identity?.name ?? ctx.actor(),
    ...(identity === undefined ? {} : { identity }),
    onState: (state) => ctx.output.note(c.dim(`→ ${state}`)),
    onOutput: (text) => {
      for (const line of text.replace(/\n$/, '').split('\n')) ctx.output.note(c.dim(`  │ ${line}`));
    },
  });
  ctx.output.document('promote', { ok: result.outcome === 'deployed', ...result });
  ctx.output.line(`promote ${c.bold(version)} → ${c.bold(env)}`);
  for (const gate of result.gates) ctx.output.line(gateLine(ctx, gate));
  const headline =
    result.outcome === 'deployed'
      ? c.green(`✓ deployed: ${result.reason}`)
      : result.outcome === 'pending'
        ? c.yellow(`… pending: ${result.reason}`)
        : c.red(`✗ ${result.outcome}: ${result.reason}`);
  ctx.output.line(headline);
  warnUndelivered(ctx.output, result.undelivered ?? []);
  return exitCodes[result.outcome];
}

export const promoteCommand: CommandSpec = {
  register(program, run) {
    const command: Command = program
      .command('promote')
      .description(
        'move a release into the next stage: gates, then deploy, verify, roll back on failure',
      )
      .argument('<version>', 'the release')
      .requiredOption('--to <env>', 'the stage to deploy it to')
      .addHelpText(
        'after',
        '\nExit codes: 0 deployed · 1 denied, or failed and rolled back · 3 pending (gates waiting, a freeze, another deployment)',
      );
    command.action((version: string, options: { to: string }) =>
      run('promote', (ctx) => promote(ctx, version, options.to)),
    );
  },
};
