/**
 * The versions probe: asks each environment what it runs (an HTTP endpoint's JSON field, or a
 * command's output) and, inside a git repository, how many commits apart the two are.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { EnvironmentConfig } from '../config/config-schema.js';
import { UnderstudyError, messageOf } from '../shared/errors.js';
import { driftPath, type ProbeResult } from './drift.js';

const run = promisify(execFile);

export interface VersionsProbeInput {
  readonly env: { readonly name: string; readonly config: EnvironmentConfig };
  readonly against: { readonly name: string; readonly config: EnvironmentConfig };
  /** Directory of understudy.yaml: commands run there, and git is asked there. */
  readonly dir: string;
}

/** Compares the deployed versions of two environments. */
export async function runVersionsProbe(input: VersionsProbeInput): Promise<ProbeResult> {
  const lacking = [input.env, input.against]
    .filter((e) => e.config.version === undefined)
    .map((e) => e.name);
  if (lacking.length > 0) {
    return {
      probe: 'versions',
      status: 'skipped',
      reason: `${lacking.join(' and ')} ${lacking.length === 1 ? 'has' : 'have'} no version source (environments.NAME.version)`,
      compared: 0,
      differences: [],
    };
  }
  let versions: [string, string];
  try {
    versions = await Promise.all([
      readVersion(input.env.name, input.env.config, input.dir),
      readVersion(input.against.name, input.against.config, input.dir),
    ]);
  } catch (error) {
    return {
      probe: 'versions',
      status: 'failed',
      reason: messageOf(error),
      unreachable: error instanceof UnderstudyError && error.code === 'E_UNREACHABLE',
      compared: 0,
      differences: [],
    };
  }
  const [envVersion, againstVersion] = versions;
  const apart =
    envVersion === againstVersion
      ? undefined
      : await commitsApart(input.dir, againstVersion, envVersion);
  const facts = {
    [input.env.name]: envVersion,
    [input.against.name]: againstVersion,
    ...(apart === undefined ? {} : { commitsAhead: apart.ahead, commitsBehind: apart.behind }),
  };
  if (envVersion === againstVersion)
    return { probe: 'versions', status: 'compared', compared: 1, differences: [], facts };
  const note =
    apart === undefined
      ? `${input.env.name} runs another version than ${input.against.name}`
      : `${input.env.name} is ${apart.ahead} ${apart.ahead === 1 ? 'commit' : 'commits'} ahead of ${input.against.name} and ${apart.behind} behind`;
  return {
    probe: 'versions',
    status: 'compared',
    compared: 1,
    facts,
    differences: [
      {
        probe: 'versions',
        path: driftPath('versions', 'deployed'),
        kind: 'changed',
        severity: 'notice',
        envValue: envVersion,
        againstValue: againstVersion,
        note,
      },
    ],
  };
}

/** What one environment says it runs. */
export async function readVersion(
  name: string,
  env: EnvironmentConfig,
  dir: string,
): Promise<string> {
  const source = env.version;
  if (source === undefined) throw new UnderstudyError('E_CONFIG', `${name} has no version source`);
  if ('command' in source) {
    try {
      const { stdout } = await run('/bin/sh', ['-c', source.command], {
        cwd: dir,
        timeout: 30_000,
        maxBuffer: 1 << 20,
      });
      const line = stdout.trim().split('\n')[0]?.trim() ?? '';
      if (line === '') throw new Error('it printed nothing');
      return line;
    } catch (error) {
      throw new UnderstudyError(
        'E_OPERATION',
        `${name}'s version command failed: ${messageOf(error).split('\n')[0]}`,
      );
    }
  }
  const url = resolveUrl(name, env, source.http);
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(10_000),
      headers: { accept: 'application/json' },
    });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    throw new UnderstudyError(
      'E_UNREACHABLE',
      `cannot reach ${name}'s version endpoint ${url}: ${messageOf(cause ?? error)}`,
    );
  }
  if (!response.ok)
    throw new UnderstudyError(
      'E_OPERATION',
      `${name}'s version endpoint ${url} answered ${response.status}`,
    );
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new UnderstudyError(
      'E_OPERATION',
      `${name}'s version endpoint ${url} did not answer with JSON`,
    );
  }
  const value = source.field
    .split('.')
    .reduce<unknown>(
      (v, key) =>
        v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined,
      body,
    );
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new UnderstudyError(
      'E_OPERATION',
      `${name}'s version endpoint ${url} has no field "${source.field}"`,
    );
  }
  return String(value);
}

/** A URL, or a path on the environment's URL. */
export function resolveUrl(name: string, env: EnvironmentConfig, target: string): string {
  if (/^https?:\/\//.test(target)) return target;
  if (env.url === undefined) {
    throw new UnderstudyError(
      'E_CONFIG',
      `${name}'s source "${target}" is a path, but ${name} has no url`,
      { hint: `set environments.${name}.url` },
    );
  }
  // Appended to the environment's URL, path prefix included: `/version` on `https://x/app` is `https://x/app/version`.
  return `${env.url.replace(/\/+$/, '')}/${target.replace(/^\/+/, '')}`;
}

/** Commits `env` is ahead of and behind `against`, when both are commits of the local repository. */
async function commitsApart(
  dir: string,
  against: string,
  env: string,
): Promise<{ ahead: number; behind: number } | undefined> {
  if (![against, env].every((v) => /^[0-9a-f]{7,40}$/i.test(v) || /^v?\d+(\.\d+)*$/.test(v)))
    return undefined;
  try {
    const { stdout } = await run(
      'git',
      ['rev-list', '--left-right', '--count', `${against}...${env}`],
      { cwd: dir, timeout: 10_000 },
    );
    const [behind, ahead] = stdout.trim().split(/\s+/).map(Number);
    return behind === undefined || ahead === undefined ? undefined : { ahead, behind };
  } catch {
    return undefined;
  }
}
