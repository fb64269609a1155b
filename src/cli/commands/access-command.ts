/**
 * `understudy user add|list`, `understudy token create`, `understudy whoami`: the people and CI
 * tokens that may act on environments. Adding a person prints their personal token once and
 * their TOTP enrolment as a QR code to scan with an authenticator app.
 */
import type { Command } from 'commander';
import QRCode from 'qrcode';
import {
  addPerson,
  createCiToken,
  listPeople,
  type Identity,
  type PersonSummary,
} from '../../access/people.js';
import { describeRoles } from '../../access/roles.js';
import { setPassword } from '../../access/sessions.js';
import { ExitCode, UnderstudyError } from '../../shared/errors.js';
import type { CommandSpec } from '../main.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** All of standard input, without the final line break. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks on the terminal without echoing what is typed. */
async function promptHidden(question: string): Promise<string> {
  if (process.stdin.isTTY !== true)
    throw new UnderstudyError('E_USAGE', 'no terminal to ask for the password on', {
      hint: 'pipe it in with --password-stdin',
    });
  process.stderr.write(question);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  let typed = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      const onData = (data: Buffer): void => {
        for (const ch of data.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            resolve(typed);
            return;
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            reject(new UnderstudyError('E_OPERATION', 'interrupted'));
            return;
          }
          if (ch === '\u007f') typed = typed.slice(0, -1);
          else typed += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

export const accessCommand: CommandSpec = {
  register(program, run) {
    const user: Command = program
      .command('user')
      .description(
        'people who act on environments: roles per environment, a token, a second factor',
      );

    user
      .command('password')
      .description(
        "set the password for signing in to the dashboard: yours, or anyone's as an admin (with --totp)",
      )
      .argument('[name]', 'whose (default: yours, from UNDERSTUDY_TOKEN)')
      .option('--password-stdin', 'read the password from standard input instead of a prompt')
      .action((name: string | undefined, options: { passwordStdin?: boolean }) =>
        run('user password', async (ctx) => {
          const identity = await ctx.identity();
          const whose = name ?? identity?.name;
          if (whose === undefined)
            throw new UnderstudyError(
              'E_USAGE',
              'whose password? set UNDERSTUDY_TOKEN, or name the person',
            );
          const password =
            options.passwordStdin === true
              ? await readStdin()
              : await promptHidden(`new password for ${whose}: `);
          await setPassword(await ctx.store(), whose, password, identity);
          ctx.output.document('user password', { ok: true, name: whose });
          ctx.output.line(
            `${ctx.output.color.green('✓')} set the password of ${whose}; their sessions were ended`,
          );
          return ExitCode.ok;
        }),
      );

    user
      .command('add')
      .description('add a person (the first becomes admin everywhere; later ones need an admin)')
      .argument('<name>', 'a short name, e.g. ana')
      .option(
        '--role <env:role>',
        'ENV:ROLE, repeatable; ROLE: viewer, deployer, approver, admin',
        collect,
      )
      .option('--password-stdin', 'also set their dashboard password, read from standard input')
      .action((name: string, options: { role?: string[]; passwordStdin?: boolean }) =>
        run('user add', async (ctx) => {
          const store = await ctx.store();
          const password = options.passwordStdin === true ? await readStdin() : undefined;
          const enrolment = await addPerson(
            store,
            { name, grants: options.role ?? [], ...(password === undefined ? {} : { password }) },
            { identity: await ctx.identity(), fallbackActor: ctx.actor() },
          );
          ctx.output.document('user add', { ok: true, ...enrolment });
          const c = ctx.output.color;
          ctx.output.line(
            `${c.green('✓')} added ${c.bold(name)}: ${describeRoles(enrolment.person.roles)}${enrolment.bootstrap ? c.dim(' (the first person: admin everywhere)') : ''}`,
          );
          ctx.output.line('');
          ctx.output.line(`  personal token (shown once; give it to ${name} privately):`);
          ctx.output.line(`    ${enrolment.token}`);
          ctx.output.line('');
          ctx.output.line('  scan with an authenticator app for the second factor:');
          const qr = await QRCode.toString(enrolment.otpauthUri, { type: 'terminal', small: true });
          for (const line of qr.trimEnd().split('\n')) ctx.output.line(`    ${line}`);
          ctx.output.line(`  or enter the key by hand: ${enrolment.totpSecret}`);
          ctx.output.line('');
          ctx.output.line(
            c.dim(
              `  ${name} acts with UNDERSTUDY_TOKEN=<token>, and --totp CODE where a second factor is needed`,
            ),
          );
          return ExitCode.ok;
        }),
      );

    user
      .command('list')
      .description('people and their roles')
      .action(() =>
        run('user list', async (ctx) => {
          const remote = ctx.remote();
          const people =
            remote === undefined
              ? await listPeople(await ctx.store())
              : (await remote.call<{ people: PersonSummary[] }>('GET', '/api/v1/people')).people;
          ctx.output.document('user list', { ok: true, people });
          if (people.length === 0)
            ctx.output.line('nobody yet: `understudy user add NAME` adds the first admin');
          for (const p of people)
            ctx.output.line(
              `${ctx.output.color.bold(p.name.padEnd(16))}  ${describeRoles(p.roles)}`,
            );
          return ExitCode.ok;
        }),
      );

    program
      .command('token')
      .description('API tokens for CI')
      .command('create')
      .description('create a scoped CI token (admin, with --totp); it is shown once')
      .argument('<name>', 'what uses it, e.g. github-actions')
      .option('--scope <env:role>', 'ENV:ROLE, repeatable, e.g. staging:deployer', collect)
      .action((name: string, options: { scope?: string[] }) =>
        run('token create', async (ctx) => {
          const created = await createCiToken(
            await ctx.store(),
            { name, grants: options.scope ?? [] },
            await ctx.identity(),
          );
          ctx.output.document('token create', { ok: true, ...created });
          ctx.output.line(
            `${ctx.output.color.green('✓')} created CI token ${created.name}: ${describeRoles(created.scopes)}`,
          );
          ctx.output.line(`  ${created.token}`);
          ctx.output.line(
            ctx.output.color.dim('  shown once: store it as a CI secret named UNDERSTUDY_TOKEN'),
          );
          return ExitCode.ok;
        }),
      );

    program
      .command('whoami')
      .description('who UNDERSTUDY_TOKEN (and --totp) proves you are')
      .action(() =>
        run('whoami', async (ctx) => {
          const remote = ctx.remote();
          const identity =
            remote === undefined
              ? await ctx.identity()
              : await remote.call<Identity>('GET', '/api/v1/session');
          ctx.output.document('whoami', {
            ok: true,
            identity: identity ?? null,
            actor: identity?.name ?? ctx.actor(),
          });
          if (identity === undefined)
            ctx.output.line(
              `${ctx.actor()} (no UNDERSTUDY_TOKEN: plain local use; protected environments refuse changes)`,
            );
          else
            ctx.output.line(
              `${identity.name} (${identity.auth}${identity.secondFactor ? ', second factor' : ''}): ${describeRoles(identity.roles)}`,
            );
          return ExitCode.ok;
        }),
      );
  },
};
