/**
 * Runs every parity probe for two environments at once and builds the report. The probes do the
 * I/O; allowances, scoring and status are the pure `buildParityReport`.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/config-schema.js';
import { parseDuration } from '../shared/duration.js';
import { UnderstudyError, messageOf } from '../shared/errors.js';
import { closest } from '../shared/suggest.js';
import { runConfigProbe } from './config-probe.js';
import { judgeDataAge } from './data-age-probe.js';
import { probeNames, type ProbeName, type ProbeResult, type Severity } from './drift.js';
import { runInfrastructureProbe } from './infrastructure-probe.js';
import { buildParityReport, type ParityReport } from './parity-report.js';
import { runRuntimeProbe } from './runtime-probe.js';
import { runSchemaProbe } from './schema-probe.js';
import { runVersionsProbe } from './versions-probe.js';

export interface ParityRunInput {
  readonly config: Readonly<Config>;
  /** Directory of understudy.yaml; relative paths in the config are relative to it. */
  readonly dir: string;
  readonly env: string;
  readonly against: string;
  readonly failOn: Severity;
  /** When the last successful data sync into an environment finished (from the store). */
  readonly lastSync?: (env: string) => Promise<Date | undefined>;
  /** Called as each probe finishes, for progress. */
  readonly onProbe?: (result: ProbeResult) => void;
  readonly now?: () => Date;
}

/** Which environments to compare, from flags and config, checked against the declared ones. */
export function chooseEnvironments(
  config: Readonly<Config>,
  env: string | undefined,
  against: string | undefined,
): { env: string; against: string } {
  const chosen = {
    env: env ?? config.parity?.env ?? 'staging',
    against: against ?? config.parity?.against ?? 'production',
  };
  const declared = Object.keys(config.environments);
  for (const name of [chosen.env, chosen.against]) {
    if (!declared.includes(name)) {
      const guess = closest(name, declared);
      throw new UnderstudyError('E_USAGE', `no environment named "${name}"`, {
        hint: guess === undefined ? `declared: ${declared.join(', ')}` : `did you mean "${guess}"?`,
      });
    }
  }
  if (chosen.env === chosen.against)
    throw new UnderstudyError('E_USAGE', `cannot compare "${chosen.env}" with itself`, {
      hint: 'use --env and --against to name two environments',
    });
  return chosen;
}

/** Runs the probes and returns the report; probe failures are in the report, never thrown. */
export async function runParity(input: ParityRunInput): Promise<ParityReport> {
  const now = input.now ?? (() => new Date());
  const startedAt = now();
  const envConfig = input.config.environments[input.env];
  const againstConfig = input.config.environments[input.against];
  if (envConfig === undefined || againstConfig === undefined)
    throw new UnderstudyError('E_USAGE', 'unknown environment');
  const selected = new Set<ProbeName>(input.config.parity?.probes ?? probeNames);
  // A fresh key per run: secret values are compared by keyed hash, and the hashes mean nothing later.
  const secretKey = randomBytes(32);
  const env = { name: input.env, config: envConfig };
  const against = { name: input.against, config: againstConfig };

  const probes: Record<ProbeName, () => Promise<ProbeResult>> = {
    schema: () =>
      runSchemaProbe({
        env: { name: env.name, url: envConfig.database },
        against: { name: against.name, url: againstConfig.database },
      }),
    config: () =>
      runConfigProbe({
        env: {
          name: env.name,
          sources: envConfig.config,
          ...(envConfig.url === undefined ? {} : { baseUrl: envConfig.url }),
        },
        against: {
          name: against.name,
          sources: againstConfig.config,
          ...(againstConfig.url === undefined ? {} : { baseUrl: againstConfig.url }),
        },
        dir: input.dir,
        secretKey,
      }),
    versions: () => runVersionsProbe({ env, against, dir: input.dir }),
    runtime: () =>
      runRuntimeProbe({
        env: { name: env.name, url: envConfig.database },
        against: { name: against.name, url: againstConfig.database },
      }),
    'data-age': async () => {
      const max = input.config.parity?.maxDataAge;
      return judgeDataAge({
        env: env.name,
        maxAgeMs: max === undefined ? undefined : parseDuration(max),
        lastSync:
          max === undefined || input.lastSync === undefined
            ? undefined
            : await input.lastSync(env.name),
        now: now(),
      });
    },
    infrastructure: () =>
      runInfrastructureProbe({
        env: { name: env.name, file: envConfig.infrastructure?.terraform },
        against: { name: against.name, file: againstConfig.infrastructure?.terraform },
        dir: input.dir,
        secretKey,
      }),
  };

  const results = await Promise.all(
    probeNames.map(async (probe): Promise<ProbeResult> => {
      const result = selected.has(probe)
        ? await probes[probe]().catch((error: unknown): ProbeResult => ({
            probe,
            status: 'failed',
            reason: messageOf(error),
            compared: 0,
            differences: [],
          }))
        : {
            probe,
            status: 'skipped' as const,
            reason: 'not in parity.probes',
            compared: 0,
            differences: [],
          };
      input.onProbe?.(result);
      return result;
    }),
  );
  return buildParityReport({
    env: input.env,
    against: input.against,
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    failOn: input.failOn,
    results,
    allowances: input.config.parity?.allow ?? [],
    today: startedAt.toISOString().slice(0, 10),
  });
}
