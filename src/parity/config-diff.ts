/**
 * Compares two environments' configuration key by key, pure. Paths are `config:KEY`.
 *
 * Severity, relative to `env` (staging):
 * - a key production has and staging lacks: breaking — code reading it behaves differently;
 * - a key only staging has: notice — usually a staging-only switch;
 * - a plain value that differs: breaking (an allowance documents the intended ones, e.g. LOG_LEVEL);
 * - a secret that differs: notice — separate credentials per environment are what should be;
 * - a credential that is the same in both: breaking — staging holds a production credential, so
 *   anyone or anything with staging access can act on production. It is reported as `changed`
 *   with a note saying so (the vocabulary has no kind for "same"); an allowance can accept a
 *   deliberately shared one (a shared Sentry DSN) with a reason and an owner.
 *
 * A key is secret when its name says so, its value looks like a credential on either side, or it
 * came from a Kubernetes Secret on either side. Secrets are compared by HMAC-SHA256 with the
 * run's key; their differences carry `secret: true` and no values — not even hashes. "Same in
 * both" needs the name or value to say credential: a Secret also holds user names and hosts.
 */
import type { ConfigValues } from './config-parse.js';
import { driftPath, type Difference } from './drift.js';
import { isSecretKey, looksLikeSecretValue, sameSecret } from './secret-detect.js';

/** How secrets are compared, and the names used in notes. */
export interface ConfigDiffOptions {
  /** The run's random key for comparing secrets by keyed hash. */
  readonly secretKey: Buffer;
  /** Environment names for notes (`staging` and `production` by default). */
  readonly names?: { readonly env: string; readonly against: string };
}

/** What `diffConfig` found. */
export interface ConfigDiff {
  /** Keys compared: every key set on either side. */
  readonly compared: number;
  /** Keys compared as secrets (by keyed hash). */
  readonly secrets: number;
  readonly differences: readonly Difference[];
}

/** Values that switch something off or leave it unset, not credentials worth a shared-secret finding. */
const placeholderValues = new Set(['', 'none', 'null', 'false', 'true', 'off', 'on', 'disabled']);

/** Compares `env`'s configuration with `against`'s; differences in key order. */
export function diffConfig(
  env: ConfigValues,
  against: ConfigValues,
  options: ConfigDiffOptions,
): ConfigDiff {
  const keys = [...new Set([...env.values.keys(), ...against.values.keys()])].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const names = options.names ?? { env: 'staging', against: 'production' };
  const differences: Difference[] = [];
  let secrets = 0;
  for (const key of keys) {
    const envValue = env.values.get(key);
    const againstValue = against.values.get(key);
    // A credential by its name or value; a Secret's key may also be a user name or a host.
    const credential =
      isSecretKey(key) ||
      (envValue !== undefined && looksLikeSecretValue(envValue)) ||
      (againstValue !== undefined && looksLikeSecretValue(againstValue));
    const secret = credential || env.secretKeys.has(key) || against.secretKeys.has(key);
    if (secret) secrets++;
    const path = driftPath('config', key);
    const base = { probe: 'config' as const, path };
    if (envValue === undefined && againstValue !== undefined) {
      differences.push({
        ...base,
        kind: 'missing',
        severity: 'breaking',
        ...(secret ? { secret: true, note: 'secret: value withheld' } : { againstValue }),
      });
    } else if (againstValue === undefined && envValue !== undefined) {
      differences.push({
        ...base,
        kind: 'extra',
        severity: 'notice',
        ...(secret ? { secret: true, note: 'secret: value withheld' } : { envValue }),
      });
    } else if (envValue !== undefined && againstValue !== undefined) {
      if (!secret) {
        if (envValue !== againstValue)
          differences.push({
            ...base,
            kind: 'changed',
            severity: 'breaking',
            envValue,
            againstValue,
          });
      } else if (!sameSecret(envValue, againstValue, options.secretKey)) {
        differences.push({
          ...base,
          kind: 'changed',
          severity: 'notice',
          secret: true,
          note: 'secret values differ (compared by keyed hash); separate credentials per environment are expected',
        });
      } else if (credential && !placeholderValues.has(envValue.trim().toLowerCase())) {
        differences.push({
          ...base,
          kind: 'shared',
          severity: 'breaking',
          secret: true,
          note: `${names.env} uses the same secret value as ${names.against}: a ${names.against} credential in ${names.env}`,
        });
      }
    }
  }
  return { compared: keys.length, secrets, differences };
}
