/**
 * `understudy reserve ENV --for 2h --reason …`, `release-reservation ENV`, `reservations`:
 * fair, expiring leases of shared environments. A promotion into an environment someone else
 * holds is pending until the lease ends.
 */
import { InvalidArgumentError, type Command } from 'commander';
import {
  checkEnvironment,
  defaultHold,
  maxHold,
  notifyMoves,
  releaseReservation,
  reservationBoard,
  reserve,
  type BoardRow,
  type Reservation,
} from '../../coordination/reservations.js';
import type { NotifyFailure } from '../../notify/notify.js';
import { parseDuration } from '../../shared/duration.js';
import { ExitCode } from '../../shared/errors.js';
import type { CommandContext } from '../cli-context.js';
import type { CommandSpec } from '../main.js';
import { warnUndelivered } from '../reporters/undelivered.js';

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new InvalidArgumentError('must be a duration such as 30m, 2h or 1h30m');
  return ms;
}

const until = (iso: string | undefined): string => (iso ?? '?').replace('T', ' ').slice(0, 16);

async function reserveEnv(
  ctx: CommandContext,
  env: string,
  options: { for?: number; reason: string; extend?: boolean; wait?: boolean },
): Promise<number> {
  const c = ctx.output.color;
  const remote = ctx.remote();
  type Asked = { reservation: Reservation; position: number; extended: boolean; holder: string };
  let ask: (extend: boolean) => Promise<Asked>;
  if (remote !== undefined) {
    ask = async (extend) => {
      const answer = await remote.call<Omit<Asked, 'holder'> & { undelivered: NotifyFailure[] }>(
        'POST',
        '/api/v1/reservations',
        {
          env,
          reason: options.reason,
          extend,
          ...(options.for === undefined ? {} : { for: `${options.for}ms` }),
        },
      );
      warnUndelivered(ctx.output, answer.undelivered);
      return { ...answer, holder: answer.reservation.holder };
    };
  } else {
    const { config } = await ctx.config();
    checkEnvironment(config, env);
    const store = await ctx.store();
    const holder = await ctx.actorName();
    const durationMs = options.for ?? defaultHold(config);
    ask = async (extend) => {
      const asked = await reserve(
        store,
        { env, holder, reason: options.reason, durationMs, extend },
        maxHold(config),
      );
      warnUndelivered(ctx.output, await notifyMoves(config, asked.moves));
      return { ...asked, holder };
    };
  }
  let result = await ask(options.extend === true);
  while (options.wait === true && result.reservation.status === 'queued') {
    ctx.output.live([c.dim(`waiting for ${env}: number ${result.position} in the queue`)]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    result = await ask(false);
  }
  ctx.output.live([]);
  const holder = result.holder;
  const r = result.reservation;
  ctx.output.document('reserve', {
    ok: true,
    reservation: r,
    position: result.position,
    extended: result.extended,
  });
  if (r.status === 'held') {
    ctx.output.line(
      `${c.green('✓')} ${holder} holds ${c.bold(env)} until ${until(r.expiresAt)}${result.extended ? ' (extended)' : ''} — at most until ${until(r.maxUntil)}`,
    );
    return ExitCode.ok;
  }
  ctx.output.line(
    `${c.yellow('…')} ${env} is taken: ${holder} is number ${result.position} in the queue (--wait to wait; release-reservation to leave it)`,
  );
  return ExitCode.pending;
}

export const reserveCommand: CommandSpec = {
  register(program, run) {
    program
      .command('reserve')
      .description(
        'hold a shared environment for a while, or queue for it (first come, first served)',
      )
      .argument('<env>', 'the environment')
      .option('--for <duration>', 'how long (default: reservations.default)', duration)
      .requiredOption('--reason <text>', 'what you need it for, shown to the others')
      .option(
        '--extend',
        'extend the lease you hold (up to reservations.max from when it was granted)',
      )
      .option('--wait', 'wait in the queue until the lease is yours')
      .addHelpText('after', '\nExit codes: 0 held · 3 queued')
      .action(
        (
          env: string,
          options: { for?: number; reason: string; extend?: boolean; wait?: boolean },
        ) => run('reserve', (ctx) => reserveEnv(ctx, env, options)),
      );

    program
      .command('release-reservation')
      .description('give up your lease (or your place in the queue); the next in line gets it')
      .argument('<env>', 'the environment')
      .action((env: string) =>
        run('release-reservation', async (ctx) => {
          const remote = ctx.remote();
          let released: Reservation;
          let moves: { granted: readonly Reservation[] };
          if (remote !== undefined) {
            const answer = await remote.call<{
              released: Reservation;
              granted: Reservation[];
              undelivered: NotifyFailure[];
            }>('DELETE', `/api/v1/reservations/${encodeURIComponent(env)}`);
            released = answer.released;
            moves = { granted: answer.granted };
            warnUndelivered(ctx.output, answer.undelivered);
          } else {
            const { config } = await ctx.config();
            checkEnvironment(config, env);
            const given = await releaseReservation(
              await ctx.store(),
              env,
              await ctx.actorName(),
              maxHold(config),
            );
            released = given.released;
            moves = given.moves;
            warnUndelivered(ctx.output, await notifyMoves(config, given.moves));
          }
          const holder = released.holder;
          ctx.output.document('release-reservation', {
            ok: true,
            released,
            granted: moves.granted,
          });
          ctx.output.line(`${ctx.output.color.green('✓')} ${holder} released ${env}`);
          for (const g of moves.granted)
            ctx.output.line(`  ${g.holder} holds it now, until ${until(g.expiresAt)}`);
          return ExitCode.ok;
        }),
      );

    const list: Command = program
      .command('reservations')
      .description('who holds each environment, running which version, until when; who waits');
    list.action(() =>
      run('reservations', async (ctx) => {
        const remote = ctx.remote();
        let rows: BoardRow[];
        if (remote !== undefined) {
          const answer = await remote.call<{
            environments: BoardRow[];
            undelivered: NotifyFailure[];
          }>('GET', '/api/v1/reservations');
          rows = answer.environments;
          warnUndelivered(ctx.output, answer.undelivered);
        } else {
          const { config } = await ctx.config();
          const board = await reservationBoard(await ctx.store(), config);
          rows = board.rows;
          warnUndelivered(ctx.output, await notifyMoves(config, board.moves));
        }
        ctx.output.document('reservations', { ok: true, environments: rows });
        const c = ctx.output.color;
        for (const row of rows) {
          const held =
            row.holder === null
              ? c.green('free')
              : `${c.bold(row.holder.holder)} until ${until(row.holder.expiresAt)} (${row.holder.reason})`;
          ctx.output.line(
            `${c.bold(row.env.padEnd(14))}  ${held}  ${c.dim(`running ${row.running ?? '—'}`)}`,
          );
          row.queue.forEach((q, i) => ctx.output.line(`  ${i + 1}. ${q.holder} (${q.reason})`));
        }
        return ExitCode.ok;
      }),
    );
  },
};
