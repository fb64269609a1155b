/**
 * bench:parity — two databases of N tables (default 1,000) with scattered planted drift; times
 * Understudy's schema comparison (introspect both + diff) against a baseline of `pg_dump
 * --schema-only` of both plus a text diff, and checks that exactly the planted drift was found.
 * Prints one JSON line.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { machine, type Machine } from './machine.js';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import {
  binariesAvailable,
  startLocalServer,
  type LocalServer,
} from '../src/postgres/local-server.js';
import { runSchemaProbe } from '../src/parity/schema-probe.js';

const run = promisify(execFile);

export interface ParityBenchResult {
  readonly bench: 'parity';
  readonly tables: number;
  readonly planted: number;
  readonly found: number;
  readonly exact: boolean;
  readonly missed: readonly string[];
  readonly unexpected: readonly string[];
  readonly seconds: number;
  readonly targetSeconds: 2;
  readonly baseline: {
    readonly name: string;
    readonly seconds: number | null;
    readonly note?: string;
  };
  readonly ratio: number | null;
  readonly server: string;
  readonly machine: Machine;
}

/** The base schema: N tables with identity keys, foreign keys, checks, defaults and indexes. */
export function baseSchemaSql(tables: number): string {
  const lines = ['CREATE SCHEMA app;'];
  for (let i = 1; i <= tables; i++) {
    // Every tenth table references the one before it, so foreign keys are part of the model.
    const ref = i > 1 && i % 10 === 0 ? `, parent_id bigint REFERENCES app.t_${i - 1}(id)` : '';
    lines.push(
      `CREATE TABLE app.t_${i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, amount numeric(12,2) DEFAULT 0, ` +
        `status text CHECK (status IN ('new', 'done')), created_at timestamptz NOT NULL DEFAULT now()${ref});`,
      `CREATE INDEX t_${i}_created_idx ON app.t_${i} (created_at);`,
    );
  }
  return lines.join('\n');
}

/** Drift planted in staging, each on its own table and each expected exactly once at its path. */
export function plantedDrift(tables: number): { sql: string; paths: string[] } {
  const step = Math.max(1, Math.floor(tables / 40));
  // Tables referenced by a foreign key (t_9, t_19, …) are left alone so a drop has no side effects.
  const pick = (k: number): number => {
    let n = 1 + ((k * step * 7 + 3) % tables);
    while (n % 10 === 9) n = (n % tables) + 1;
    return n;
  };
  const used = new Set<number>();
  const next = (k: number): number => {
    let n = pick(k);
    while (used.has(n) || n % 10 === 9) n = (n % tables) + 1;
    used.add(n);
    return n;
  };
  const sql: string[] = [];
  const paths: string[] = [];
  const kinds = Math.max(1, Math.floor(tables / 100));
  for (let k = 0; k < kinds; k++) {
    const a = next(k * 7 + 1);
    sql.push(`ALTER TABLE app.t_${a} ALTER COLUMN amount TYPE numeric(14,2);`);
    paths.push(`schema:app.t_${a}.columns.amount.type`);
    const b = next(k * 7 + 2);
    sql.push(`ALTER TABLE app.t_${b} DROP COLUMN name;`);
    paths.push(`schema:app.t_${b}.columns.name`);
    const c = next(k * 7 + 3);
    sql.push(`DROP INDEX app.t_${c}_created_idx;`);
    paths.push(`schema:app.t_${c}_created_idx`);
    const d = next(k * 7 + 4);
    sql.push(`ALTER TABLE app.t_${d} ALTER COLUMN amount SET DEFAULT 1;`);
    paths.push(`schema:app.t_${d}.columns.amount.default`);
    const e = next(k * 7 + 5);
    sql.push(`ALTER TABLE app.t_${e} ALTER COLUMN created_at DROP NOT NULL;`);
    paths.push(`schema:app.t_${e}.columns.created_at.nullable`);
    const f = next(k * 7 + 6);
    sql.push(`DROP TABLE app.t_${f};`);
    paths.push(`schema:app.t_${f}`);
    sql.push(`CREATE TABLE app.extra_${k} (id bigint PRIMARY KEY);`);
    paths.push(`schema:app.extra_${k}`);
  }
  return { sql: sql.join('\n'), paths };
}

async function exec(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = process.hrtime.bigint();
  const value = await work();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** The baseline: what a team does by hand — dump both schemas and diff the text. */
async function baseline(
  server: LocalServer,
  urls: readonly [string, string],
): Promise<ParityBenchResult['baseline']> {
  const name = 'pg_dump --schema-only of both + diff';
  const pgDump = path.join(server.binDir, 'pg_dump');
  if (!existsSync(pgDump))
    return {
      name,
      seconds: null,
      note: `no pg_dump beside the ${server.binaries} server binaries`,
    };
  const dumpDir = path.join(os.tmpdir(), `understudy-bench-${process.pid}`);
  const { seconds } = await timed(async () => {
    await run('mkdir', ['-p', dumpDir]);
    await Promise.all(
      urls.map((url, i) =>
        run(pgDump, ['--schema-only', '--no-owner', '-f', path.join(dumpDir, `${i}.sql`), url], {
          maxBuffer: 1 << 28,
        }),
      ),
    );
    // diff exits 1 when the files differ, which they do.
    await run('diff', [path.join(dumpDir, '0.sql'), path.join(dumpDir, '1.sql')], {
      maxBuffer: 1 << 28,
    }).catch(() => undefined);
  });
  await run('rm', ['-rf', dumpDir]);
  return { name, seconds };
}

/** Runs the benchmark on fresh servers. */
export async function runParityBench(options: { tables: number }): Promise<ParityBenchResult> {
  // pg_dump must match the server's major version: the system binaries carry both, when present.
  const server = await startLocalServer({
    binaries: binariesAvailable('system') ? 'system' : 'embedded',
    name: 'understudy-bench-pg',
  });
  try {
    const production = server.urlFor('bench_production');
    const staging = server.urlFor('bench_staging');
    await exec(server.url, 'CREATE DATABASE bench_production');
    await exec(server.url, 'CREATE DATABASE bench_staging');
    const schema = baseSchemaSql(options.tables);
    await Promise.all([exec(production, schema), exec(staging, schema)]);
    const planted = plantedDrift(options.tables);
    await exec(staging, planted.sql);

    // One warm-up run so both compare a warmed catalog cache, then the measured run.
    const probe = (): ReturnType<typeof runSchemaProbe> =>
      runSchemaProbe({
        env: { name: 'staging', url: staging },
        against: { name: 'production', url: production },
      });
    await probe();
    const measured = await timed(probe);
    const found = measured.value.differences.map((d) => d.path);
    const expected = new Set(planted.paths);
    const missed = planted.paths.filter((p) => !found.includes(p));
    const unexpected = found.filter((p) => !expected.has(p));
    const base = await baseline(server, [staging, production]);
    const version = await serverVersion(server.url);
    return {
      bench: 'parity',
      tables: options.tables,
      planted: planted.paths.length,
      found: found.length,
      exact:
        missed.length === 0 && unexpected.length === 0 && found.length === planted.paths.length,
      missed,
      unexpected,
      seconds: round(measured.seconds),
      targetSeconds: 2,
      baseline: base.seconds === null ? base : { ...base, seconds: round(base.seconds) },
      ratio: base.seconds === null ? null : round(measured.seconds / base.seconds),
      server: `PostgreSQL ${version} (${server.binaries} binaries)`,
      machine: machine(),
    };
  } finally {
    await server.stop();
  }
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (
      (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]
        ?.v ?? 'unknown'
    );
  } finally {
    await client.end();
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
