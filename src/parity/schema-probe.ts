/**
 * The schema probe: reads the schema model and the migration histories of both environments'
 * databases (connected in parallel), compares them, and explains the differences that pending
 * migrations account for. It never throws for a database it cannot reach or read: the probe
 * result says so (`failed`, naming the environment and the server, never the password).
 */
import { readSchemaModel } from '../postgres/catalog-read.js';
import { type Client, connect, describeUrl } from '../postgres/connection.js';
import type { SchemaModel } from '../postgres/schema-model.js';
import { UnderstudyError, messageOf } from '../shared/errors.js';
import { compareDifferences, type ProbeResult } from './drift.js';
import { diffMigrations, explainWithMigrations } from './migrations-diff.js';
import { type MigrationHistory, readMigrationHistories } from './migrations-read.js';
import { diffSchemaModels } from './schema-diff.js';

/** One environment: its name (for messages) and its database URL, if configured. */
export interface SchemaProbeTarget {
  readonly name: string;
  readonly url: string | undefined;
}

/** The two environments to compare. */
export interface SchemaProbeOptions {
  /** The environment that must mirror the other (staging). */
  readonly env: SchemaProbeTarget;
  /** The environment it is compared with (production). */
  readonly against: SchemaProbeTarget;
}

interface SchemaRead {
  readonly model: SchemaModel;
  readonly histories: readonly MigrationHistory[];
}

/** Compares the database schemas (and applied migrations) of two environments. */
export async function runSchemaProbe(options: SchemaProbeOptions): Promise<ProbeResult> {
  const targets = [options.env, options.against];
  const lacking = targets.filter((t) => t.url === undefined || t.url === '').map((t) => t.name);
  if (lacking.length > 0) {
    return {
      probe: 'schema',
      status: 'skipped',
      reason: `${lacking.join(' and ')} ${lacking.length === 1 ? 'has' : 'have'} no database URL (environments.NAME.database)`,
      compared: 0,
      differences: [],
    };
  }
  const clients: Client[] = [];
  try {
    const opened = await Promise.allSettled(
      targets.map(async (t) => {
        const client = await connect(t.url ?? '', {
          what: `${t.name} database`,
          applicationName: 'understudy parity',
        });
        clients.push(client);
        return client;
      }),
    );
    const failedToOpen = firstFailure(opened);
    if (failedToOpen !== undefined) return failed(failedToOpen);
    const [envClient, againstClient] = opened.map(
      (o) => (o as PromiseFulfilledResult<Client>).value,
    );
    const reads = await Promise.allSettled([
      readSide(options.env, envClient as Client),
      readSide(options.against, againstClient as Client),
    ]);
    const failedToRead = firstFailure(reads);
    if (failedToRead !== undefined) return failed(failedToRead);
    const [env, against] = reads.map((r) => (r as PromiseFulfilledResult<SchemaRead>).value) as [
      SchemaRead,
      SchemaRead,
    ];
    return compare(options, env, against);
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  }
}

function compare(options: SchemaProbeOptions, env: SchemaRead, against: SchemaRead): ProbeResult {
  const schema = diffSchemaModels(env.model, against.model);
  const migrations = diffMigrations(
    { name: options.env.name, histories: env.histories },
    { name: options.against.name, histories: against.histories },
  );
  const differences = explainWithMigrations(schema.differences, migrations.pending);
  return {
    probe: 'schema',
    status: 'compared',
    compared: schema.compared + migrations.compared,
    differences: [...differences, ...migrations.differences].sort(compareDifferences),
    facts: {
      tables: { env: env.model.tables.length, against: against.model.tables.length },
      migrations: migrations.facts,
    },
  };
}

/** Reads one side's model and histories; a failure names the environment and its server. */
async function readSide(target: SchemaProbeTarget, client: Client): Promise<SchemaRead> {
  try {
    const model = await readSchemaModel(client);
    const histories = await readMigrationHistories(client);
    return { model, histories };
  } catch (error) {
    const code = error instanceof UnderstudyError ? error.code : 'E_OPERATION';
    throw new UnderstudyError(
      code,
      `cannot read the ${target.name} database at ${describeUrl(target.url ?? '')}: ${messageOf(error)}`,
      { cause: error },
    );
  }
}

function firstFailure(results: readonly PromiseSettledResult<unknown>[]): unknown {
  for (const result of results) if (result.status === 'rejected') return result.reason ?? 'failed';
  return undefined;
}

function failed(error: unknown): ProbeResult {
  return {
    probe: 'schema',
    status: 'failed',
    reason: messageOf(error),
    unreachable: error instanceof UnderstudyError && error.code === 'E_UNREACHABLE',
    compared: 0,
    differences: [],
  };
}
