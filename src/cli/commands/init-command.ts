/** `understudy init`: writes a commented starter understudy.yaml from what the project already has. */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  environmentOfEnvFile,
  renderStarterConfig,
  starterDatabaseVariables,
  type DetectedEnvFile,
} from '../../config/config-starter.js';
import { ExitCode, UnderstudyError } from '../../shared/errors.js';
import type { CommandSpec } from '../main.js';
import { writeFileAtomic } from '../write-file.js';

export const initCommand: CommandSpec = {
  register(program, run) {
    program
      .command('init')
      .description('write a commented understudy.yaml, detecting .env files and DATABASE_URL')
      .option('--force', 'overwrite an existing understudy.yaml')
      .action((options: { force?: boolean }) =>
        run('init', async (ctx) => {
          const target = path.resolve(ctx.cwd, ctx.configFile ?? 'understudy.yaml');
          const shown = path.relative(ctx.cwd, target) || target;
          if (existsSync(target) && options.force !== true) {
            throw new UnderstudyError('E_INPUT', `${shown} already exists`, {
              hint: 'use --force to overwrite it',
            });
          }
          const dir = path.dirname(target);
          const envFiles = await detectEnvFiles(dir);
          const text = renderStarterConfig({
            project: await projectName(dir),
            envFiles,
            databaseUrlInEnv: (ctx.env.DATABASE_URL ?? '') !== '',
          });
          await writeFileAtomic(target, text, shown);
          const ignored = await ignoreStateDirectory(dir);

          const variables = Object.values(starterDatabaseVariables);
          ctx.output.document('init', {
            ok: true,
            file: shown,
            detected: envFiles,
            gitignoreUpdated: ignored,
            variables,
          });
          const c = ctx.output.color;
          ctx.output.line(`${c.green('✓')} wrote ${shown}`);
          for (const f of envFiles) {
            ctx.output.line(
              `  found ${f.file}${f.environment === undefined ? '' : ` → ${f.environment}`}${f.hasDatabaseUrl ? ' (sets DATABASE_URL)' : ''}`,
            );
          }
          if (ignored) ctx.output.line('  added .understudy/ (local state) to .gitignore');
          ctx.output.line(
            `next: export ${variables.join(' and ')}, then run ${c.bold('understudy validate')}`,
          );
          return ExitCode.ok;
        }),
      );
  },
};

async function detectEnvFiles(dir: string): Promise<DetectedEnvFile[]> {
  const names = (await readdir(dir))
    .filter((n) => /^\.env(\..+)?$/.test(n) && !/\.(example|sample|template)$/.test(n))
    .sort();
  const found: DetectedEnvFile[] = [];
  for (const file of names) {
    const text = await readFile(path.join(dir, file), 'utf8').catch(() => '');
    found.push({
      file,
      environment: environmentOfEnvFile(file),
      hasDatabaseUrl: /^\s*(export\s+)?DATABASE_URL\s*=/m.test(text),
    });
  }
  return found;
}

async function projectName(dir: string): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
      name?: unknown;
    };
    if (typeof pkg.name === 'string' && pkg.name !== '') return pkg.name.replace(/^@[^/]+\//, '');
  } catch {
    // No package.json: the folder's name is the best guess.
  }
  return path.basename(dir);
}

/** Adds `.understudy/` to an existing .gitignore that lacks it; the state store must not be committed. */
async function ignoreStateDirectory(dir: string): Promise<boolean> {
  const file = path.join(dir, '.gitignore');
  if (!existsSync(file)) return false;
  const text = await readFile(file, 'utf8');
  if (/^\/?\.understudy\/?\s*$/m.test(text)) return false;
  await writeFile(file, `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}.understudy/\n`);
  return true;
}
