/**
 * `understudy release create|list|show` and `understudy check report`: the releases promotion
 * moves between environments, and the CI results its `check:NAME` gates read. Each change is
 * audited in the same transaction.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { listDeployments, type Deployment } from '../../release/deployments-repository.js';
import type { Release } from '../../release/release-model.js';
import {
  checksOf,
  createRelease,
  getRelease,
  latestChecks,
  listReleases,
  reportCheck,
  type CheckResult,
} from '../../release/releases-repository.js';
import { ExitCode, UnderstudyError, messageOf } from '../../shared/errors.js';
import { wholeNumber } from '../arguments.js';
import type { CommandContext } from '../cli-context.js';
import type { CommandSpec } from '../main.js';

interface CreateOptions {
  readonly commit?: string;
  readonly artifact?: string;
  readonly notes?: string;
  readonly notesFile?: string;
}

function httpUrl(value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
    throw new InvalidArgumentError('must be an http(s) URL, e.g. the CI run that produced it');
  return value;
}

async function notesOf(ctx: CommandContext, options: CreateOptions): Promise<string | undefined> {
  if (options.notes !== undefined && options.notesFile !== undefined)
    throw new UnderstudyError('E_USAGE', 'give --notes or --notes-file, not both');
  if (options.notesFile === undefined) return options.notes;
  try {
    return (await readFile(path.resolve(ctx.cwd, options.notesFile), 'utf8')).trimEnd();
  } catch (error) {
    throw new UnderstudyError(
      'E_INPUT',
      `cannot read the notes file ${options.notesFile}: ${messageOf(error)}`,
    );
  }
}

const short = (commit: string | undefined): string => commit?.slice(0, 12) ?? '—';
const when = (iso: string): string => iso.replace('T', ' ').slice(0, 16);

function checkLine(ctx: CommandContext, check: CheckResult): string {
  const c = ctx.output.color;
  const mark = check.status === 'pass' ? c.green('✓ pass') : c.red('✗ fail');
  return `  ${mark}  ${check.name}  ${c.dim(`${when(check.reportedAt)} by ${check.reportedBy}`)}${check.url === undefined ? '' : `  ${check.url}`}`;
}

function releaseLines(ctx: CommandContext, release: Release): string[] {
  const c = ctx.output.color;
  return [
    `${c.bold(`release ${release.version}`)}  ${c.dim(release.digest)}`,
    `  created ${when(release.createdAt)} by ${release.createdBy}`,
    ...(release.commit === undefined ? [] : [`  commit    ${release.commit}`]),
    ...(release.artifact === undefined ? [] : [`  artifact  ${release.artifact}`]),
    ...(release.notes === undefined
      ? []
      : ['  notes', ...release.notes.split('\n').map((line) => `    ${line}`)]),
  ];
}

async function create(ctx: CommandContext, version: string, options: CreateOptions) {
  const notes = await notesOf(ctx, options);
  const input = {
    version,
    ...(options.commit === undefined ? {} : { commit: options.commit }),
    ...(options.artifact === undefined ? {} : { artifact: options.artifact }),
    ...(notes === undefined ? {} : { notes }),
  };
  const remote = ctx.remote();
  const { release, created } =
    remote === undefined
      ? await createRelease(await ctx.store(), input, await ctx.actorName())
      : await remote.call<{ release: Release; created: boolean }>(
          'POST',
          '/api/v1/releases',
          input,
        );
  ctx.output.document('release create', { ok: true, created, release });
  const c = ctx.output.color;
  ctx.output.line(
    created
      ? `${c.green('✓')} created release ${c.bold(release.version)} (${release.digest})`
      : `${c.green('✓')} release ${c.bold(release.version)} already exists with these contents; nothing changed`,
  );
  return ExitCode.ok;
}

type Listed = { release: Release; checks: readonly Pick<CheckResult, 'name' | 'status'>[] };

async function listed(ctx: CommandContext, limit: number): Promise<Listed[]> {
  const remote = ctx.remote();
  if (remote !== undefined) {
    const { releases } = await remote.call<{
      releases: (Release & { checks: Listed['checks'] })[];
    }>('GET', `/api/v1/releases?limit=${limit}`);
    return releases.map(({ checks, ...release }) => ({ release, checks }));
  }
  const store = await ctx.store();
  const releases = await listReleases(store, limit);
  return Promise.all(
    releases.map(async (release) => ({
      release,
      checks: latestChecks(await checksOf(store, release.version)),
    })),
  );
}

async function list(ctx: CommandContext, limit: number) {
  const withChecks = await listed(ctx, limit);
  const releases = withChecks.map((w) => w.release);
  ctx.output.document('release list', {
    ok: true,
    releases: withChecks.map(({ release, checks }) => ({
      ...release,
      checks: checks.map(({ name, status }) => ({ name, status })),
    })),
  });
  const c = ctx.output.color;
  if (releases.length === 0)
    ctx.output.line('no releases yet: create one with `understudy release create VERSION`');
  for (const { release, checks } of withChecks) {
    const failed = checks.filter((k) => k.status === 'fail').length;
    const summary =
      checks.length === 0
        ? c.dim('no checks')
        : failed > 0
          ? c.red(`${failed} of ${checks.length} checks failing`)
          : c.green(`${checks.length} checks passing`);
    ctx.output.line(
      `${c.bold(release.version.padEnd(16))}  ${short(release.commit).padEnd(12)}  ${when(release.createdAt)}  ${release.createdBy.padEnd(12)}  ${summary}`,
    );
  }
  return ExitCode.ok;
}

async function shown(
  ctx: CommandContext,
  version: string,
): Promise<{ release: Release; history: CheckResult[]; deployments: Deployment[] }> {
  const remote = ctx.remote();
  if (remote !== undefined) {
    const answer = await remote.call<{
      release: Release;
      checks: CheckResult[];
      deployments: Deployment[];
    }>('GET', `/api/v1/releases/${encodeURIComponent(version)}`);
    return { release: answer.release, history: answer.checks, deployments: answer.deployments };
  }
  const store = await ctx.store();
  const release = await getRelease(store, version);
  return {
    release,
    history: await checksOf(store, release.version),
    deployments: await listDeployments(store, { version: release.version }),
  };
}

async function show(ctx: CommandContext, version: string) {
  const { release, history, deployments } = await shown(ctx, version);
  const latest = latestChecks(history);
  ctx.output.document('release show', {
    ok: true,
    release,
    checks: latest,
    checkHistory: history,
    deployments,
  });
  for (const line of releaseLines(ctx, release)) ctx.output.line(line);
  ctx.output.line('');
  if (latest.length === 0) ctx.output.line('  no checks reported yet');
  else {
    ctx.output.line(`  checks (newest result of each; ${history.length} reported in all)`);
    for (const check of latest) ctx.output.line(checkLine(ctx, check));
  }
  ctx.output.line('');
  if (deployments.length === 0) ctx.output.line('  not deployed anywhere yet');
  else {
    ctx.output.line('  deployments (newest first)');
    const c = ctx.output.color;
    for (const d of deployments) {
      const status =
        d.status === 'succeeded'
          ? c.green(d.status)
          : d.finishedAt === undefined
            ? c.yellow(d.status)
            : c.red(d.status);
      ctx.output.line(
        `  ${when(d.startedAt)}  ${d.env.padEnd(12)}  ${d.kind.padEnd(8)}  ${status}${d.reason === undefined ? '' : c.dim(`  ${d.reason}`)}`,
      );
    }
  }
  return ExitCode.ok;
}

export const releaseCommand: CommandSpec = {
  register(program, run) {
    const release: Command = program
      .command('release')
      .description('releases: immutable versions that promotion moves through the stages');

    release
      .command('create')
      .description('create a release; identical contents again change nothing, others are refused')
      .argument('<version>', 'the version name, e.g. v1.4.2')
      .option('--commit <sha>', 'the git commit it was built from')
      .option('--artifact <digest>', 'the digest of what is deployed, e.g. sha256:…')
      .option('--notes <text>', 'release notes')
      .option('--notes-file <file>', 'release notes from a file')
      .action((version: string, options: CreateOptions) =>
        run('release create', (ctx) => create(ctx, version, options)),
      );

    release
      .command('list')
      .description('releases, newest first, with their checks')
      .option('--limit <n>', 'at most this many', wholeNumber(1, 1000), 20)
      .action((options: { limit: number }) =>
        run('release list', (ctx) => list(ctx, options.limit)),
      );

    release
      .command('show')
      .description('one release: what it is made of, its digest and its evidence')
      .argument('<version>', 'the version name')
      .action((version: string) => run('release show', (ctx) => show(ctx, version)));

    const check: Command = program
      .command('check')
      .description('results of CI checks, which check:NAME gates read');
    check
      .command('report')
      .description('record the result of a CI check for a release')
      .argument('<name>', 'the check, as gates name it (check:NAME)')
      .requiredOption('--version <version>', 'the release it checked')
      .addOption(
        new Option('--status <status>', 'the result')
          .choices(['pass', 'fail'])
          .makeOptionMandatory(),
      )
      .option('--url <url>', 'where the run can be seen', httpUrl)
      .action((name: string, options: { version: string; status: 'pass' | 'fail'; url?: string }) =>
        run('check report', async (ctx) => {
          const remote = ctx.remote();
          const result =
            remote === undefined
              ? await reportCheck(await ctx.store(), { name, ...options }, await ctx.actorName())
              : (
                  await remote.call<{ check: CheckResult }>(
                    'POST',
                    `/api/v1/releases/${encodeURIComponent(options.version)}/checks`,
                    {
                      name,
                      status: options.status,
                      ...(options.url === undefined ? {} : { url: options.url }),
                    },
                  )
                ).check;
          ctx.output.document('check report', { ok: true, check: result });
          const c = ctx.output.color;
          ctx.output.line(
            `${c.green('✓')} recorded ${name} ${result.status === 'pass' ? c.green('pass') : c.red('fail')} for release ${c.bold(result.version)}`,
          );
          return ExitCode.ok;
        }),
      );
  },
};
