/**
 * `understudy approve|reject VERSION --env ENV [--comment TEXT]`: a person's decision on
 * promoting a release into an environment, bound to the release and the evidence as it stands.
 */
import type { Command } from 'commander';
import { decide, type Decision } from '../../release/approvals.js';
import { approveBreakGlass, type Override } from '../../release/overrides.js';
import type { GateResult } from '../../release/promotion-gates.js';
import type { CommandContext } from '../cli-context.js';
import { getRelease } from '../../release/releases-repository.js';
import { ExitCode } from '../../shared/errors.js';
import type { CommandSpec } from '../main.js';

export const approveCommand: CommandSpec = {
  register(program, run) {
    for (const verb of ['approve', 'reject'] as const) {
      const command: Command = program
        .command(verb)
        .description(
          verb === 'approve'
            ? 'approve promoting a release into an environment (approver role; --totp where protected)'
            : 'reject promoting a release into an environment: denied until you approve it again',
        )
        .argument('<version>', 'the release')
        .requiredOption('--env <env>', 'the environment it would be promoted into')
        .option('--comment <text>', 'why, for the audit log and the others');
      if (verb === 'approve')
        command.option(
          '--break-glass',
          "agree to an admin's request to deploy through a freeze (you, not them; with --totp)",
        );
      command.action(
        (version: string, options: { env: string; comment?: string; breakGlass?: boolean }) =>
          run(verb, async (ctx) => {
            const remote = ctx.remote();
            if (remote !== undefined) {
              const answer = await remote.call<{
                override?: Override;
                decision?: Decision;
                evidenceNotPassing?: GateResult[];
              }>(
                'POST',
                '/api/v1/approvals',
                {
                  version,
                  env: options.env,
                  decision: verb,
                  ...(options.comment === undefined ? {} : { comment: options.comment }),
                  ...(options.breakGlass === true ? { breakGlass: true } : {}),
                },
                { withTotp: true },
              );
              if (answer.override !== undefined)
                return showOverride(ctx, answer.override, version, options.env);
              return showDecision(
                ctx,
                verb,
                version,
                options.env,
                answer.decision!,
                answer.evidenceNotPassing ?? [],
              );
            }
            const loaded = await ctx.config();
            const store = await ctx.store();
            const release = await getRelease(store, version);
            if (options.breakGlass === true) {
              const override = await approveBreakGlass(
                store,
                { version: release.version, env: options.env },
                await ctx.identity(),
              );
              return showOverride(ctx, override, version, options.env);
            }
            const { decision, pending } = await decide(
              store,
              {
                release,
                env: options.env,
                decision: verb,
                ...(options.comment === undefined ? {} : { comment: options.comment }),
                config: loaded.config,
                now: new Date(),
              },
              await ctx.identity(),
            );
            return showDecision(ctx, verb, version, options.env, decision, pending);
          }),
      );
    }
  },
};

function showOverride(
  ctx: CommandContext,
  override: Override,
  version: string,
  env: string,
): number {
  ctx.output.document('approve', { ok: true, override });
  ctx.output.line(
    `${ctx.output.color.green('✓')} ${override.approvedBy ?? ''} agreed to ${override.requestedBy}'s break-glass override for ${version} in ${env} (${override.reason})`,
  );
  return ExitCode.ok;
}

function showDecision(
  ctx: CommandContext,
  verb: 'approve' | 'reject',
  version: string,
  env: string,
  decision: Decision,
  pending: readonly GateResult[],
): number {
  ctx.output.document(verb, { ok: true, decision, evidenceNotPassing: pending });
  const c = ctx.output.color;
  ctx.output.line(
    `${c.green('✓')} ${decision.approver} ${verb === 'approve' ? 'approved' : 'rejected'} ${c.bold(version)} for ${c.bold(env)}`,
  );
  if (pending.length > 0)
    ctx.output.line(
      c.yellow(
        `  ! evidence not passing yet (${pending.map((g) => g.gate).join(', ')}): this ${verb === 'approve' ? 'approval' : 'rejection'} lapses when it changes`,
      ),
    );
  return ExitCode.ok;
}
