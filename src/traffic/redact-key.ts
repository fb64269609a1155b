/**
 * Where the redaction key comes from, for every command that redacts: `traffic.key` in
 * understudy.yaml (written as `${UNDERSTUDY_REDACT_KEY}`), else the UNDERSTUDY_REDACT_KEY
 * environment variable. Recording refuses to run without one; importing and replaying fall back
 * to a random key for that run only, whose tokens then match no other capture. It is never the
 * data masking key: the two are shared and rotated separately.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/config-schema.js';
import { UnderstudyError } from '../shared/errors.js';
import type { RedactorOptions } from './redact.js';

/** The environment variable holding the redaction key when the config does not name one. */
export const REDACT_KEY_ENV = 'UNDERSTUDY_REDACT_KEY';

const MIN_KEY_LENGTH = 16;

export interface RedactionKey {
  readonly key: Buffer;
  /** `ephemeral`: none was configured; this run's tokens match no other capture's. */
  readonly source: 'config' | 'env' | 'ephemeral';
}

/** The configured key, or a random one for this run; a key that is too short is bad input. */
export function findRedactionKey(
  config: Config | undefined,
  env: Readonly<Record<string, string | undefined>>,
): RedactionKey {
  const fromConfig = config?.traffic?.key;
  const fromEnv = env[REDACT_KEY_ENV];
  const [text, source] =
    fromConfig !== undefined && fromConfig !== ''
      ? [fromConfig, 'config' as const]
      : fromEnv !== undefined && fromEnv !== ''
        ? [fromEnv, 'env' as const]
        : [undefined, 'ephemeral' as const];
  if (text === undefined) return { key: randomBytes(32), source };
  if (text.length < MIN_KEY_LENGTH)
    throw new UnderstudyError(
      'E_USAGE',
      `the redaction key in ${source === 'config' ? 'traffic.key' : REDACT_KEY_ENV} is shorter than ${MIN_KEY_LENGTH} characters`,
      { hint: 'use at least 16 random characters, e.g. `openssl rand -base64 24`' },
    );
  return { key: Buffer.from(text, 'utf8'), source };
}

/** The configured key; none is bad input (recording needs stable tokens). */
export function requireRedactionKey(
  config: Config | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Buffer {
  const found = findRedactionKey(config, env);
  if (found.source === 'ephemeral')
    throw new UnderstudyError(
      'E_USAGE',
      'no redaction key: recording needs one to turn secrets into tokens',
      {
        hint: `export ${REDACT_KEY_ENV} with at least 16 random characters, or set traffic.key: \${${REDACT_KEY_ENV}}`,
      },
    );
  return found.key;
}

/** The redactor's settings: the key and the rules under `traffic.record.redact`. */
export function redactorOptions(config: Config | undefined, key: Buffer): RedactorOptions {
  const rules = config?.traffic?.record?.redact;
  return {
    key,
    headers: rules?.headers ?? [],
    query: rules?.query ?? [],
    json: rules?.json ?? [],
  };
}
