/**
 * `understudy promote VERSION --to ENV`: every gate named with pass, fail or pending and why,
 * then — when all pass — deploy, verify, and roll back on failure. Deploy output streams to
 * stderr as it comes and is kept with the deployment. Exit 0 deployed, 1 denied or rolled back,
 * 3 pending (gates waiting, a freeze, or the environment busy).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { parseDuration } from '../../shared/duration.js';
import type { GateResult } from '../../release/promotion-gates.js';
import {
  runPromotion,
  runRollback,
  type PromotionResult,
  type RollbackResult,
} from '../../release/promotion-run.js';
import { getRelease } from '../../release/releases-repository.js';
import { ExitCode } from '../../shared/errors.js';
import type { CommandContext } from '../cli-context.js';
import type { CommandSpec } from '../main.js';
import { gateLine } from '../reporters/gate-text.js';
import { warnUndelivered } from '../reporters/undelivered.js';

function durationMs(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new InvalidArgumentError('must be a duration such as 10s, 5m or 1h');
  return ms;
}

const exitCodes: Record<PromotionResult['outcome'], number> = {
  deployed: ExitCode.ok,
  denied: ExitCode.blocking,
  'rolled-back': ExitCode.blocking,
  failed: ExitCode.blocking,
  pending: ExitCode.pending,
};

interface PromoteOptions {
  readonly to: string;
  readonly wait?: boolean;
  readonly interval: number;
  readonly timeout: number;
  readonly breakGlass?: string;
}

/** The pending gates and their reasons: what a waiting promotion reports when it changes. */
const pendingKey = (gates: readonly GateResult[]): string =>
  gates
    .filter((g) => g.status === 'pending')
    .map((g) => `${g.gate}: ${g.reason.replace(/\d+ (s|min|h) ago/g, '')}`)
    .join('\n');

async function promote(
  ctx: CommandContext,
  version: string,
  options: PromoteOptions,
): Promise<number> {
  const env = options.to;
  const c = ctx.output.color;
  const remote = ctx.remote();
  const onState = (state: string): void => ctx.output.note(c.dim(`→ ${state}`));
  const onOutput = (text: string): void => {
    for (const line of text.replace(/\n$/, '').split('\n')) ctx.output.note(c.dim(`  │ ${line}`));
  };
  let attempt: (quiet: (gates: readonly GateResult[]) => boolean) => Promise<PromotionResult>;
  if (remote !== undefined) {
    attempt = async () => {
      const { job } = await remote.call<{ job: { id: string } }>(
        'POST',
        '/api/v1/promotions',
        {
          version,
          env,
          ...(options.breakGlass === undefined ? {} : { breakGlass: options.breakGlass }),
        },
        { withTotp: true },
      );
      const done = await remote.follow(job.id, (line) =>
        line.startsWith('→ ') ? onState(line.slice(2)) : onOutput(line),
      );
      return done.result as PromotionResult;
    };
  } else {
    const loaded = await ctx.config();
    const store = await ctx.store();
    const release = await getRelease(store, version);
    const identity = await ctx.identity();
    attempt = (quiet) =>
      runPromotion({
        store,
        config: loaded.config,
        cwd: loaded.dir,
        release,
        env,
        actor: identity?.name ?? ctx.actor(),
        ...(identity === undefined ? {} : { identity }),
        onState,
        onOutput,
        quietPending: quiet,
        ...(options.breakGlass === undefined ? {} : { breakGlass: options.breakGlass }),
      });
  }
  const giveUpAt = Date.now() + options.timeout;
  let lastPending: string | undefined;
  let result: PromotionResult;
  for (;;) {
    const seen = lastPending;
    result = await attempt((gates) => seen !== undefined && pendingKey(gates) === seen);
    if (result.outcome !== 'pending' || options.wait !== true || Date.now() >= giveUpAt) break;
    const key = pendingKey(result.gates);
    if (key !== lastPending && !ctx.output.interactive)
      ctx.output.note(c.yellow(`… waiting: ${result.reason}`));
    lastPending = key;
    ctx.output.live([
      c.yellow(`… waiting for ${env}: ${result.reason}`),
      ...result.gates
        .filter((g) => g.status === 'pending')
        .map((g) => c.dim(`  ${g.gate}: ${g.reason}`)),
    ]);
    await new Promise((resolve) => setTimeout(resolve, options.interval));
  }
  ctx.output.live([]);
  ctx.output.document('promote', { ok: result.outcome === 'deployed', ...result });
  ctx.output.line(`promote ${c.bold(version)} → ${c.bold(env)}`);
  for (const gate of result.gates) ctx.output.line(gateLine(gate, ctx.output.color));
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
      .option('--wait', 'while pending, try again until it deploys, is denied, or --timeout')
      .option('--interval <duration>', 'how often --wait tries again', durationMs, 10_000)
      .option('--timeout <duration>', 'how long --wait waits at most', durationMs, 3_600_000)
      .option(
        '--break-glass <reason>',
        'deploy through a freeze: admin with --totp, and a second person must approve',
      )
      .addHelpText(
        'after',
        '\nExit codes: 0 deployed · 1 denied, or failed and rolled back · 3 pending (gates waiting, a freeze, another deployment)',
      );
    command.action((version: string, options: PromoteOptions) =>
      run('promote', (ctx) => promote(ctx, version, options)),
    );

    program
      .command('rollback')
      .description('deploy an earlier version that ran in an environment (default: the one before)')
      .argument('<env>', 'the environment')
      .option('--to <version>', 'the version to go back to')
      .addHelpText(
        'after',
        '\nExit codes: 0 rolled back · 1 the rollback failed · 3 the environment is busy',
      )
      .action((env: string, options: { to?: string }) =>
        run('rollback', async (ctx) => {
          const c = ctx.output.color;
          const onState = (state: string): void => ctx.output.note(c.dim(`→ ${state}`));
          const onOutput = (text: string): void => {
            for (const line of text.replace(/\n$/, '').split('\n'))
              ctx.output.note(c.dim(`  │ ${line}`));
          };
          const remote = ctx.remote();
          let result: RollbackResult;
          if (remote !== undefined) {
            const { job } = await remote.call<{ job: { id: string } }>(
              'POST',
              '/api/v1/rollbacks',
              { env, ...(options.to === undefined ? {} : { to: options.to }) },
              { withTotp: true },
            );
            const done = await remote.follow(job.id, (line) =>
              line.startsWith('→ ') ? onState(line.slice(2)) : onOutput(line),
            );
            result = done.result as RollbackResult;
          } else {
            const loaded = await ctx.config();
            const store = await ctx.store();
            const identity = await ctx.identity();
            result = await runRollback({
              store,
              config: loaded.config,
              cwd: loaded.dir,
              env,
              actor: identity?.name ?? ctx.actor(),
              ...(identity === undefined ? {} : { identity }),
              ...(options.to === undefined ? {} : { to: options.to }),
              onState,
              onOutput,
            });
          }
          ctx.output.document('rollback', { ok: result.outcome === 'rolled-back', ...result });
          ctx.output.line(
            result.outcome === 'rolled-back'
              ? c.green(`✓ ${env}: ${result.reason}`)
              : result.outcome === 'pending'
                ? c.yellow(`… ${result.reason}`)
                : c.red(`✗ ${result.reason}`),
          );
          warnUndelivered(ctx.output, result.undelivered ?? []);
          return result.outcome === 'rolled-back'
            ? ExitCode.ok
            : result.outcome === 'pending'
              ? ExitCode.pending
              : ExitCode.blocking;
        }),
      );
  },
};
