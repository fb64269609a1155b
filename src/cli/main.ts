#!/usr/bin/env node
/**
 * The `understudy` command. It only parses arguments, hands each command its context, and turns
 * whatever happened into one exit code: 0 done, 1 blocking, 2 bad input, 3 pending, 4 failure.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, UnderstudyError } from '../shared/errors.js';
import { createContext, type CommandContext } from './cli-context.js';
import { createOutput, reportError, wantsColor, type Streams } from './cli-output.js';
import { accessCommand } from './commands/access-command.js';
import { approveCommand } from './commands/approve-command.js';
import { auditCommand } from './commands/audit-command.js';
import { dataCommand } from './commands/data-command.js';
import { demoCommand } from './commands/demo-command.js';
import { initCommand } from './commands/init-command.js';
import { parityCommand } from './commands/parity-command.js';
import { promoteCommand } from './commands/promote-command.js';
import { recordCommand } from './commands/record-command.js';
import { releaseCommand } from './commands/release-command.js';
import { replayCommand } from './commands/replay-command.js';
import { reserveCommand } from './commands/reserve-command.js';
import { schemaCommand } from './commands/schema-command.js';
import { serveCommand } from './commands/serve-command.js';
import { trafficCommand } from './commands/traffic-command.js';
import { validateCommand } from './commands/validate-command.js';
import { VERSION } from '../shared/version.js';
import { isMainModule } from '../shared/main-module.js';

/** A command: its declaration, and what runs when it is called. */
export interface CommandSpec {
  /** Adds the command (with its options) to the program. `run` is what its action calls. */
  register(
    program: Command,
    run: (name: string, action: (ctx: CommandContext) => Promise<number>) => Promise<void>,
  ): void;
}

const commands: readonly CommandSpec[] = [
  initCommand,
  validateCommand,
  schemaCommand,
  parityCommand,
  dataCommand,
  recordCommand,
  replayCommand,
  releaseCommand,
  promoteCommand,
  approveCommand,
  reserveCommand,
  accessCommand,
  trafficCommand,
  auditCommand,
  serveCommand,
  demoCommand,
];

/** The commands that also work through `--server` (the others need local files or a terminal). */
const REMOTE_COMMANDS: ReadonlySet<string> = new Set([
  'parity',
  'data sync',
  'release create',
  'release list',
  'release show',
  'check report',
  'promote',
  'rollback',
  'approve',
  'reject',
  'reserve',
  'release-reservation',
  'reservations',
  'audit list',
  'audit verify',
  'user list',
  'whoami',
]);

export interface CliEnvironment {
  readonly streams: Streams;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** Runs the CLI with the given arguments (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliEnvironment): Promise<number> {
  const json = argv.includes('--json');
  const color = wantsColor(io.env, !argv.includes('--no-color'), io.streams.stdout.isTTY === true);
  const output = createOutput(io.streams, { json, color });
  let exitCode: number = ExitCode.ok;
  let commandName = 'understudy';

  if (argv.length === 1 && (argv[0] === '-V' || argv[0] === '--version')) {
    io.streams.stdout.write(`${VERSION}\n`);
    return ExitCode.ok;
  }
  const program = new Command('understudy')
    .description('Makes staging a faithful understudy of production.')
    // Not commander's .version(): that would take `--version` from every subcommand
    // (`check report e2e --version v1.4.2`); `understudy --version` is answered above instead.
    .option('-c, --config <file>', 'the configuration file (default: nearest understudy.yaml)')
    .option('--json', 'print one JSON document on stdout instead of text')
    .option('--no-color', 'no colours (also: NO_COLOR=1)')
    .option(
      '--totp <code>',
      'a current code from your authenticator app, for actions that need a second factor',
    )
    .option(
      '--server <url>',
      'act through `understudy serve` at this URL (also UNDERSTUDY_SERVER), with UNDERSTUDY_TOKEN',
    )
    .showSuggestionAfterError(true)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.streams.stdout.write(text),
      writeErr: (text) => io.streams.stderr.write(text),
      // Usage errors are reported below in the one error format, not by commander.
      outputError: () => undefined,
    })
    .addHelpText(
      'after',
      '\n`understudy --version` (-V) prints the version.\nExit codes: 0 done · 1 blocking finding · 2 bad input · 3 pending · 4 operational failure',
    );

  const run = async (
    name: string,
    action: (ctx: CommandContext) => Promise<number>,
  ): Promise<void> => {
    commandName = name;
    const globals = program.opts<{ config?: string; totp?: string; server?: string }>();
    const context = createContext({
      output,
      cwd: io.cwd,
      env: io.env,
      configFile: globals.config,
      ...(globals.totp === undefined ? {} : { totp: globals.totp }),
      ...(globals.server === undefined ? {} : { server: globals.server }),
    });
    try {
      if (!REMOTE_COMMANDS.has(name) && context.remote() !== undefined)
        throw new UnderstudyError(
          'E_USAGE',
          `\`${name}\` works locally only, not through --server`,
          {
            hint: `through a server: ${[...REMOTE_COMMANDS].join(', ')}; unset UNDERSTUDY_SERVER to run it here`,
          },
        );
      exitCode = await action(context);
    } finally {
      await context.close();
    }
  };
  for (const spec of commands) spec.register(program, run);
  for (const sub of program.commands) applyCommonSettings(sub);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code))
        return ExitCode.ok;
      if (error.code === 'commander.executeSubCommandAsync') return ExitCode.ok;
      const message = error.message
        .replace(/^error: /, '')
        .replace(/\n\(Did you mean (.*)\)$/, ' (did you mean $1)');
      const named = commandPath(program, argv);
      const usage = new UnderstudyError('E_USAGE', message, {
        hint: `see \`${['understudy', ...named, '--help'].join(' ')}\``,
      });
      reportError(usage, output, named.join(' ') || 'understudy', io.streams);
      return usage.exitCode;
    }
    reportError(error, output, commandName, io.streams);
    return error instanceof UnderstudyError ? error.exitCode : ExitCode.operational;
  }
  return exitCode;
}

/** The subcommand names at the start of `argv` (`audit verify`), for pointing at the right help. */
function commandPath(program: Command, argv: readonly string[]): string[] {
  const names: string[] = [];
  let current = program;
  for (const token of argv) {
    if (token.startsWith('-')) continue;
    const next = current.commands.find((c) => c.name() === token || c.aliases().includes(token));
    if (next === undefined) break;
    names.push(next.name());
    current = next;
  }
  return names;
}

/** Subcommands report usage errors the same way as the program and accept the global flags. */
function applyCommonSettings(command: Command): void {
  command.exitOverride().showSuggestionAfterError(true);
  command.configureOutput({ outputError: () => undefined });
  for (const sub of command.commands) applyCommonSettings(sub);
}

/**
 * A reader that stops early (`understudy traffic export cap | head`) closes the pipe under us.
 * Like any Unix tool killed by SIGPIPE, stop quietly with 128 + 13, so `set -o pipefail` still
 * sees that the command did not finish, instead of printing a stack trace.
 */
export const closedPipeExitCode = 141;

function stopQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(closedPipeExitCode);
    throw error;
  });
}

if (isMainModule(import.meta.url)) {
  stopQuietlyOnClosedPipe(process.stdout);
  stopQuietlyOnClosedPipe(process.stderr);
  const code = await runCli(process.argv.slice(2), {
    streams: { stdout: process.stdout, stderr: process.stderr },
    env: process.env,
    cwd: process.cwd(),
  });
  process.exitCode = code;
}
