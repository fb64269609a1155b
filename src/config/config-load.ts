/**
 * Finding and reading `understudy.yaml`: the only part of config that touches the disk. A file
 * that cannot be used is an `E_CONFIG` error carrying every problem at once; nothing runs.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UnderstudyError, type Problem } from '../shared/errors.js';
import type { Config } from './config-schema.js';
import { validateConfigText } from './config-validate.js';

export const CONFIG_FILE_NAMES = ['understudy.yaml', 'understudy.yml'] as const;

export interface LoadedConfig {
  readonly config: Readonly<Config>;
  /** Absolute path of the file. */
  readonly file: string;
  /** The directory holding the file: relative paths in the config are relative to it. */
  readonly dir: string;
  readonly warnings: readonly Problem[];
}

/** Looks for the config file from `start` upwards, as git looks for `.git`. */
export function findConfigFile(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Reads and validates the config: the given file, or the nearest `understudy.yaml`. */
export async function loadConfig(options: {
  readonly file?: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}): Promise<LoadedConfig> {
  const file =
    options.file === undefined
      ? findConfigFile(options.cwd)
      : path.resolve(options.cwd, options.file);
  if (file === undefined) {
    throw new UnderstudyError(
      'E_CONFIG',
      `no understudy.yaml in ${options.cwd} or any folder above it`,
      {
        hint: 'run `understudy init` to write one, or pass --config FILE',
      },
    );
  }
  const shown = path.relative(options.cwd, file) || file;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : String(code);
    throw new UnderstudyError('E_CONFIG', `cannot read ${shown}: ${why}`, {
      hint: 'check the --config path',
    });
  }
  const result = validateConfigText(text, { file: shown, env: options.env });
  if (result.config === undefined) {
    const count = result.errors.length;
    throw new UnderstudyError(
      'E_CONFIG',
      `${shown} has ${count} ${count === 1 ? 'problem' : 'problems'}`,
      {
        problems: result.errors,
        hint: 'fix the lines above; `understudy schema` prints every key with its description',
      },
    );
  }
  return { config: result.config, file, dir: path.dirname(file), warnings: result.warnings };
}
