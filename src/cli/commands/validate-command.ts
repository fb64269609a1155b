/** `understudy validate`: checks the configuration file and reports every problem at once. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/config-schema.js';
import { ExitCode, type Problem } from '../../shared/errors.js';
import { formatProblems } from '../cli-output.js';
import type { CommandSpec } from '../main.js';

export const validateCommand: CommandSpec = {
  register(program, run) {
    program
      .command('validate')
      .description('check understudy.yaml: every mistake with its line, and the files it refers to')
      .action(() =>
        run('validate', async (ctx) => {
          const { config, file, dir, warnings } = await ctx.config();
          const missing = missingFiles(config, dir);
          const all = [...warnings, ...missing];
          const shown = path.relative(ctx.cwd, file) || file;
          const sections = (
            ['parity', 'data', 'traffic', 'release', 'notifications'] as const
          ).filter((s) => config[s] !== undefined);
          const environments = Object.entries(config.environments).map(([name, env]) => ({
            name,
            protected: env.protected,
          }));
          ctx.output.document('validate', {
            ok: true,
            file: shown,
            project: config.project,
            environments,
            sections,
            warnings: all,
          });
          const c = ctx.output.color;
          ctx.output.line(`${c.green('✓')} ${shown} is valid`);
          const envText = environments
            .map((e) => (e.protected ? `${e.name} ${c.dim('(protected)')}` : e.name))
            .join(', ');
          ctx.output.line(`  project ${c.bold(config.project)} · environments: ${envText}`);
          ctx.output.line(
            `  sections: ${sections.length === 0 ? 'none yet' : sections.join(', ')}`,
          );
          // Config warnings were already shown when the file was loaded; these are validate's own.
          for (const line of formatProblems(missing, c, c.yellow('!'))) ctx.output.note(line);
          return ExitCode.ok;
        }),
      );
  },
};

/** Files the config names (config sources, terraform output) that do not exist. */
function missingFiles(config: Readonly<Config>, dir: string): Problem[] {
  const problems: Problem[] = [];
  for (const [name, env] of Object.entries(config.environments)) {
    env.config.forEach((source, i) => {
      const file =
        'dotenv' in source
          ? source.dotenv
          : 'json' in source
            ? source.json
            : 'yaml' in source
              ? source.yaml
              : 'kubernetes' in source
                ? source.kubernetes
                : undefined;
      if (file !== undefined && !existsSync(path.resolve(dir, file))) {
        const key = Object.keys(source)[0] ?? 'file';
        problems.push({
          path: `environments.${name}.config[${i}].${key}`,
          message: `${file} does not exist (parity will report this probe as failed)`,
        });
      }
    });
    const tf = env.infrastructure?.terraform;
    if (tf !== undefined && !existsSync(path.resolve(dir, tf))) {
      problems.push({
        path: `environments.${name}.infrastructure.terraform`,
        message: `${tf} does not exist`,
      });
    }
  }
  return problems;
}
