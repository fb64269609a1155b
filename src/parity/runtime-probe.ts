/**
 * The runtime probe: the database server's version and the settings that change how the same SQL
 * behaves (time zone, encoding, collation, date styles, isolation), read from both environments.
 */
import { connect } from '../postgres/connection.js';
import { UnderstudyError, messageOf } from '../shared/errors.js';
import { driftPath, type Difference, type ProbeResult, type Severity } from './drift.js';

const settingsQuery = `
SELECT current_setting('server_version_num') AS server_version_num,
       current_setting('server_version') AS server_version,
       current_setting('TimeZone') AS timezone,
       current_setting('DateStyle') AS datestyle,
       current_setting('IntervalStyle') AS intervalstyle,
       current_setting('default_transaction_isolation') AS default_transaction_isolation,
       current_setting('standard_conforming_strings') AS standard_conforming_strings,
       pg_encoding_to_char(d.encoding) AS encoding,
       d.datcollate AS lc_collate,
       d.datctype AS lc_ctype
  FROM pg_database d
 WHERE d.datname = current_database()`;

/** The runtime facts compared, in report order. */
export type RuntimeSettings = Readonly<Record<string, string>>;

const compared = [
  'server_version',
  'timezone',
  'encoding',
  'lc_collate',
  'lc_ctype',
  'datestyle',
  'intervalstyle',
  'default_transaction_isolation',
  'standard_conforming_strings',
] as const;

/** Reads the runtime settings of one database. */
export async function readRuntimeSettings(url: string, name: string): Promise<RuntimeSettings> {
  const client = await connect(url, { what: `${name} database` });
  try {
    const { rows } = await client.query<Record<string, string>>(settingsQuery);
    const row = rows[0];
    if (row === undefined)
      throw new UnderstudyError(
        'E_OPERATION',
        `${name}: the current database is not in pg_database`,
      );
    return row;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Compares two sets of runtime settings; pure. A major version apart is breaking, a minor one a notice. */
export function diffRuntime(env: RuntimeSettings, against: RuntimeSettings): Difference[] {
  const differences: Difference[] = [];
  for (const key of compared) {
    const a = env[key];
    const b = against[key];
    if (a === b) continue;
    let severity: Severity = 'breaking';
    let note: string | undefined;
    if (key === 'server_version') {
      const major = (v: string | undefined): number => Math.floor(Number(v ?? 0) / 10_000);
      if (major(env.server_version_num) === major(against.server_version_num)) {
        severity = 'notice';
        note = 'same major version, another minor release';
      } else {
        note = 'another major version: planner, defaults and SQL behaviour differ';
      }
    }
    differences.push({
      probe: 'runtime',
      path: driftPath('runtime', key),
      kind: 'changed',
      severity,
      envValue: a ?? null,
      againstValue: b ?? null,
      ...(note === undefined ? {} : { note }),
    });
  }
  return differences;
}

/** Runs the runtime probe on both environments' databases. */
export async function runRuntimeProbe(input: {
  readonly env: { readonly name: string; readonly url: string | undefined };
  readonly against: { readonly name: string; readonly url: string | undefined };
}): Promise<ProbeResult> {
  const lacking = [input.env, input.against].filter((e) => e.url === undefined).map((e) => e.name);
  if (lacking.length > 0) {
    return {
      probe: 'runtime',
      status: 'skipped',
      reason: `${lacking.join(' and ')} ${lacking.length === 1 ? 'has' : 'have'} no database configured`,
      compared: 0,
      differences: [],
    };
  }
  try {
    const [env, against] = await Promise.all([
      readRuntimeSettings(input.env.url!, input.env.name),
      readRuntimeSettings(input.against.url!, input.against.name),
    ]);
    return {
      probe: 'runtime',
      status: 'compared',
      compared: compared.length,
      differences: diffRuntime(env, against),
      facts: {
        [input.env.name]: { server_version: env.server_version ?? null },
        [input.against.name]: { server_version: against.server_version ?? null },
      },
    };
  } catch (error) {
    return {
      probe: 'runtime',
      status: 'failed',
      reason: messageOf(error),
      unreachable: error instanceof UnderstudyError && error.code === 'E_UNREACHABLE',
      compared: 0,
      differences: [],
    };
  }
}
