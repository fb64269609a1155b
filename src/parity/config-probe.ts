/**
 * The config probe: reads both environments' configuration sources and compares them key by key.
 * An environment without sources makes the probe `skipped` — saying which — never silently
 * green; a source that cannot be read makes it `failed`, naming the environment and the source.
 */
import { UnderstudyError, messageOf } from '../shared/errors.js';
import { diffConfig } from './config-diff.js';
import { readConfigSources, type ConfigSource, type ConfigValues } from './config-sources.js';
import type { ProbeResult } from './drift.js';

/** One side of the comparison. */
export interface ConfigProbeEnvironment {
  readonly name: string;
  readonly sources: readonly ConfigSource[];
  /** The environment's `url`, for http sources given as a path. */
  readonly baseUrl?: string | undefined;
}

/** The two environments' sources, and how to read and compare them. */
export interface ConfigProbeInput {
  readonly env: ConfigProbeEnvironment;
  readonly against: ConfigProbeEnvironment;
  /** Directory of understudy.yaml. */
  readonly dir: string;
  /** The run's random key: secrets are compared by keyed hash only. */
  readonly secretKey: Buffer;
  /** Environment variables for command sources (the process's own by default). */
  readonly commandEnv?: Readonly<Record<string, string | undefined>>;
  readonly commandTimeoutMs?: number;
  readonly httpTimeoutMs?: number;
}

/** Compares the configuration of `env` with `against`; never throws. */
export async function runConfigProbe(input: ConfigProbeInput): Promise<ProbeResult> {
  const lacking = [input.env, input.against].filter((e) => e.sources.length === 0);
  if (lacking.length > 0) {
    const names = lacking.map((e) => e.name);
    return {
      probe: 'config',
      status: 'skipped',
      reason: `${names.join(' and ')} ${names.length === 1 ? 'declares' : 'declare'} no config sources (environments.${names.length === 1 ? names[0] : 'NAME'}.config)`,
      compared: 0,
      differences: [],
    };
  }

  const read = (e: ConfigProbeEnvironment): Promise<ConfigValues> =>
    readConfigSources(e.sources, {
      dir: input.dir,
      baseUrl: e.baseUrl,
      ...(input.commandEnv === undefined ? {} : { env: input.commandEnv }),
      ...(input.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: input.commandTimeoutMs }),
      ...(input.httpTimeoutMs === undefined ? {} : { httpTimeoutMs: input.httpTimeoutMs }),
    });
  const [envRead, againstRead] = await Promise.allSettled([read(input.env), read(input.against)]);
  if (envRead.status === 'rejected' || againstRead.status === 'rejected') {
    const failures = [
      [input.env.name, envRead],
      [input.against.name, againstRead],
    ] as const;
    const errors = failures.flatMap(([name, outcome]) =>
      outcome.status === 'rejected' ? [{ name, error: outcome.reason as unknown }] : [],
    );
    return {
      probe: 'config',
      status: 'failed',
      reason: errors.map(({ name, error }) => `${name}: ${messageOf(error)}`).join('; '),
      unreachable: errors.some(
        ({ error }) => error instanceof UnderstudyError && error.code === 'E_UNREACHABLE',
      ),
      compared: 0,
      differences: [],
    };
  }

  const env = envRead.value;
  const against = againstRead.value;
  const diff = diffConfig(env, against, {
    secretKey: input.secretKey,
    names: { env: input.env.name, against: input.against.name },
  });
  return {
    probe: 'config',
    status: 'compared',
    compared: diff.compared,
    differences: diff.differences,
    facts: {
      envKeys: env.values.size,
      againstKeys: against.values.size,
      secretKeys: diff.secrets,
    },
  };
}
